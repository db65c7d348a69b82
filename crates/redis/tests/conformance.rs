//! The denylist, rate-limiter and failure-spread conformance suites of `authd-testkit`, run
//! against a real Redis server that this test process starts (see `authd_testkit::redis`): one
//! test per check, each on a store with a key prefix of its own; the same on a three-master
//! cluster (`cluster`) and behind sentinels, across a failover (`sentinel`). Also: several
//! instances share their state, setting up fails fast and without the password, and a server
//! that is down or hangs makes every call fail as unavailable in bounded time, until it is back
//! (`outage`); the keys of a failure spread (`failure_spread`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "conformance/cluster.rs"]
mod cluster;
#[path = "conformance/failure_spread.rs"]
mod failure_spread;
#[path = "conformance/outage.rs"]
mod outage;
#[path = "conformance/sentinel.rs"]
mod sentinel;

use authd_clock::SystemClock;
use authd_domain::ids::{SessionId, UserId};
use authd_domain::policy::rate_limit::RateLimit;
use authd_domain::ports::{RateLimiter, TokenDenylist};
use authd_redis::{RedisError, RedisSettings, RedisStore, RedisTopology};
use authd_testkit::clock::ManualClock;
use authd_testkit::fixtures;
use authd_testkit::redis::{RedisServer, server};
use chrono::Utc;
use std::sync::Arc;
use std::time::Duration;

fn settings(url: String, key_prefix: String) -> RedisSettings {
    on(RedisTopology::Server { url }, key_prefix)
}

/// `topology` with the tests' pool, timeout and `key_prefix`.
fn on(topology: RedisTopology, key_prefix: String) -> RedisSettings {
    RedisSettings {
        pool_max: 8,
        command_timeout: Duration::from_secs(2),
        key_prefix,
        ..RedisSettings::with_topology(topology)
    }
}

async fn connect(settings: &RedisSettings) -> RedisStore {
    RedisStore::connect(settings, Arc::new(SystemClock))
        .await
        .expect("connecting to the test Redis")
}

/// A store on the shared server, with keys no other test sees.
async fn store() -> RedisStore {
    connect(&settings(server().url(), RedisServer::unique_prefix())).await
}

