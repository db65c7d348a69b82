//! The three properties both topologies must keep across two instances, and how to wait out
//! the 503 of a Redis that is switching masters.

use crate::helpers::{Reply, TestApp, TestUser, assert_access_revoked};
use std::time::Duration;

/// `AUTH_RATE_LIMIT_MAX` of these tests: room for the successful logins the test makes too.
const LOGIN_LIMIT: usize = 8;
const LOGIN_LIMIT_TEXT: &str = "8";

/// The variables on top of the production setup's: one Redis topology instead of `REDIS_URL`
/// (an empty value is unset), a short reuse grace, and general limits the polling never hits.
pub fn overrides() -> Vec<(&'static str, &'static str)> {
    vec![
        ("REDIS_URL", ""),
        ("REFRESH_REUSE_GRACE", "1s"),
        ("AUTH_RATE_LIMIT_MAX", LOGIN_LIMIT_TEXT),
        ("RATE_LIMIT_MAX", "100000"),
    ]
}

/// Verified users for the checks, registered before any of them (3 registrations is the
/// limit per address and hour).
pub struct Users {
    /// Logged in before a failover, if there is one.
    pub early: TestUser,
    pub logging_out: TestUser,
    pub reusing: TestUser,
}

impl Users {
    pub async fn register(a: &TestApp, b: &TestApp) -> Self {
        Self {
            early: a.verified_user().await,
            logging_out: b.verified_user().await,
            reusing: a.verified_user().await,
        }
    }
}

/// `request` again while it answers 503 (Redis switching masters), for up to `within`; any
/// other 5xx fails the test.
pub async fn settled<F, Fut>(request: F, within: Duration) -> Reply
where
    F: Fn() -> Fut,
    Fut: Future<Output = Reply>,
{
    let started = tokio::time::Instant::now();
    loop {
        let reply = request().await;
        assert!(
            reply.status < 500 || reply.status == 503,
            "only 503 may tell of a Redis failover: {reply:#?}"
        );
        if reply.status != 503 || started.elapsed() >= within {
            return reply;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

const PATIENCE: Duration = Duration::from_secs(15);

/// `/v1/health` reports Redis healthy within [`PATIENCE`] (its answer is cached for a moment,
/// so right after a failover it may still tell of the outage).
pub async fn assert_redis_healthy(node: &TestApp) {
    let started = tokio::time::Instant::now();
    loop {
        let health = node.get("/v1/health").await;
        if health.body["services"]["redis"] == "healthy" {
            return;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "Redis is not healthy: {health:#?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A logout on A denies the access token on B; a refresh token rotated on A and reused on B
/// after the grace revokes the session; and the login limit counts on both together.
/// `logins_so_far`: the logins already made from this address within the window.
pub async fn limits_and_revocations_hold(
    a: &TestApp,
    b: &TestApp,
    users: &Users,
    logins_so_far: usize,
) {
    for node in [a, b] {
        assert_redis_healthy(node).await;
    }

    // The denylist.
    let credentials = users.logging_out.credentials();
    let login = settled(|| b.login_reply(&credentials), PATIENCE).await;
    let token = login.ok(200)["accessToken"].as_str().unwrap().to_owned();
    settled(|| b.me(&token), PATIENCE).await.ok(200);
    let this_device = serde_json::json!({});
    settled(|| a.logout(&token, &this_device), PATIENCE)
        .await
        .ok(200);
    assert_access_revoked(b, &token).await;

    // Reuse detection.
    let credentials = users.reusing.credentials();
    let login = settled(|| a.login_reply(&credentials), PATIENCE).await;
    let data = login.ok(200);
    let (access, refresh) = (
        data["accessToken"].as_str().unwrap().to_owned(),
        data["refreshToken"].as_str().unwrap().to_owned(),
    );
    let rotated = settled(|| a.refresh(&refresh), PATIENCE).await;
    let successor = rotated.ok(200)["refreshToken"].as_str().unwrap().to_owned();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    settled(|| b.refresh(&refresh), PATIENCE)
        .await
        .error(401, "TOKEN_REVOKED");
    let reply = settled(|| a.refresh(&successor), PATIENCE).await;
    assert_eq!(reply.status, 401, "the session lives on: {reply:#?}");
    assert_access_revoked(b, &access).await;

    // The login limit, over both instances: two logins above, and `logins_so_far`.
    let mut allowed = logins_so_far + 2;
    let mut turn = 0;
    loop {
        let node = if turn % 2 == 0 { a } else { b };
        turn += 1;
        let stranger = TestUser::random().credentials();
        let reply = settled(|| node.login_reply(&stranger), PATIENCE).await;
        match reply.status {
            401 => allowed += 1,
            429 => break,
            _ => panic!("a failed login answers 401 or 429: {reply:#?}"),
        }
        assert!(allowed <= LOGIN_LIMIT, "{allowed} logins allowed");
    }
    assert_eq!(allowed, LOGIN_LIMIT, "the instances counted apart");
    for node in [a, b] {
        let reply = node.login_reply(&TestUser::random().credentials()).await;
        reply.error(429, "RATE_LIMIT_EXCEEDED");
    }
}
