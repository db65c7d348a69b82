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
