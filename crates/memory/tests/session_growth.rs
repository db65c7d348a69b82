//! A measurement, not a check (ignored by default): what 40,000 earlier logins of one user, under
//! a session limit of 5, cost the next logins and session lists, and the memory they hold.
//!
//! ```text
//! cargo test --release -p authd-memory --test session_growth -- --ignored --nocapture
//! ```

use authd_domain::Timestamp;
use authd_domain::ids::UserId;
use authd_memory::MemoryStore;
use authd_testkit::StorageUnderTest;
use authd_testkit::fixtures::t0_plus;
use authd_testkit::support::{login_with, registered_user};
use std::sync::Arc;
use std::time::{Duration, Instant};

const LIMIT: usize = 5;
const PRIOR: i64 = 40_000;
const MEASURED: i64 = 2_000;

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// Logins at one per second from `from`, each followed by a session list.
async fn logins(s: &StorageUnderTest, user: UserId, from: i64, count: i64) -> (Duration, Duration) {
    let (mut login, mut list) = (Duration::ZERO, Duration::ZERO);
    for i in from..from + count {
        let at: Timestamp = t0_plus(i);
        let started = Instant::now();
        login_with(s, user, at, true, LIMIT).await;
        login += started.elapsed();
        let started = Instant::now();
        let Ok(live) = s.sessions.list_active(user, at).await else {
            panic!("listing the sessions failed");
        };
        list += started.elapsed();
        assert!(live.len() <= LIMIT);
    }
    (login, list)
}

#[tokio::test]
#[ignore = "a measurement: run it with --ignored --nocapture"]
async fn cost_of_a_login_and_a_session_list_after_many_logins() {
    let fresh = StorageUnderTest::from_store(Arc::new(MemoryStore::new()));
    let user = registered_user(&fresh).await;
    logins(&fresh, user.id, 0, i64::try_from(LIMIT).unwrap()).await;
    let (login0, list0) = logins(&fresh, user.id, 10, MEASURED).await;

    let grown = StorageUnderTest::from_store(Arc::new(MemoryStore::new()));
    let user = registered_user(&grown).await;
    let rss_before = rss_kib();
    logins(&grown, user.id, 0, PRIOR).await;
    let rss_after = rss_kib();
    let (login1, list1) = logins(&grown, user.id, PRIOR, MEASURED).await;

    let per = |d: Duration| d / u32::try_from(MEASURED).unwrap();
    println!(
        "after {LIMIT} logins: login {:?}, list {:?}; after {PRIOR} logins: login {:?}, list {:?}; \
         RSS grew by {} KiB over the {PRIOR} logins",
        per(login0),
        per(list0),
        per(login1),
        per(list1),
        rss_after.saturating_sub(rss_before)
    );
}
