//! Retry schedule for outgoing email: exponential backoff with a cap and a limit on attempts.

use chrono::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub first_delay: Duration,
    pub max_delay: Duration,
    /// After this many failed attempts the message is given up (and logged).
    pub max_attempts: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            first_delay: Duration::seconds(5),
            max_delay: Duration::hours(1),
            max_attempts: 20,
        }
    }
}

impl RetryPolicy {
    /// The delay before the next attempt after `failed_attempts` failures, or `None` to give up.
    #[must_use]
    pub fn next_delay(&self, failed_attempts: u32) -> Option<Duration> {
        if failed_attempts >= self.max_attempts {
            return None;
        }
        let exponent = failed_attempts.saturating_sub(1).min(30);
        let factor = 1_i32 << exponent;
        let delay = self
            .first_delay
            .checked_mul(factor)
            .unwrap_or(self.max_delay);
        Some(delay.min(self.max_delay))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delay_doubles_after_each_failure() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.next_delay(1), Some(Duration::seconds(5)));
        assert_eq!(policy.next_delay(2), Some(Duration::seconds(10)));
        assert_eq!(policy.next_delay(3), Some(Duration::seconds(20)));
        assert_eq!(policy.next_delay(4), Some(Duration::seconds(40)));
    }

    #[test]
    fn the_delay_never_exceeds_the_cap() {
        let policy = RetryPolicy::default();
        // 5 s * 2^10 = 85 min > 1 h.
        assert_eq!(policy.next_delay(11), Some(Duration::hours(1)));
        assert_eq!(policy.next_delay(19), Some(Duration::hours(1)));
    }

    #[test]
    fn huge_attempt_counts_are_capped_instead_of_overflowing() {
        let policy = RetryPolicy {
            max_attempts: u32::MAX,
            ..RetryPolicy::default()
        };
        assert_eq!(policy.next_delay(1_000), Some(Duration::hours(1)));
        assert_eq!(policy.next_delay(u32::MAX - 1), Some(Duration::hours(1)));
    }

    #[test]
    fn it_gives_up_after_the_maximum_number_of_attempts() {
        let policy = RetryPolicy::default();
        assert!(policy.next_delay(19).is_some());
        assert_eq!(policy.next_delay(20), None);
        assert_eq!(policy.next_delay(21), None);
    }
}
