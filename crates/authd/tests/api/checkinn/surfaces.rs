//! `API_DIALECTS`: either surface off is not served at all (404), the admin API, health and keys
//! stay; and the routing errors under `/api/auth` come in the CheckInn envelope.

use super::client::{CHECKINN, Guest, Session, spawn_checkinn_app};
use crate::helpers::{Backend, backends, bootstrap_admin, spawn_app_with};
use rstest_reuse::apply;
use serde_json::json;

#[apply(backends)]
async fn with_perfect21_alone_the_checkinn_routes_are_not_served(backend: Backend) {
    let mut vars = CHECKINN.to_vec();
    vars.push(("API_DIALECTS", "perfect21"));
    let app = spawn_app_with(backend, &vars).await;
    let guest = Guest::random();

    let login = app.ci_login_reply(&guest.email, &guest.password).await;
    let register = app.ci_post("/register", &guest.body()).await;

    assert_eq!(login.status, 404, "{login:#?}");
    assert_eq!(register.status, 404, "{register:#?}");
    app.registered_user().await;
}

#[apply(backends)]
async fn with_checkinn_alone_v1_auth_and_users_are_gone_but_the_admin_api_stays(backend: Backend) {
    let admin = bootstrap_admin();
    let vars = [
        ("BOOTSTRAP_ADMIN_EMAIL", admin.email.as_str()),
        ("BOOTSTRAP_ADMIN_PASSWORD", admin.password.as_str()),
        ("BOOTSTRAP_ADMIN_USERNAME", admin.username.as_str()),
        ("API_DIALECTS", "checkinn"),
    ];
    let app = spawn_app_with(backend, &vars).await;

    let v1_login = app.login_reply(&admin.credentials()).await;
    let checkinn_login = app.ci_login_reply(&admin.email, &admin.password).await;

    v1_login.error(404, "NOT_FOUND");
    let session = Session::of(&checkinn_login, 200);
    app.me(&session.token).await.error(404, "NOT_FOUND");
    let users = app.get_authed("/v1/admin/users", &session.token).await;
    users.ok(200);
    assert_eq!(app.get("/health/live").await.status, 200);
    assert_eq!(app.get("/.well-known/jwks.json").await.status, 200);
}

#[apply(backends)]
async fn routing_errors_under_api_auth_come_in_the_checkinn_envelope(backend: Backend) {
    let app = spawn_checkinn_app(backend).await;

    let unknown = app.ci_post("/no-such-route", &json!({})).await;
    let wrong_method = app.send(app.client.get(app.url("/api/auth/login"))).await;
    let too_large = app
        .ci_post(
            "/login",
            &json!({"email": "a".repeat(1 << 20), "password": "x"}),
        )
        .await;

    unknown.ci_error(404, "NOT_FOUND");
    wrong_method.ci_error(405, "METHOD_NOT_ALLOWED");
    too_large.ci_error(413, "PAYLOAD_TOO_LARGE");
}
