//! [`MemoryRateLimiter`]: fixed-window hit counters of a single instance (and the failed-login
//! spreads of `failure_spread`).
//!
//! One mutex guards every window, so a hit's count and its window are updated together and N
//! concurrent hits count N. Closed windows are swept out at most once per [`SWEEP_INTERVAL`],
//! so the map holds only the keys hit in about the last interval plus their windows.

use crate::failure_spread::Spreads;
use async_trait::async_trait;
use authd_domain::Timestamp;
use authd_domain::error::PortError;
use authd_domain::policy::rate_limit::{self, RateLimit, RateLimitDecision};
use authd_domain::ports::{Clock, RateLimiter};
use chrono::Duration;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

const SWEEP_INTERVAL: Duration = Duration::minutes(1);

/// The rate limiter, in memory: right for one instance only, since every instance counts for
/// itself. Windows open and close by the [`Clock`] it is given.
pub struct MemoryRateLimiter {
    clock: Arc<dyn Clock>,
    state: Mutex<Windows>,
    /// The failed-login spreads of [`FailureSpread`](authd_domain::ports::FailureSpread).
    spreads: Mutex<Spreads>,
}

#[derive(Default)]
struct Windows {
    open: HashMap<String, Window>,
    next_sweep: Option<Timestamp>,
}

#[derive(Clone, Copy)]
struct Window {
    hits: u64,
    closes_at: Timestamp,
}

impl MemoryRateLimiter {
    /// A rate limiter whose windows open and close by `clock`.
    #[must_use]
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            clock,
            state: Mutex::new(Windows::default()),
            spreads: Mutex::new(Spreads::default()),
        }
    }

    // Poisoning is recovered: a hit is one insertion or one increment, which cannot leave the
    // map half-updated.
    fn lock(&self) -> MutexGuard<'_, Windows> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    // Recovered likewise: a failure is one insertion into one address's set.
    pub(crate) fn spreads(&self) -> MutexGuard<'_, Spreads> {
        self.spreads.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl fmt::Debug for MemoryRateLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryRateLimiter")
            .field("open_windows", &self.lock().open.len())
            .field("failure_spreads", &self.spreads().len())
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl RateLimiter for MemoryRateLimiter {
    async fn hit(&self, key: &str, limit: RateLimit) -> Result<RateLimitDecision, PortError> {
        let now = self.clock.now();
        let mut w = self.lock();
        if w.next_sweep.is_none_or(|next| now >= next) {
            w.next_sweep = now.checked_add_signed(SWEEP_INTERVAL);
            w.open.retain(|_, window| window.closes_at > now);
        }
        let window = count_hit(&mut w.open, key, now, limit.window);
        Ok(rate_limit::decide(
            limit,
            window.hits,
            window.closes_at - now,
        ))
    }
}

/// Counts one hit on `key`, opening a new window when there is none or it has closed. The key
/// is copied only when it opens its first window, not on every hit.
fn count_hit(
    open: &mut HashMap<String, Window>,
    key: &str,
    now: Timestamp,
    length: Duration,
) -> Window {
    let fresh = Window {
        hits: 1,
        closes_at: now.checked_add_signed(length).unwrap_or(now),
    };
    match open.get_mut(key) {
        Some(window) if window.closes_at > now => {
            window.hits += 1;
            *window
        }
        Some(window) => {
            *window = fresh;
            fresh
        }
        None => {
            open.insert(key.to_owned(), fresh);
            fresh
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use authd_testkit::clock::ManualClock;
    use chrono::Utc;

    #[tokio::test]
    async fn closed_windows_are_forgotten_so_memory_stays_bounded() {
        let clock = Arc::new(ManualClock::at(Utc::now()));
        let limiter = MemoryRateLimiter::new(clock.clone());
        let limit = RateLimit::new(5, Duration::seconds(30));
        for n in 0..100 {
            limiter.hit(&format!("ip-{n}"), limit).await.unwrap();
        }
        assert_eq!(limiter.lock().open.len(), 100);

        clock.advance(Duration::minutes(2));
        let d = limiter.hit("ip-0", limit).await.unwrap();

        assert_eq!((d.allowed, d.remaining), (true, 4), "a new window opens");
        assert_eq!(limiter.lock().open.len(), 1, "closed windows were kept");
    }

    #[tokio::test]
    async fn a_window_closes_by_the_given_clock() {
        let clock = Arc::new(ManualClock::at(Utc::now()));
        let limiter = MemoryRateLimiter::new(clock.clone());
        let limit = RateLimit::new(1, Duration::minutes(15));
        assert!(limiter.hit("k", limit).await.unwrap().allowed);

        clock.advance(Duration::minutes(10));
        let refused = limiter.hit("k", limit).await.unwrap();
        assert!(!refused.allowed);
        assert_eq!(refused.resets_in, Duration::minutes(5));

        clock.advance(Duration::minutes(5));
        assert!(limiter.hit("k", limit).await.unwrap().allowed);
    }
}
