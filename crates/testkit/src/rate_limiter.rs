//! Conformance checks for [`RateLimiter`]. The port carries no `now`, so these checks use the
//! wall clock and short windows: an adapter opens and closes windows by its own clock (or its
//! server's). Every check counts on keys of its own, so checks may share one adapter.

use authd_domain::policy::rate_limit::{RateLimit, RateLimitDecision};
use authd_domain::ports::RateLimiter;
use chrono::Duration;
use futures_util::future::join_all;

/// Every check of this module, each registered as a test on a fresh `$limiter` (see
/// [`crate::conformance`]): listing a check here runs it on every adapter of the port.
#[macro_export]
macro_rules! rate_limiter_conformance {
    ($limiter:expr) => {
        $crate::__register_checks! { rate_limiter, $limiter;
            hits_are_allowed_up_to_the_limit_and_count_down
            hit_after_the_limit_is_refused_until_the_window_closes
            keys_are_counted_independently
            counting_restarts_when_the_window_closes
            concurrent_hits_allow_exactly_the_limit
        }
    };
}

/// A key no other check (or earlier run against the same server) uses.
fn fresh_key(what: &str) -> String {
    format!("{what}:{}", uuid::Uuid::new_v4().simple())
}

async fn hit(r: &dyn RateLimiter, key: &str, limit: RateLimit) -> RateLimitDecision {
    r.hit(key, limit).await.expect("counting a hit")
}

/// Hits up to the limit are allowed, with the limit announced and the remaining hits counting
/// down; the window's end lies ahead, within the window's length.
pub async fn hits_are_allowed_up_to_the_limit_and_count_down(r: &dyn RateLimiter) {
    let limit = RateLimit::new(3, Duration::minutes(1));
    let key = fresh_key("login");

    for remaining in [2, 1, 0] {
        let d = hit(r, &key, limit).await;
        assert!(d.allowed, "a hit within the limit was refused: {d:?}");
        assert_eq!((d.limit, d.remaining), (3, remaining), "{d:?}");
        assert!(
            d.resets_in > Duration::zero() && d.resets_in <= Duration::minutes(1),
            "the window must close within its length: {d:?}"
        );
    }
}

/// The hit after the limit is refused, with nothing remaining and the time until the window
/// closes (for `Retry-After`); so is every further hit of that window.
pub async fn hit_after_the_limit_is_refused_until_the_window_closes(r: &dyn RateLimiter) {
    let limit = RateLimit::new(2, Duration::minutes(15));
    let key = fresh_key("register");
    for _ in 0..2 {
        assert!(hit(r, &key, limit).await.allowed);
    }

    for _ in 0..2 {
        let d = hit(r, &key, limit).await;
        assert!(!d.allowed, "a hit past the limit was allowed: {d:?}");
        assert_eq!((d.limit, d.remaining), (2, 0), "{d:?}");
        assert!(
            d.resets_in > Duration::zero() && d.resets_in <= Duration::minutes(15),
            "a refused hit must say when to retry: {d:?}"
        );
    }
}

/// Hits on one key use up nothing of another key's limit.
pub async fn keys_are_counted_independently(r: &dyn RateLimiter) {
    let limit = RateLimit::new(1, Duration::minutes(1));
    let (a, b) = (fresh_key("ip-a"), fresh_key("ip-b"));

    assert!(hit(r, &a, limit).await.allowed);
    assert!(!hit(r, &a, limit).await.allowed);

    let d = hit(r, &b, limit).await;
    assert!(
        d.allowed,
        "another key's hits counted against this one: {d:?}"
    );
    assert_eq!(d.remaining, 0);
}

/// A window is fixed from its first hit: later hits do not stretch it, and once it closes the
/// count starts again. Takes about 1.2 seconds.
pub async fn counting_restarts_when_the_window_closes(r: &dyn RateLimiter) {
    let limit = RateLimit::new(2, Duration::seconds(1));
    let key = fresh_key("forgot");
    assert!(hit(r, &key, limit).await.allowed);

    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    let second = hit(r, &key, limit).await;
    assert!(second.allowed);
    assert_eq!(second.remaining, 0);
    assert!(
        second.resets_in < Duration::milliseconds(600),
        "the window must close a second after its first hit, not after the latest: {second:?}"
    );
    assert!(!hit(r, &key, limit).await.allowed);

    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    let fresh = hit(r, &key, limit).await;
    assert!(fresh.allowed, "the count did not restart: {fresh:?}");
    assert_eq!(fresh.remaining, 1, "{fresh:?}");
    assert!(fresh.resets_in > Duration::milliseconds(500), "{fresh:?}");
}

/// 200 hits at once against a limit of 50: every hit is counted, so exactly 50 are allowed.
pub async fn concurrent_hits_allow_exactly_the_limit(r: &dyn RateLimiter) {
    let limit = RateLimit::new(50, Duration::minutes(1));
    let key = fresh_key("general");

    let decisions = join_all((0..200).map(|_| hit(r, &key, limit))).await;

    let allowed = decisions.iter().filter(|d| d.allowed).count();
    assert_eq!(allowed, 50, "200 concurrent hits with a limit of 50");
    let mut remaining: Vec<u32> = decisions
        .iter()
        .filter(|d| d.allowed)
        .map(|d| d.remaining)
        .collect();
    remaining.sort_unstable();
    assert_eq!(
        remaining,
        (0..50).collect::<Vec<_>>(),
        "each allowed hit must see a count of its own"
    );
}
