//! At most one log line per interval: a limiter that is down fails on every request, and one
//! warning a minute says as much as thousands a second.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const NEVER: u64 = u64::MAX;

#[derive(Debug)]
pub struct LogThrottle {
    interval: Duration,
    origin: Instant,
    /// Milliseconds after `origin` of the last permitted line, or `NEVER`.
    last: AtomicU64,
}

impl LogThrottle {
    #[must_use]
    pub fn new(interval: Duration) -> Self {
        Self {
            interval,
            origin: Instant::now(),
            last: AtomicU64::new(NEVER),
        }
    }

    /// Whether to log now; true for exactly one of the callers racing once an interval is over.
    pub fn permit(&self) -> bool {
        let now = u64::try_from(self.origin.elapsed().as_millis()).unwrap_or(NEVER - 1);
        let interval = u64::try_from(self.interval.as_millis()).unwrap_or(u64::MAX);
        let last = self.last.load(Ordering::Relaxed);
        if last != NEVER && now.saturating_sub(last) < interval {
            return false;
        }
        self.last
            .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_line_is_logged_and_the_next_ones_within_the_interval_are_not() {
        let throttle = LogThrottle::new(Duration::from_secs(60));
        assert!(throttle.permit());
        assert!(!throttle.permit());
        assert!(!throttle.permit());
    }

    #[test]
    fn a_line_is_logged_again_once_the_interval_is_over() {
        let throttle = LogThrottle::new(Duration::from_millis(20));
        assert!(throttle.permit());
        std::thread::sleep(Duration::from_millis(40));
        assert!(throttle.permit());
    }
}
