//! The wall clock behind the domain's [`Clock`] port. The domain never reads the time itself, so
//! tests pin it with a fixed clock and production uses this one.

use authd_domain::Timestamp;
use authd_domain::ports::Clock;

/// The system's UTC time.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        chrono::Utc::now()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_clock_reads_the_current_utc_time() {
        let before = chrono::Utc::now();
        let now = SystemClock.now();
        let after = chrono::Utc::now();
        assert!(before <= now && now <= after);
    }
}
