//! What a rate limit does while Redis is unreachable: it degrades to a per-instance count rather
//! than failing requests or letting everything through. Each instance then allows up to the
//! limit on its own (N instances: at most N times the limit), which still stops a brute-force
//! run, and the shared count resumes by itself on the first hit that reaches Redis again.
//!
//! The warning is throttled: while Redis is down every request would log it otherwise.

use async_trait::async_trait;
use authd_domain::error::PortError;
use authd_domain::policy::rate_limit::{RateLimit, RateLimitDecision};
use authd_domain::ports::RateLimiter;
use std::fmt;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// At most one warning per this period while the shared limiter keeps failing.
const WARN_EVERY: Duration = Duration::from_secs(30);

/// The shared limiter, and a local one for when it fails.
pub struct FallbackRateLimiter {
    shared: Arc<dyn RateLimiter>,
    local: Arc<dyn RateLimiter>,
    last_warning: Mutex<Option<Instant>>,
}

impl FallbackRateLimiter {
    pub fn new(shared: Arc<dyn RateLimiter>, local: Arc<dyn RateLimiter>) -> Self {
        Self {
            shared,
            local,
            last_warning: Mutex::new(None),
        }
    }

    /// Whether this failure should be logged: the first one, then one per [`WARN_EVERY`].
    fn should_warn(&self, now: Instant) -> bool {
        let Ok(mut last) = self.last_warning.lock() else {
            return true;
        };
        match *last {
            Some(at) if now.duration_since(at) < WARN_EVERY => false,
            _ => {
                *last = Some(now);
                true
            }
        }
    }
}

impl fmt::Debug for FallbackRateLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FallbackRateLimiter")
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl RateLimiter for FallbackRateLimiter {
    async fn hit(&self, key: &str, limit: RateLimit) -> Result<RateLimitDecision, PortError> {
        match self.shared.hit(key, limit).await {
            Ok(decision) => Ok(decision),
            Err(e) => {
                if self.should_warn(Instant::now()) {
                    tracing::warn!(
                        error = %e,
                        "rate limits: Redis is unreachable; counting per instance until it is \
                         back (at most one such warning every 30 s)"
                    );
                }
                self.local.hit(key, limit).await
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use authd_domain::policy::rate_limit::decide;
    use chrono::Duration as ChronoDuration;
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

    /// Counts every hit in one window that never closes; fails while `down` is set.
    #[derive(Default)]
    struct Counter {
        hits: AtomicU64,
        down: AtomicBool,
    }

    #[async_trait]
    impl RateLimiter for Counter {
        async fn hit(&self, _key: &str, limit: RateLimit) -> Result<RateLimitDecision, PortError> {
            if self.down.load(Ordering::SeqCst) {
                return Err(PortError::unavailable("connection refused"));
            }
            let count = self.hits.fetch_add(1, Ordering::SeqCst) + 1;
            Ok(decide(limit, count, ChronoDuration::minutes(15)))
        }
    }

    fn limiter() -> (Arc<Counter>, Arc<Counter>, FallbackRateLimiter) {
        let shared = Arc::new(Counter::default());
        let local = Arc::new(Counter::default());
        let fallback = FallbackRateLimiter::new(shared.clone(), local.clone());
        (shared, local, fallback)
    }

    const FIVE: RateLimit = RateLimit::new(5, ChronoDuration::minutes(15));

    #[tokio::test]
    async fn while_the_shared_limiter_answers_the_local_one_is_not_touched() {
        let (shared, local, fallback) = limiter();
        for _ in 0..3 {
            fallback.hit("login:192.0.2.1", FIVE).await.unwrap();
        }
        assert_eq!(shared.hits.load(Ordering::SeqCst), 3);
        assert_eq!(local.hits.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn when_the_shared_limiter_fails_the_limit_still_holds_per_instance() {
        let (shared, _local, fallback) = limiter();
        shared.down.store(true, Ordering::SeqCst);
        let mut allowed = 0;
        for _ in 0..8 {
            if fallback.hit("login:192.0.2.1", FIVE).await.unwrap().allowed {
                allowed += 1;
            }
        }
        assert_eq!(allowed, 5, "the sixth hit and later are refused locally");
    }

    #[tokio::test]
    async fn the_shared_count_resumes_as_soon_as_it_answers_again() {
        let (shared, local, fallback) = limiter();
        shared.down.store(true, Ordering::SeqCst);
        fallback.hit("k", FIVE).await.unwrap();
        shared.down.store(false, Ordering::SeqCst);
        fallback.hit("k", FIVE).await.unwrap();
        assert_eq!(shared.hits.load(Ordering::SeqCst), 1);
        assert_eq!(local.hits.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_failure_is_logged_at_most_once_per_thirty_seconds() {
        let (_shared, _local, fallback) = limiter();
        let t0 = Instant::now();
        assert!(fallback.should_warn(t0));
        assert!(!fallback.should_warn(t0 + Duration::from_secs(29)));
        assert!(fallback.should_warn(t0 + Duration::from_secs(31)));
    }
}
