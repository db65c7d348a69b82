//! Rate limits: at most `max` hits per `window` for one key (an IP and a route group, or a user).
//!
//! A fixed window: the first hit of a key opens a window of `window`; every hit in it counts;
//! when it closes the count starts again. Adapters keep the count and the window's remaining
//! time atomically (one Lua script in Redis, one lock in memory) and call [`decide`] with them,
//! so every adapter answers the same headers.

use chrono::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub max: u32,
    pub window: Duration,
}

impl RateLimit {
    #[must_use]
    pub const fn new(max: u32, window: Duration) -> Self {
        Self { max, window }
    }
}

/// What one hit was answered, for `X-RateLimit-*` and `Retry-After`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitDecision {
    pub allowed: bool,
    /// `X-RateLimit-Limit`.
    pub limit: u32,
    /// `X-RateLimit-Remaining`: hits left in this window.
    pub remaining: u32,
    /// Until the window closes (`X-RateLimit-Reset` is now plus this; `Retry-After` when refused).
    pub resets_in: Duration,
}

/// The decision for the `count`-th hit (counting this one) of a window closing in `resets_in`.
#[must_use]
pub fn decide(limit: RateLimit, count: u64, resets_in: Duration) -> RateLimitDecision {
    let max = u64::from(limit.max);
    let remaining = max.saturating_sub(count);
    RateLimitDecision {
        allowed: count <= max,
        limit: limit.max,
        remaining: u32::try_from(remaining).unwrap_or(u32::MAX),
        resets_in: resets_in.max(Duration::zero()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn five_per_15_min() -> RateLimit {
        RateLimit::new(5, Duration::minutes(15))
    }

    #[test]
    fn hits_up_to_the_limit_are_allowed_and_count_down() {
        let first = decide(five_per_15_min(), 1, Duration::minutes(15));
        assert!(first.allowed);
        assert_eq!((first.limit, first.remaining), (5, 4));
        let fifth = decide(five_per_15_min(), 5, Duration::minutes(3));
        assert!(fifth.allowed);
        assert_eq!(fifth.remaining, 0);
    }

    #[test]
    fn the_hit_after_the_limit_is_refused_until_the_window_closes() {
        let sixth = decide(five_per_15_min(), 6, Duration::seconds(42));
        assert!(!sixth.allowed);
        assert_eq!(sixth.remaining, 0);
        assert_eq!(sixth.resets_in, Duration::seconds(42));
    }

    #[test]
    fn a_negative_remaining_time_reads_as_zero() {
        assert_eq!(
            decide(five_per_15_min(), 1, Duration::seconds(-1)).resets_in,
            Duration::zero()
        );
    }
}
