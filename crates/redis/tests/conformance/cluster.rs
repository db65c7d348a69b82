//! The same checks on a real three-master Redis Cluster, and where the keys land: one user's
//! denials in one slot, many users' over every master. And a master's failure: its replica
//! takes over, and the store follows it without losing what it wrote.

use super::{connect, on};
use authd_domain::error::PortError;
use authd_domain::ids::{SessionId, UserId};
use authd_domain::policy::rate_limit::RateLimit;
use authd_domain::ports::{RateLimiter, TokenDenylist};
use authd_redis::{Login, RedisStore, RedisTopology};
use authd_testkit::fixtures;
use authd_testkit::redis::RedisServer;
use authd_testkit::redis::cluster::{RedisCluster, cluster};
use chrono::Utc;
use std::time::Duration;

fn topology(of: &RedisCluster) -> RedisTopology {
    RedisTopology::Cluster {
        nodes: of.nodes(),
        login: Login::default(),
        tls: false,
    }
}

async fn store() -> RedisStore {
    connect(&on(topology(cluster()), RedisServer::unique_prefix())).await
}

/// A store on a cluster of the test's own, giving up on a call after half a second, so that
/// calls to a failed master fail fast while the test waits for the cluster to recover.
async fn impatient_store(of: &RedisCluster) -> RedisStore {
    let mut settings = on(topology(of), RedisServer::unique_prefix());
    settings.command_timeout = Duration::from_millis(500);
    connect(&settings).await
}

