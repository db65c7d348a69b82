//! The failure spread across instances, and the shape of its keys in Redis.

use super::{connect, settings};
use authd_domain::ports::{FailureSpread, SpreadLimit};
use authd_testkit::redis::{RedisServer, server};
use chrono::Utc;

pub(crate) const SPREAD: SpreadLimit = SpreadLimit {
    accounts: 10,
    window: chrono::Duration::minutes(15),
};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn instances_with_one_prefix_share_failure_spreads() {
    let shared = settings(server().url(), RedisServer::unique_prefix());
    let (a, b) = (connect(&shared).await, connect(&shared).await);
    let now = Utc::now();
    let mut reported = Vec::new();
    for n in 0..12 {
        let instance = if n % 2 == 0 { &a } else { &b };
        let target = format!("{n:064x}");
        reported.push(
            instance
                .record("10.0.0.4", &target, SPREAD, now)
                .await
                .unwrap(),
        );
    }

    let expected: Vec<bool> = (0..12).map(|n| n == 9).collect();
    assert_eq!(reported, expected, "the tenth account across two instances");
}

/// Both keys of a spread carry one hash tag (one Redis Cluster slot), hold only the digests
/// given, and expire when the window closes.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_spreads_keys_share_a_slot_and_expire_with_the_window() {
    let prefix = RedisServer::unique_prefix();
    let s = connect(&settings(server().url(), prefix.clone())).await;
    let now = Utc::now();
    let window = now.timestamp_millis() / SPREAD.window.num_milliseconds();
    let closes_in = (window + 1) * SPREAD.window.num_milliseconds() - now.timestamp_millis();
    let digests: Vec<String> = (0..10).map(|n| format!("{n:064x}")).collect();
    for d in &digests {
        s.record("203.0.113.9", d, SPREAD, now).await.unwrap();
    }

    let tag = format!("{prefix}{{spread:203.0.113.9:{window}}}");
    let client = redis::Client::open(server().url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let mut keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}*"))
        .query_async(&mut conn)
        .await
        .unwrap();
    keys.sort();
    assert_eq!(
        keys,
        vec![format!("{tag}:flagged"), format!("{tag}:targets")]
    );
    let mut members: Vec<String> = redis::cmd("SMEMBERS")
        .arg(format!("{tag}:targets"))
        .query_async(&mut conn)
        .await
        .unwrap();
    members.sort();
    assert_eq!(members, digests);
    for key in &keys {
        let ttl: i64 = redis::cmd("PTTL")
            .arg(key)
            .query_async(&mut conn)
            .await
            .unwrap();
        assert!(
            ttl > 0 && ttl <= closes_in,
            "{key}: {ttl} ms, window closes in {closes_in} ms"
        );
    }
}
