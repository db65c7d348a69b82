//! Losing Redis under load (docs/redis.md): no request hangs, none answers 500; requests that
//! need the denylist answer 503 (a revoked token is never accepted), rate limits fall back to
//! per-instance counts, and everything returns to normal by itself once Redis is back.

use crate::helpers::{LoggedIn, Production, Reply, TestApp, TestUser, header};
use authd_testkit::redis::RedisServer;
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Far above `REDIS_TIMEOUT` (200 ms here), far below a client's patience.
const BOUND: Duration = Duration::from_secs(3);

/// What one request of the load answered.
#[derive(Debug)]
struct Outcome {
    what: &'static str,
    status: u16,
    elapsed: Duration,
}

/// A request, timed; `None` status when it did not answer within twice the bound.
async fn timed(what: &'static str, request: impl Future<Output = Reply>) -> Outcome {
    let started = Instant::now();
    let status = tokio::time::timeout(BOUND * 2, request)
        .await
        .map_or(0, |reply| reply.status);
    Outcome {
        what,
        status,
        elapsed: started.elapsed(),
    }
}

/// Requests of every kind, in a loop until `stop`: authenticated with a valid and with a revoked
/// token, logins, registrations, health.
async fn load(
    app: Arc<TestApp>,
    valid: String,
    revoked: String,
    stop: Arc<AtomicBool>,
) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    while !stop.load(Ordering::SeqCst) {
        let stranger = TestUser::random();
        outcomes.push(timed("me (valid token)", app.me(&valid)).await);
        outcomes.push(timed("me (revoked token)", app.me(&revoked)).await);
        // Each from an address of its own: the login limit is asserted on its own below.
        let login = app
            .client
            .post(app.url("/v1/auth/login"))
            .headers(header("x-forwarded-for", &random_address()))
            .json(&stranger.credentials());
        outcomes.push(timed("login", app.send(login)).await);
        outcomes.push(timed("register", app.register(&stranger.registration_body())).await);
        outcomes.push(timed("health", app.get("/v1/health")).await);
    }
    outcomes
}

fn random_address() -> String {
    let bytes = uuid::Uuid::new_v4().into_bytes();
    format!("10.{}.{}.{}", bytes[0], bytes[1], bytes[2])
}

async fn stop_redis(redis: &Arc<RedisServer>) {
    let redis = redis.clone();
    tokio::task::spawn_blocking(move || redis.stop())
        .await
        .expect("stop Redis");
}

async fn start_redis(redis: &Arc<RedisServer>) {
    let redis = redis.clone();
    tokio::task::spawn_blocking(move || redis.start())
        .await
        .expect("start Redis");
}

/// The login limit while Redis is down: this instance still counts, from a fresh address.
async fn assert_login_still_limited(app: &TestApp) {
    let mut statuses = Vec::new();
    for _ in 0..6 {
        // A new address each time, so that the lockout of one address (423 at the fifth
        // failure) does not stand in for the limit per IP.
        let stranger = TestUser::random();
        let reply = app
            .send(
                app.client
                    .post(app.url("/v1/auth/login"))
                    .headers(header("x-forwarded-for", "203.0.113.77"))
                    .json(&stranger.credentials()),
            )
            .await;
        statuses.push(reply.status);
    }
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429]);
}

/// Waits until a request with a valid token succeeds again.
async fn eventually_authenticated(app: &TestApp, login: &LoggedIn) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let reply = app.me(&login.access_token).await;
        if reply.status == 200 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "authd did not recover within 15 s of Redis's return: {reply:#?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn losing_redis_under_load_never_hangs_never_500s_and_never_accepts_a_revoked_token() {
    let redis = Arc::new(
        tokio::task::spawn_blocking(RedisServer::start_new)
            .await
            .expect("start a Redis server"),
    );
    let production = Production::shared().await.with_redis(redis.url());
    let app = Arc::new(
        production
            .spawn(&[
                ("REDIS_TIMEOUT", "200ms"),
                ("TRUSTED_PROXIES", "127.0.0.1"),
                ("RATE_LIMIT_MAX", "100000"),
                ("REGISTER_RATE_LIMIT_MAX", "100000"),
            ])
            .await,
    );
    let user = app.verified_user().await;
    let valid = app.login(&user).await;
    let revoked = app.login(&user).await;
    app.logout(&revoked.access_token, &json!({})).await.ok(200);
    app.me(&revoked.access_token)
        .await
        .error(401, "TOKEN_REVOKED");

    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..3)
        .map(|_| {
            tokio::spawn(load(
                app.clone(),
                valid.access_token.clone(),
                revoked.access_token.clone(),
                stop.clone(),
            ))
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;

    stop_redis(&redis).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;

    let me = app.me(&valid.access_token).await;
    me.error(503, "SERVICE_UNAVAILABLE");
    let me = app.me(&revoked.access_token).await;
    assert!(
        matches!(me.status, 401 | 503),
        "a revoked token while Redis is down: {me:#?}"
    );
    assert_login_still_limited(&app).await;
    let health = app.get("/v1/health").await;
    assert_eq!(health.status, 200, "{health:#?}");
    assert_eq!(health.body["status"], "DEGRADED", "{health:#?}");
    assert_eq!(health.body["services"]["redis"], "unhealthy", "{health:#?}");

    start_redis(&redis).await;
    eventually_authenticated(&app, &valid).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::SeqCst);
    let mut outcomes = Vec::new();
    for worker in workers {
        outcomes.extend(worker.await.expect("a load worker"));
    }

    assert!(
        outcomes.len() > 20,
        "too little load to mean anything: {}",
        outcomes.len()
    );
    for outcome in &outcomes {
        assert!(
            outcome.status != 0 && outcome.elapsed < BOUND,
            "a request hung or answered late: {outcome:?}"
        );
        assert!(
            (200..500).contains(&outcome.status) || outcome.status == 503,
            "only 2xx, 4xx and the documented 503: {outcome:?}"
        );
        if outcome.what == "me (revoked token)" {
            assert_ne!(
                outcome.status, 200,
                "a revoked token was accepted: {outcome:?}"
            );
        }
    }
    assert!(
        outcomes.iter().any(|o| o.status == 503),
        "the load did run while Redis was down"
    );

    app.me(&revoked.access_token)
        .await
        .error(401, "TOKEN_REVOKED");
    let health = app.get("/v1/health").await;
    assert_eq!(health.body["services"]["redis"], "healthy", "{health:#?}");
    let again = app.login(&user).await;
    app.logout(&again.access_token, &json!({})).await.ok(200);
    app.me(&again.access_token)
        .await
        .error(401, "TOKEN_REVOKED");
}
