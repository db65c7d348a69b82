//! Conformance checks for [`FailureSpread`]: the distinct targets one address failed on within a
//! fixed window, and the one report per address and window, under concurrency too. The port
//! takes `now`, so windows are driven by the times given: the checks start at an instant
//! aligned to the window (a whole quarter hour), where a window that opens at its first failure
//! and one aligned on the epoch agree.
//!
//! Each check takes the adapter as `Arc<dyn FailureSpread>` to share it with the tasks it
//! spawns, and uses addresses of its own, so checks may share one adapter.

use crate::fixtures::{t0, unique};
use crate::support::concurrently;
use authd_domain::Timestamp;
use authd_domain::ports::{FailureSpread, SpreadLimit};
use chrono::Duration;
use std::sync::Arc;

/// Every check of this module, each registered as a test on a fresh `$spread` (see
/// [`crate::conformance`]): listing a check here runs it on every adapter of the port.
#[macro_export]
macro_rules! failure_spread_conformance {
    ($spread:expr) => {
        $crate::__register_shared_checks! { failure_spread, $spread;
            the_failure_that_reaches_the_threshold_is_reported_once
            failures_on_one_target_count_once
            addresses_are_counted_apart
            a_new_window_counts_from_zero
            concurrent_distinct_failures_are_reported_exactly_once
            concurrent_failures_on_few_targets_count_each_target_once
        }
    };
}

/// `STUFFING_THRESHOLD` and `STUFFING_WINDOW`'s defaults.
const LIMIT: SpreadLimit = SpreadLimit {
    accounts: 10,
    window: Duration::minutes(15),
};

/// An address no other check uses (IPv6 documentation range).
fn fresh_ip() -> String {
    let u = unique();
    format!("2001:db8:{}:{}::1", &u[..4], &u[4..8])
}

/// A target digest no other check uses.
fn target() -> String {
    format!("{:0>64}", unique() + &unique())
}

/// 12:00:00, the start of a window.
fn window_start() -> Timestamp {
    t0()
}

async fn record(spread: &dyn FailureSpread, ip: &str, target: &str, at: Timestamp) -> bool {
    spread
        .record(ip, target, LIMIT, at)
        .await
        .unwrap_or_else(|e| panic!("recording a failure: {e}"))
}

/// Records one failure on each of `n` fresh targets at `at`; returns how many were reported.
async fn fail_on(spread: &dyn FailureSpread, ip: &str, n: usize, at: Timestamp) -> usize {
    let mut reported = 0;
    for _ in 0..n {
        reported += usize::from(record(spread, ip, &target(), at).await);
    }
    reported
}

/// Nine distinct targets are no report; the tenth is; the eleventh and on are not (once per
/// window), through to the window's last millisecond.
pub async fn the_failure_that_reaches_the_threshold_is_reported_once(
    spread: Arc<dyn FailureSpread>,
) {
    let ip = fresh_ip();
    let start = window_start();
    assert_eq!(fail_on(&*spread, &ip, 9, start).await, 0);

    assert!(record(&*spread, &ip, &target(), start + Duration::minutes(7)).await);

    let last_moment = start + LIMIT.window - Duration::milliseconds(1);
    assert_eq!(
        fail_on(&*spread, &ip, 5, start + Duration::minutes(8)).await,
        0
    );
    assert_eq!(fail_on(&*spread, &ip, 1, last_moment).await, 0);
}

/// Failing on one target again and again counts it once: twenty failures on one account are no
/// report, and the report comes with the tenth distinct target.
pub async fn failures_on_one_target_count_once(spread: Arc<dyn FailureSpread>) {
    let ip = fresh_ip();
    let start = window_start();
    let same = target();
    for _ in 0..20 {
        assert!(!record(&*spread, &ip, &same, start).await);
    }

    assert_eq!(fail_on(&*spread, &ip, 8, start).await, 0);
    assert!(!record(&*spread, &ip, &same, start).await, "still nine");
    assert!(record(&*spread, &ip, &target(), start).await, "the tenth");
}

/// Each address has its own count and its own report, even for the same targets.
pub async fn addresses_are_counted_apart(spread: Arc<dyn FailureSpread>) {
    let (a, b) = (fresh_ip(), fresh_ip());
    let start = window_start();
    let targets: Vec<String> = (0..10).map(|_| target()).collect();
    for t in &targets[..9] {
        assert!(!record(&*spread, &a, t, start).await);
        assert!(!record(&*spread, &b, t, start).await);
    }

    assert!(record(&*spread, &a, &targets[9], start).await);
    assert!(record(&*spread, &b, &targets[9], start).await);
}

/// When the window closes, counting starts again: nine failures in one window and one in the
/// next are no report, the same targets count again, and the next window reports once more.
pub async fn a_new_window_counts_from_zero(spread: Arc<dyn FailureSpread>) {
    let ip = fresh_ip();
    let start = window_start();
    let targets: Vec<String> = (0..10).map(|_| target()).collect();
    assert!(!record(&*spread, &ip, &targets[0], start).await);
    for t in &targets[1..9] {
        assert!(!record(&*spread, &ip, t, start + Duration::minutes(14)).await);
    }

    let next = start + LIMIT.window;
    assert!(
        !record(&*spread, &ip, &targets[9], next).await,
        "one in the new window"
    );
    for t in &targets[..8] {
        assert!(!record(&*spread, &ip, t, next + Duration::minutes(1)).await);
    }
    assert!(record(&*spread, &ip, &targets[8], next + Duration::minutes(2)).await);

    let after = next + LIMIT.window;
    assert_eq!(fail_on(&*spread, &ip, 9, after).await, 0);
    assert!(
        record(&*spread, &ip, &target(), after).await,
        "reported again"
    );
}

/// Twenty failures on twenty accounts from each of eight addresses, all at once: exactly one
/// failure of each address is reported.
pub async fn concurrent_distinct_failures_are_reported_exactly_once(
    spread: Arc<dyn FailureSpread>,
) {
    const ADDRESSES: usize = 8;
    let ips: Arc<Vec<String>> = Arc::new((0..ADDRESSES).map(|_| fresh_ip()).collect());
    let start = window_start();

    let reported = concurrently(20 * ADDRESSES, |i| {
        let spread = Arc::clone(&spread);
        let ips = Arc::clone(&ips);
        async move {
            let ip = i % ADDRESSES;
            (ip, record(&*spread, &ips[ip], &target(), start).await)
        }
    })
    .await;

    for ip in 0..ADDRESSES {
        let count = reported.iter().filter(|(n, r)| *n == ip && *r).count();
        assert_eq!(count, 1, "address {ip}: {reported:?}");
    }
}

/// Sixty failures at once on nine accounts are nine distinct targets, never reported; the next
/// new account is.
pub async fn concurrent_failures_on_few_targets_count_each_target_once(
    spread: Arc<dyn FailureSpread>,
) {
    let ip = Arc::new(fresh_ip());
    let targets: Arc<Vec<String>> = Arc::new((0..9).map(|_| target()).collect());
    let start = window_start();

    let reported = concurrently(60, |i| {
        let spread = Arc::clone(&spread);
        let ip = Arc::clone(&ip);
        let targets = Arc::clone(&targets);
        async move { record(&*spread, &ip, &targets[i % 9], start).await }
    })
    .await;

    assert!(reported.iter().all(|r| !r), "{reported:?}");
    assert!(record(&*spread, &ip, &target(), start).await);
}
