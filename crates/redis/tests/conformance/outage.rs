//! A server that is stopped or hangs makes every call fail as unavailable within the command
//! timeout, and every call succeeds again once it is back. Each test runs on a server of its
//! own: stopping the shared one would fail the checks running beside it.

use super::failure_spread::SPREAD;
use super::{connect, settings};
use authd_domain::error::PortError;
use authd_domain::ids::{SessionId, TokenId, UserId};
use authd_domain::policy::rate_limit::RateLimit;
use authd_domain::ports::{FailureSpread, RateLimiter, TokenDenylist};
use authd_redis::RedisStore;
use authd_testkit::fixtures;
use authd_testkit::redis::RedisServer;
use chrono::Utc;
use std::pin::Pin;
use std::time::Duration;

const OUTAGE_TIMEOUT: Duration = Duration::from_millis(300);
/// Room for a loaded machine on top of the command timeout.
const MARGIN: Duration = Duration::from_millis(700);

type PortCall<'a> = Pin<Box<dyn Future<Output = Result<(), PortError>> + Send + 'a>>;

/// Every port call once, each of which must fail as unavailable within the command timeout.
async fn assert_every_call_is_unavailable(s: &RedisStore) {
    let claims = fixtures::access_claims(UserId::new(), SessionId::new(), Utc::now());
    let until = Utc::now() + chrono::Duration::hours(1);
    let limit = RateLimit::new(5, chrono::Duration::minutes(1));
    let sessions = [claims.session_id];
    let calls: Vec<(&str, PortCall<'_>)> = vec![
        (
            "is_denied",
            Box::pin(async { s.is_denied(&claims).await.map(drop) }),
        ),
        (
            "deny_token",
            Box::pin(s.deny_token(claims.user_id, TokenId::new(), until)),
        ),
        (
            "deny_sessions",
            Box::pin(s.deny_sessions(claims.user_id, &sessions, until)),
        ),
        (
            "deny_user_before",
            Box::pin(s.deny_user_before(claims.user_id, Utc::now(), until)),
        ),
        (
            "hit",
            Box::pin(async { s.hit("login:10.0.0.9", limit).await.map(drop) }),
        ),
        (
            "record",
            Box::pin(async {
                s.record("10.0.0.9", "t", SPREAD, Utc::now())
                    .await
                    .map(drop)
            }),
        ),
    ];
    for (name, call) in calls {
        let started = tokio::time::Instant::now();
        let result = tokio::time::timeout(Duration::from_secs(10), call)
            .await
            .unwrap_or_else(|_| panic!("{name} hangs"));
        let took = started.elapsed();
        assert!(
            matches!(result, Err(PortError::Unavailable(_))),
            "{name} must be unavailable, got {result:?}"
        );
        assert!(took < OUTAGE_TIMEOUT + MARGIN, "{name} took {took:?}");
    }
    let started = tokio::time::Instant::now();
    assert!(!s.ping().await, "ping answers while the server is out");
    assert!(
        started.elapsed() < OUTAGE_TIMEOUT + MARGIN,
        "ping took {:?}",
        started.elapsed()
    );
}

/// Every port call once, each of which must succeed.
async fn assert_every_call_succeeds(s: &RedisStore) {
    let claims = fixtures::access_claims(UserId::new(), SessionId::new(), Utc::now());
    let until = Utc::now() + chrono::Duration::hours(1);
    assert!(!s.is_denied(&claims).await.unwrap());
    s.deny_token(claims.user_id, claims.token_id, until)
        .await
        .unwrap();
    s.deny_sessions(claims.user_id, &[SessionId::new()], until)
        .await
        .unwrap();
    s.deny_user_before(UserId::new(), Utc::now(), until)
        .await
        .unwrap();
    assert!(s.is_denied(&claims).await.unwrap());
    let limit = RateLimit::new(5, chrono::Duration::minutes(1));
    assert!(s.hit("login:10.0.0.10", limit).await.unwrap().allowed);
    assert!(
        !s.record("10.0.0.10", "t", SPREAD, Utc::now())
            .await
            .unwrap()
    );
    assert!(s.ping().await);
}

/// On a server of its own: stopping the shared one would fail the checks running beside it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stopped_server_makes_every_call_unavailable_until_it_is_back() {
    let redis = RedisServer::start_new();
    let mut config = settings(redis.url(), RedisServer::unique_prefix());
    config.command_timeout = OUTAGE_TIMEOUT;
    let s = connect(&config).await;
    assert_every_call_succeeds(&s).await;

    redis.stop();
    assert_every_call_is_unavailable(&s).await;
    assert_every_call_is_unavailable(&s).await;

    redis.start();
    assert_every_call_succeeds(&s).await;
}

/// A server that accepts connections but never answers: the timeout alone ends each call.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hung_server_makes_every_call_unavailable_within_the_timeout_until_it_answers() {
    let redis = RedisServer::start_new();
    let mut config = settings(redis.url(), RedisServer::unique_prefix());
    config.command_timeout = OUTAGE_TIMEOUT;
    let s = connect(&config).await;
    assert_every_call_succeeds(&s).await;

    redis.freeze();
    assert_every_call_is_unavailable(&s).await;
    assert_every_call_is_unavailable(&s).await;

    redis.thaw();
    assert_every_call_succeeds(&s).await;
}
