//! The open-file limit. Every connection costs a descriptor, and the soft limit many systems
//! start a process with (1024, or 256 on macOS) is a few hundred slow clients away from refusing
//! to accept, open a database connection or answer `/v1/health/live`. The hard limit is what the
//! administrator allows, so start-up raises the soft limit to it.

use std::fmt;

/// `RLIMIT_NOFILE` of this process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DescriptorLimits {
    pub soft: u64,
    pub hard: u64,
}

impl fmt::Display for DescriptorLimits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "soft {}, hard {}", self.soft, self.hard)
    }
}

/// The limits now in force.
///
/// # Errors
/// When the system does not tell.
pub fn current() -> std::io::Result<DescriptorLimits> {
    let (soft, hard) = rlimit::getrlimit(rlimit::Resource::NOFILE)?;
    Ok(DescriptorLimits { soft, hard })
}

/// Raises the soft limit to the hard one (on macOS, to the kernel's per-process maximum when
/// that is lower) and returns the limits in force afterwards.
///
/// # Errors
/// When the system refuses or does not tell.
pub fn raise() -> std::io::Result<DescriptorLimits> {
    rlimit::increase_nofile_limit(u64::MAX)?;
    current()
}

/// [`raise`], logged: the result at info, a failure as a warning (the service still runs, with
/// the limit it was started with).
pub fn raise_and_log() {
    let before = current().map(|l| l.soft).ok();
    match raise() {
        Ok(limits) => tracing::info!(
            soft_before = before,
            soft = limits.soft,
            hard = limits.hard,
            "open-file limit: soft limit raised as far as allowed"
        ),
        Err(e) => tracing::warn!(
            error = %e,
            limits = %current().map_or_else(|e| e.to_string(), |l| l.to_string()),
            "cannot raise the open-file limit; serving with the limit inherited"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raising_reports_a_soft_limit_at_the_hard_limit_and_never_lowers_it() {
        let before = current().unwrap();
        assert!(before.soft <= before.hard, "{before}");
        let after = raise().unwrap();
        assert_eq!(after, current().unwrap());
        assert!(after.soft >= before.soft, "{before} -> {after}");
        assert_eq!(after.hard, before.hard, "the hard limit is not touched");
        if cfg!(target_os = "linux") {
            assert_eq!(after.soft, after.hard, "{after}");
        }
    }
}