authd_testkit::cache_conformance! {
    denylist: store().await,
    rate_limiter: store().await,
    failure_spread: store().await,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn instances_with_one_prefix_share_denials_and_counts() {
    let shared = settings(server().url(), RedisServer::unique_prefix());
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
    for _ in 0..4 {
        for instance in [&a, &b] {
            allowed += usize::from(instance.hit("login:10.0.0.1", limit).await.unwrap().allowed);
        }
    }

    assert!(
        b.is_denied(&claims).await.unwrap(),
        "a token revoked on one instance passes on another"
    );
    assert_eq!(allowed, 5, "8 hits on two instances with a limit of 5");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stores_with_different_prefixes_never_see_each_others_keys() {
    let a = store().await;
    let b = store().await;
    let claims = fixtures::access_claims(UserId::new(), SessionId::new(), Utc::now());
    let limit = RateLimit::new(1, chrono::Duration::minutes(1));

    a.deny_token(
        claims.user_id,
        claims.token_id,
        Utc::now() + chrono::Duration::hours(1),
    )
    .await
    .unwrap();
    assert!(a.hit("register:10.0.0.2", limit).await.unwrap().allowed);

    assert!(!b.is_denied(&claims).await.unwrap());
    assert!(b.hit("register:10.0.0.2", limit).await.unwrap().allowed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn scripts_the_server_has_forgotten_are_loaded_again() {
    let s = store().await;
    let limit = RateLimit::new(3, chrono::Duration::minutes(1));
    assert!(s.hit("general:10.0.0.3", limit).await.unwrap().allowed);

    flush_scripts(&server().url()).await;

    let second = s.hit("general:10.0.0.3", limit).await.unwrap();
    assert_eq!((second.allowed, second.remaining), (true, 1));
    let user = UserId::new();
    s.deny_user_before(user, Utc::now(), Utc::now() + chrono::Duration::hours(1))
        .await
        .unwrap();
    let old = fixtures::access_claims(
        user,
        SessionId::new(),
        Utc::now() - chrono::Duration::minutes(1),
    );
    assert!(s.is_denied(&old).await.unwrap());
}

/// `SCRIPT FLUSH`, as after a restart or a failover to a replica that never ran the scripts.
async fn flush_scripts(url: &str) {
    let client = redis::Client::open(url).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    redis::cmd("SCRIPT")
        .arg("FLUSH")
        .query_async::<()>(&mut conn)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_later_cutoff_widens_the_users_denial_and_an_earlier_one_never_narrows_it() {
    let s = store().await;
    let user = UserId::new();
    let now = Utc::now();
    let until = now + chrono::Duration::hours(1);
    let issued_at = |seconds_ago| {
        fixtures::access_claims(
            user,
            SessionId::new(),
            now - chrono::Duration::seconds(seconds_ago),
        )
    };

    s.deny_user_before(user, now - chrono::Duration::seconds(30), until)
        .await
        .unwrap();
    assert!(!s.is_denied(&issued_at(10)).await.unwrap());

    s.deny_user_before(user, now - chrono::Duration::seconds(5), until)
        .await
        .unwrap();
    s.deny_user_before(user, now - chrono::Duration::seconds(60), until)
        .await
        .unwrap();

    assert!(s.is_denied(&issued_at(10)).await.unwrap());
    assert!(!s.is_denied(&issued_at(2)).await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_shorter_second_denial_never_cuts_the_first_one_short() {
    let s = store().await;
    let claims = fixtures::access_claims(UserId::new(), SessionId::new(), Utc::now());

    s.deny_token(
        claims.user_id,
        claims.token_id,
        Utc::now() + chrono::Duration::hours(1),
    )
    .await
    .unwrap();
    s.deny_token(
        claims.user_id,
        claims.token_id,
        Utc::now() + chrono::Duration::milliseconds(300),
    )
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;

    assert!(s.is_denied(&claims).await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_denials_time_to_live_is_measured_from_the_stores_clock() {
    let on = |offset| async move {
        let clock = Arc::new(ManualClock::at(Utc::now() + offset));
        let config = settings(server().url(), RedisServer::unique_prefix());
        RedisStore::connect(&config, clock).await.unwrap()
    };
    let ahead = on(chrono::Duration::hours(1)).await;
    let behind = on(chrono::Duration::hours(-1)).await;
    let claims = fixtures::access_claims(UserId::new(), SessionId::new(), Utc::now());
    let in_half_an_hour = Utc::now() + chrono::Duration::minutes(30);
    let half_an_hour_ago = Utc::now() - chrono::Duration::minutes(30);

    ahead
        .deny_token(claims.user_id, claims.token_id, in_half_an_hour)
        .await
        .unwrap();
    behind
        .deny_sessions(claims.user_id, &[claims.session_id], half_an_hour_ago)
        .await
        .unwrap();

    assert!(
        !ahead.is_denied(&claims).await.unwrap(),
        "an hour ahead, a denial until half an hour from now is already over"
    );
    assert!(
        behind.is_denied(&claims).await.unwrap(),
        "an hour behind, a denial until half an hour ago still has half an hour to run"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn connecting_to_a_closed_port_fails_fast_without_the_password() {
    let port = {
        let redis = RedisServer::start_new();
        redis.port()
    };
    let url = format!("redis://authd:s3cret-pw@127.0.0.1:{port}/0");
    let started = tokio::time::Instant::now();

    let err = RedisStore::connect(&settings(url, "authd:".to_owned()), Arc::new(SystemClock))
        .await
        .expect_err("nothing listens on the port");

    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
    assert!(matches!(err, RedisError::Connect(_)), "{err:?}");
    let message = format!("{err} {err:?}");
    assert!(!message.contains("s3cret-pw"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_refused_login_is_reported_without_the_password() {
    // The test server has no password, so it refuses any.
    let url = format!("redis://:s3cret-pw@127.0.0.1:{}/0", server().port());

    let err = RedisStore::connect(&settings(url, "authd:".to_owned()), Arc::new(SystemClock))
        .await
        .expect_err("the server has no password to check");

    assert!(matches!(err, RedisError::Connect(_)), "{err:?}");
    let message = format!("{err} {err:?}");
    assert!(!message.contains("s3cret-pw"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn settings_that_cannot_work_are_refused_and_the_url_never_shows_in_debug() {
    let mut s = settings(
        "redis://:s3cret-pw@127.0.0.1:1/".to_owned(),
        "authd:".to_owned(),
    );
    assert!(!format!("{s:?}").contains("s3cret-pw"));
    s.pool_max = 0;
    assert!(matches!(
        RedisStore::connect(&s, Arc::new(SystemClock)).await,
        Err(RedisError::InvalidSettings(_))
    ));
    s.pool_max = 1;
    s.command_timeout = Duration::ZERO;
    assert!(matches!(
        RedisStore::connect(&s, Arc::new(SystemClock)).await,
        Err(RedisError::InvalidSettings(_))
    ));
    s.command_timeout = Duration::from_secs(1);
    s.topology = RedisTopology::Server {
        url: "http://:s3cret-pw@127.0.0.1/".to_owned(),
    };
    match RedisStore::connect(&s, Arc::new(SystemClock)).await {
        Err(e @ RedisError::InvalidUrl(_)) => assert!(!e.to_string().contains("s3cret-pw")),
        other => panic!("a non-Redis URL must be refused, got {other:?}"),
    }
}
