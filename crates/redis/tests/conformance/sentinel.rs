//! The same checks on the master that three sentinels name, and a failover after the master is
//! killed: the store moves to the new master on its own, keeps every denial and count made
//! before, and never fails other than as unavailable while it moves.

use super::{connect, on};
use authd_domain::error::PortError;
use authd_domain::ids::{SessionId, UserId};
use authd_domain::policy::rate_limit::RateLimit;
use authd_domain::ports::{RateLimiter, TokenDenylist};
use authd_domain::token::AccessClaims;
use authd_redis::{Login, RedisStore, RedisTopology};
use authd_testkit::fixtures;
use authd_testkit::redis::RedisServer;
use authd_testkit::redis::sentinel::{MASTER_NAME, RedisSentinels, sentinels};
use chrono::Utc;
use std::sync::Arc;
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

/// Denies tokens until one is accepted: until the pool has replaced its connections to the old
/// master, calls may fail, but only as unavailable (503). Returns the token's claims.
async fn deny_until_accepted(s: &RedisStore, within: Duration) -> AccessClaims {
    let until = Utc::now() + chrono::Duration::hours(1);
    let claims = fixtures::access_claims(UserId::new(), SessionId::new(), Utc::now());
    let started = tokio::time::Instant::now();
    loop {
        match s.deny_token(claims.user_id, claims.token_id, until).await {
            Ok(()) => return claims,
            Err(PortError::Unavailable(_)) => {}
            Err(e) => panic!("a failover must look like an outage, got {e:?}"),
        }
        assert!(
            started.elapsed() < within,
            "the store did not move to the new master within {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hung_first_sentinel_does_not_keep_the_store_from_the_new_master() {
    let group = tokio::task::spawn_blocking(RedisSentinels::start_to_fail_over)
        .await
        .unwrap();
    let mut settings = on(topology(&group), RedisServer::unique_prefix());
    settings.command_timeout = Duration::from_millis(500);
    let s = connect(&settings).await;
    let before = deny_until_accepted(&s, Duration::from_secs(1)).await;

    let group = Arc::new(group);
    // The first sentinel of REDIS_SENTINELS accepts connections but never answers, until the
    // end of the test (also when it fails).
    group.hang_sentinel(0);
    let resume = Resume(Arc::clone(&group));
    let failing = Arc::clone(&group);
    tokio::task::spawn_blocking(move || failing.fail_over())
        .await
        .unwrap();

    let after = deny_until_accepted(&s, Duration::from_secs(10)).await;
    assert!(s.is_denied(&after).await.unwrap());
    assert!(s.is_denied(&before).await.unwrap(), "a denial was lost");
    drop(resume);
}

/// Resumes the group's first sentinel when dropped.
struct Resume(Arc<RedisSentinels>);

impl Drop for Resume {
    fn drop(&mut self) {
        self.0.resume_sentinel(0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn after_a_failover_that_keeps_the_old_master_up_writes_land_on_the_new_master() {
    let group = tokio::task::spawn_blocking(RedisSentinels::start_to_fail_over)
        .await
        .unwrap();
    let prefix = RedisServer::unique_prefix();
    let mut settings = on(topology(&group), prefix.clone());
    settings.command_timeout = Duration::from_millis(500);
    let s = connect(&settings).await;
    deny_until_accepted(&s, Duration::from_secs(1)).await;

    let group = tokio::task::spawn_blocking(move || {
        group.demote_master();
        group
    })
    .await
    .unwrap();

    let later = deny_until_accepted(&s, Duration::from_secs(10)).await;
    let keys = group.master_cli(&["--scan", "--pattern", &format!("{prefix}*")]);
    assert!(
        keys.contains(&later.token_id.to_string()),
        "the denial is not on the new master: {keys}"
    );
    assert!(s.is_denied(&later).await.unwrap());
}
