//! Two `authd` processes sharing PostgreSQL and a Redis that is not one server: a real
//! three-master Redis Cluster, and a master with a replica behind three sentinels, failed over
//! in the middle of the test. On both, `/v1/health` reports Redis healthy, a logout on one
//! instance denies the access token on the other, the login limit counts across both, and a
//! refresh token reused on one after its rotation on the other revokes the session.

#[path = "redis_topology/properties.rs"]
mod properties;

use crate::helpers::{Cluster, Production};
use authd_testkit::redis::cluster::cluster;
use authd_testkit::redis::sentinel::{MASTER_NAME, RedisSentinels};
use properties::{Users, limits_and_revocations_hold, overrides, settled};
use std::time::Duration;

/// `host:port,host:port,...`
fn list(nodes: &[(String, u16)]) -> String {
    nodes
        .iter()
        .map(|(host, port)| format!("{host}:{port}"))
        .collect::<Vec<_>>()
        .join(",")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_redis_cluster_denials_limits_and_reuse_detection_hold_across_instances() {
    let redis = tokio::task::spawn_blocking(cluster).await.unwrap();
    let production = Production::shared().await;
    let nodes = list(&redis.nodes());
    let mut vars = overrides();
    vars.push(("REDIS_CLUSTER_NODES", &nodes));
    let instances = Cluster::start(&production, 2, &vars).await;
    let [a, b] = [&instances.nodes[0], &instances.nodes[1]];
    let users = Users::register(a, b).await;

    limits_and_revocations_hold(a, b, &users, 0).await;

    let per_master = redis.keys_per_master(&production.redis_prefix);
    assert!(
        per_master.iter().filter(|keys| **keys > 0).count() > 1,
        "authd's keys all sit on one master: {per_master:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_sentinels_denials_limits_and_reuse_detection_hold_after_a_failover() {
    let group = tokio::task::spawn_blocking(RedisSentinels::start_to_fail_over)
        .await
        .unwrap();
    let production = Production::shared().await;
    let sentinels = list(&group.sentinel_nodes());
    let mut vars = overrides();
    vars.extend([
        ("REDIS_SENTINELS", sentinels.as_str()),
        ("REDIS_SENTINEL_MASTER", MASTER_NAME),
    ]);
    let instances = Cluster::start(&production, 2, &vars).await;
    let [a, b] = [&instances.nodes[0], &instances.nodes[1]];
    let users = Users::register(a, b).await;
    let before = a.login(&users.early).await;
    b.me(&before.access_token).await.ok(200);

    // Requests keep coming while the master changes: each answers, 503 at worst.
    let failover = tokio::task::spawn_blocking(move || {
        group.fail_over();
        group
    });
    while !failover.is_finished() {
        for node in [a, b] {
            settled(|| node.me(&before.access_token), Duration::ZERO).await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let group = failover.await.unwrap();
    // Every pooled connection of either instance is used once more, so that none still points
    // at the old master when the properties are checked (the pool hands them out in turn).
    for _ in 0..20 {
        for node in [a, b] {
            settled(|| node.me(&before.access_token), Duration::from_secs(15))
                .await
                .ok(200);
        }
    }

    limits_and_revocations_hold(a, b, &users, 1).await;
    drop(group);
}
