//! The cleanup sweep on PostgreSQL: how often (`SWEEP_INTERVAL`) and how long ended sessions,
//! finished mail and audit events are kept (`SESSION_RETENTION`, `OUTBOX_RETENTION`,
//! `AUDIT_RETENTION`). The interval's bare number is seconds, as for the other durations; a
//! retention needs a unit.

use super::reader::Reader;
use super::values;
use authd_domain::policy::retention::RetentionPolicy;
use chrono::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SweepConfig {
    /// `SWEEP_INTERVAL` (10m); `0` or `off`: no sweep.
    pub interval: Option<std::time::Duration>,
    pub retention: RetentionPolicy,
}

pub(super) fn sweep(r: &mut Reader) -> SweepConfig {
    let interval = r.or(
        "SWEEP_INTERVAL",
        Some(std::time::Duration::from_secs(600)),
        |v| {
            if v.eq_ignore_ascii_case("off") {
                return Ok(None);
            }
            let d = values::duration(v, 1)?;
            if d > Duration::days(1) {
                return Err(format!(
                    "{v:?} is too long (at most 24h; 0 or off disables)"
                ));
            }
            Ok(d.to_std().ok().filter(|d| !d.is_zero()))
        },
    );
    let defaults = RetentionPolicy::default();
    SweepConfig {
        interval,
        retention: RetentionPolicy {
            sessions: r.or("SESSION_RETENTION", defaults.sessions, retention),
            outbox: r.or("OUTBOX_RETENTION", defaults.outbox, retention),
            audit: r.or("AUDIT_RETENTION", defaults.audit, retention),
        },
    }
}

/// With a unit, and at least an hour: what the sweep deletes is gone for good, so `8760` meant
/// as hours (read as seconds: 2.4 h) must not pass for a policy.
fn retention(raw: &str) -> Result<Duration, String> {
    if raw.trim().chars().all(|c| c.is_ascii_digit()) {
        return Err(format!(
            "{raw:?} needs a unit (e.g. 30d, 12h): a retention decides what is deleted for good"
        ));
    }
    let d = values::duration(raw, 1)?;
    if d < Duration::hours(1) {
        Err(format!("{raw:?} is too short (at least 1h, e.g. 30d)"))
    } else {
        Ok(d)
    }
}