authd_testkit::cache_conformance! {
    denylist: store().await,
    rate_limiter: store().await,
    failure_spread: store().await,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_users_denials_share_one_master_and_many_users_spread_over_several() {
    let prefix = RedisServer::unique_prefix();
    let s = connect(&on(topology(cluster()), prefix.clone())).await;
    let until = Utc::now() + chrono::Duration::hours(1);
    let user = UserId::new();
    let claims = fixtures::access_claims(user, SessionId::new(), Utc::now());

    s.deny_token(user, claims.token_id, until).await.unwrap();
    s.deny_sessions(user, &[SessionId::new(), SessionId::new()], until)
        .await
        .unwrap();
    s.deny_user_before(user, Utc::now(), until).await.unwrap();

    let per_master = cluster().keys_per_master(&prefix);
    assert_eq!(
        per_master.iter().filter(|n| **n > 0).count(),
        1,
        "one user's denials on several masters: {per_master:?}"
    );
    assert_eq!(per_master.iter().sum::<usize>(), 4);
    assert!(s.is_denied(&claims).await.unwrap());

    for _ in 0..30 {
        s.deny_token(UserId::new(), claims.token_id, until)
            .await
            .unwrap();
    }
    let per_master = cluster().keys_per_master(&prefix);
    assert!(
        per_master.iter().all(|n| *n > 0),
        "31 users' denials all on some masters only: {per_master:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_stores_on_the_cluster_share_denials_and_counts() {
    let shared = on(topology(cluster()), RedisServer::unique_prefix());
    let (a, b) = (connect(&shared).await, connect(&shared).await);
    let claims = fixtures::access_claims(UserId::new(), SessionId::new(), Utc::now());
    let limit = RateLimit::new(5, chrono::Duration::minutes(1));

    a.deny_sessions(
        claims.user_id,
        &[claims.session_id],
        Utc::now() + chrono::Duration::hours(1),
    )
    .await
    .unwrap();
    let mut allowed = 0;
    for n in 0..8 {
        let instance = if n % 2 == 0 { &a } else { &b };
        allowed += usize::from(instance.hit("login:10.0.0.1", limit).await.unwrap().allowed);
    }

    assert!(b.is_denied(&claims).await.unwrap());
    assert_eq!(allowed, 5, "8 hits on two instances with a limit of 5");
    assert!(a.ping().await && b.ping().await);
}

/// `call` again while it fails as unavailable (a master failing over), for up to 15 s; any
/// other error fails the test.
async fn eventually<T, F, Fut>(call: F) -> T
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, PortError>>,
{
    let started = tokio::time::Instant::now();
    loop {
        match call().await {
            Ok(value) => return value,
            Err(PortError::Unavailable(_)) => {}
            Err(e) => panic!("a failover must look like an outage, got {e:?}"),
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "the store did not follow the failover"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn after_a_master_fails_the_store_follows_its_replica_and_keeps_what_it_had() {
    let own = tokio::task::spawn_blocking(RedisCluster::start_to_fail_over)
        .await
        .unwrap();
    let s = impatient_store(&own).await;
    let until = Utc::now() + chrono::Duration::hours(1);
    let limit = RateLimit::new(3, chrono::Duration::minutes(5));
    // Enough users and addresses that some of them live on the master about to fail.
    let denied: Vec<_> = (0..20)
        .map(|_| fixtures::access_claims(UserId::new(), SessionId::new(), Utc::now()))
        .collect();
    let addresses: Vec<String> = (0..8).map(|n| format!("login:10.0.1.{n}")).collect();
    for claims in &denied {
        s.deny_sessions(claims.user_id, &[claims.session_id], until)
            .await
            .unwrap();
    }
    for address in &addresses {
        for _ in 0..2 {
            assert!(s.hit(address, limit).await.unwrap().allowed);
        }
    }

    let own = tokio::task::spawn_blocking(move || {
        own.fail_over();
        own
    })
    .await
    .unwrap();

    for claims in &denied {
        assert!(
            eventually(|| s.is_denied(claims)).await,
            "a denial was lost"
        );
    }
    for address in &addresses {
        let third = eventually(|| s.hit(address, limit)).await;
        assert_eq!(
            (third.allowed, third.remaining),
            (true, 0),
            "a count was lost"
        );
    }
    let later = fixtures::access_claims(UserId::new(), SessionId::new(), Utc::now());
    eventually(|| s.deny_token(later.user_id, later.token_id, until)).await;
    assert!(s.is_denied(&later).await.unwrap());
    drop(own);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn with_a_master_down_the_others_still_run_the_scripts_they_lost() {
    // Its own cluster (no replicas, 15 s before a node counts as failed): one master is
    // stopped for good.
    let own = tokio::task::spawn_blocking(RedisCluster::start_new)
        .await
        .unwrap();
    let s = impatient_store(&own).await;
    own.stop_first_master();
    // The other masters lose their scripts (a restart, SCRIPT FLUSH): the next calls find none
    // and must get the script to their keys' master while another master is down.
    own.flush_scripts();

    let until = Utc::now() + chrono::Duration::hours(1);
    let limit = RateLimit::new(2, chrono::Duration::minutes(5));
    let mut served = 0;
    for n in 0..12 {
        let claims = fixtures::access_claims(UserId::new(), SessionId::new(), Utc::now());
        match s.deny_token(claims.user_id, claims.token_id, until).await {
            Ok(()) => {
                served += 1;
                assert_eq!(s.pool_stats().open, 1);
                assert!(s.is_denied(&claims).await.unwrap());
            }
            Err(PortError::Unavailable(_)) => {
                assert_eq!(s.pool_stats().open, 0, "metrics call a failing link open");
                continue;
            }
            Err(e) => panic!("a master down must look like an outage, got {e:?}"),
        }
        // The rate limiter's script, on keys of the same master as often as not.
        let address = format!("login:10.0.2.{n}");
        if let Ok(first) = s.hit(&address, limit).await {
            assert!(first.allowed);
            assert!(s.hit(&address, limit).await.unwrap().allowed);
            assert!(!s.hit(&address, limit).await.unwrap().allowed);
        }
    }
    // 12 users over three masters: all of them on the stopped one has odds of 1 in 3^12.
    assert!(served > 0, "no denial reached the masters that run");
    drop(own);
}
