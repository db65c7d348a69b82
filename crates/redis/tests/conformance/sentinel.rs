//! The same checks on the master that three sentinels name, and a failover after the master is
//! killed: the store moves to the new master on its own, keeps every denial and count made
//! before, and never fails other than as unavailable while it moves.

use super::{connect, on};
use authd_domain::error::PortError;
use authd_domain::ids::{SessionId, UserId};
use authd_domain::policy::rate_limit::RateLimit;
use authd_domain::ports::{RateLimiter, TokenDenylist};
use authd_redis::{Login, RedisStore, RedisTopology};
use authd_testkit::fixtures;
use authd_testkit::redis::RedisServer;
use authd_testkit::redis::sentinel::{MASTER_NAME, RedisSentinels, sentinels};
use chrono::Utc;
use std::time::Duration;

fn topology(group: &RedisSentinels) -> RedisTopology {
    RedisTopology::Sentinel {
        sentinels: group.sentinel_nodes(),
        master: MASTER_NAME.to_owned(),
        login: Login::default(),
        sentinel_password: None,
        db: 0,
        tls: false,
    }
}

async fn store() -> RedisStore {
    connect(&on(topology(sentinels()), RedisServer::unique_prefix())).await
}

authd_testkit::cache_conformance! {
    denylist: store().await,
    rate_limiter: store().await,
    failure_spread: store().await,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn after_a_failover_the_store_writes_to_the_new_master_and_keeps_what_it_had() {
    let group = tokio::task::spawn_blocking(RedisSentinels::start_to_fail_over)
        .await
        .unwrap();
    let mut settings = on(topology(&group), RedisServer::unique_prefix());
    settings.command_timeout = Duration::from_millis(500);
    let s = connect(&settings).await;
    let limit = RateLimit::new(3, chrono::Duration::minutes(5));
    let until = Utc::now() + chrono::Duration::hours(1);
    let denied = fixtures::access_claims(UserId::new(), SessionId::new(), Utc::now());
    s.deny_sessions(denied.user_id, &[denied.session_id], until)
        .await
        .unwrap();
    assert!(s.hit("login:10.0.0.7", limit).await.unwrap().allowed);
    assert!(s.hit("login:10.0.0.7", limit).await.unwrap().allowed);

    let group = tokio::task::spawn_blocking(move || {
        group.fail_over();
        group
    })
    .await
    .unwrap();

    // Until the pool has replaced its connections to the old master, calls may fail, but only
    // as unavailable (503), and a write never reports success without reaching the master.
    let later = fixtures::access_claims(UserId::new(), SessionId::new(), Utc::now());
    let started = tokio::time::Instant::now();
    loop {
        match s.deny_token(later.user_id, later.token_id, until).await {
            Ok(()) => break,
            Err(PortError::Unavailable(_)) => {}
            Err(e) => panic!("a failover must look like an outage, got {e:?}"),
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the store did not move to the new master"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    assert!(s.is_denied(&later).await.unwrap());
    assert!(s.is_denied(&denied).await.unwrap(), "a denial was lost");
    let third = s.hit("login:10.0.0.7", limit).await.unwrap();
    assert_eq!(
        (third.allowed, third.remaining),
        (true, 0),
        "a count was lost"
    );
    assert!(!s.hit("login:10.0.0.7", limit).await.unwrap().allowed);
    assert!(s.ping().await);
    drop(group);
}
