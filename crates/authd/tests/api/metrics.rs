//! `GET /metrics`: what a Prometheus server scraping authd sees, and how the counters move with
//! the traffic a client sends.

use crate::helpers::{Backend, TestUser, backends, spawn_app, spawn_app_with};
use rstest_reuse::apply;
use serde_json::json;
use std::time::Duration;

const LOGINS_INVALID: &str = "authd_logins_total{outcome=\"invalid_credentials\"}";
const LOGINS_SUCCESS: &str = "authd_logins_total{outcome=\"success\"}";
const LOGINS_LOCKED: &str = "authd_logins_total{outcome=\"locked\"}";

fn requests(route: &str, method: &str, status: u16) -> String {
    format!(
        "authd_http_requests_total{{route=\"{route}\",method=\"{method}\",status=\"{status}\"}}"
    )
}

fn wrong_password(user: &TestUser) -> serde_json::Value {
    json!({"email": user.email, "password": "Wrong-Password-1!"})
}

#[apply(backends)]
async fn the_counters_move_as_the_traffic_says(backend: Backend) {
    let app = spawn_app_with(
        backend,
        &[
            ("REFRESH_REUSE_GRACE", "1s"),
            ("METRICS_SAMPLE_INTERVAL", "100ms"),
        ],
    )
    .await;
    let before = app.scrape().await;

    let user = app.verified_user().await;
    let login = app.login(&user).await;
    for _ in 0..3 {
        app.login_reply(&wrong_password(&user))
            .await
            .error(401, "INVALID_CREDENTIALS");
    }
    let locked = app.verified_user().await;
    for _ in 0..4 {
        app.login_reply(&wrong_password(&locked))
            .await
            .error(401, "INVALID_CREDENTIALS");
    }
    assert_eq!(app.login_reply(&wrong_password(&locked)).await.status, 423);
    app.me(&login.access_token).await.ok(200);
    app.me(&login.access_token).await.ok(200);
    let session = format!("/v1/users/me/sessions/{}", uuid::Uuid::new_v4());
    let revoke = app
        .client
        .delete(app.url(&session))
        .bearer_auth(&login.access_token);
    assert_eq!(app.send(revoke).await.status, 404);
    app.get("/v1/no-such-route").await.error(404, "NOT_FOUND");
    let rotated = app.refresh(&login.refresh_token).await;
    assert_eq!(rotated.status, 200);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    app.refresh(&login.refresh_token)
        .await
        .error(401, "TOKEN_REVOKED");
    // The reuse revoked the first session: this is the one live session.
    app.login(&user).await;

    let after = app
        .scrape_until("authd_emails_sent_total{kind=\"verify_email\"}", |n| {
            n >= 2.0
        })
        .await;
    let delta = |series: &str| after.value(series) - before.value(series);
    assert_eq!(delta(LOGINS_SUCCESS), 2.0, "{}", after.text);
    assert_eq!(delta(LOGINS_INVALID), 7.0, "{}", after.text);
    assert_eq!(delta(LOGINS_LOCKED), 1.0);
    assert_eq!(delta("authd_lockouts_total"), 1.0);
    assert_eq!(delta("authd_refreshes_total"), 1.0);
    assert_eq!(delta("authd_refresh_reuse_detected_total"), 1.0);
    assert_eq!(delta(&requests("/v1/users/me", "GET", 200)), 2.0);
    assert_eq!(
        delta(&requests(
            "/v1/users/me/sessions/{session_id}",
            "DELETE",
            404
        )),
        1.0,
        "the template, never the path: {}",
        after.text
    );
    assert_eq!(delta(&requests("unmatched", "GET", 404)), 1.0);
    assert_eq!(delta(&requests("/v1/auth/login", "POST", 423)), 1.0);
    assert!(
        !after.text.contains(&session) && !after.text.contains(&user.id),
        "no raw path or user id in a label"
    );
    assert_eq!(
        delta("authd_http_request_duration_seconds_count{route=\"/v1/users/me\",method=\"GET\"}"),
        2.0
    );
    assert!(after.value("authd_password_hash_duration_seconds_count") >= 10.0);
    assert_eq!(after.value("authd_password_hash_queue_depth"), 0.0);
    assert_eq!(
        after.value(&format!(
            "authd_build_info{{version=\"{}\"}}",
            env!("CARGO_PKG_VERSION")
        )),
        1.0
    );
    for family in [
        "process_resident_memory_bytes",
        "process_cpu_seconds_total",
        "process_open_fds",
        "process_start_time_seconds",
        "authd_outbox_messages",
    ] {
        assert!(
            after.has_family(family),
            "{family} missing:\n{}",
            after.text
        );
    }
    let pools = after.has_family("authd_pool_open_connections");
    assert_eq!(pools, backend == Backend::Postgres, "{}", after.text);

    // Sampled, so it may lag: the reused family is revoked, the last login's session is live.
    app.scrape_until("authd_active_sessions", |n| n == 1.0)
        .await;
    app.scrape_until("authd_backend_up{backend=\"database\"}", |n| n == 1.0)
        .await;
}

#[tokio::test]
async fn a_refusal_by_a_rate_limit_is_counted_under_its_group() {
    let app = spawn_app_with(
        Backend::Memory,
        &[("RATE_LIMIT_ENABLED", "true"), ("RATE_LIMIT_MAX", "2")],
    )
    .await;
    for _ in 0..2 {
        app.get("/v1/nowhere").await.error(404, "NOT_FOUND");
    }
    app.get("/v1/nowhere")
        .await
        .error(429, "RATE_LIMIT_EXCEEDED");

    // /metrics itself is exempt, or scraping a limited instance would fail.
    let scrape = app.scrape().await;
    assert_eq!(
        scrape.value("authd_rate_limited_requests_total{group=\"general\"}"),
        1.0
    );
    assert_eq!(
        scrape.value("authd_rate_limited_requests_total{group=\"login\"}"),
        0.0
    );
    assert_eq!(scrape.value(&requests("unmatched", "GET", 429)), 1.0);
}

#[tokio::test]
async fn with_a_token_only_a_scrape_bearing_it_is_answered() {
    let app = spawn_app_with(
        Backend::Memory,
        &[("METRICS_TOKEN", "scrape-s3cret-0123456789abcdef0123")],
    )
    .await;

    app.get("/metrics").await.error(401, "MISSING_AUTH_HEADER");
    let wrong = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth("scrape-s3cret-0123456789abcdef0124");
    app.send(wrong).await.error(401, "INVALID_TOKEN");
    let right = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth("scrape-s3cret-0123456789abcdef0123");
    let reply = app.send(right).await;
    assert_eq!(reply.status, 200);
    assert!(reply.text.contains("authd_build_info"));
}

#[tokio::test]
async fn with_metrics_disabled_the_path_is_an_unknown_one() {
    let app = spawn_app_with(Backend::Memory, &[("ENABLE_METRICS", "false")]).await;
    app.get("/metrics").await.error(404, "NOT_FOUND");
    app.verified_user().await;
}

#[tokio::test]
async fn the_default_app_serves_metrics() {
    let app = spawn_app(Backend::Memory).await;
    assert_eq!(app.get("/health/live").await.status, 200);
    let scrape = app.scrape().await;
    assert_eq!(scrape.value(&requests("/health/live", "GET", 200)), 1.0);
    assert_eq!(
        scrape.value(LOGINS_INVALID),
        0.0,
        "every outcome starts at zero"
    );
    assert!(scrape.text.contains(LOGINS_INVALID));
}
