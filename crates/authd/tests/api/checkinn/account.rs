//! `DELETE /api/auth/delete-me`: the bearer token alone deactivates the account (the document's
//! contract); a `{password}` body, when sent, is checked as `/v1` checks it.

use super::client::{
    Guest, WRONG_PASSWORD, assert_ci_access_revoked, assert_ci_refresh_dead, spawn_checkinn_app,
    spawn_checkinn_app_with,
};
use crate::helpers::{Backend, backends};
use reqwest::Method;
use rstest_reuse::apply;
use serde_json::json;

#[apply(backends)]
async fn delete_me_with_the_bearer_alone_deactivates_the_account(backend: Backend) {
    let app = spawn_checkinn_app(backend).await;
    let guest = Guest::random();
    let here = app.ci_register(&guest).await;
    let elsewhere = app.ci_login(&guest).await;

    let reply = app.ci_delete_me(&here.token).await;

    reply.ci_ok(200);
    assert!(reply.body["message"].is_string(), "{reply:#?}");
    let cookie = reply
        .cookie("refresh_token")
        .expect("the cookie is cleared");
    assert!(cookie.is_removal(), "{cookie:?}");
    for session in [&here, &elsewhere] {
        assert_ci_access_revoked(&app, &session.token).await;
        assert_ci_refresh_dead(&app, &session.refresh_token).await;
    }
    app.ci_login_reply(&guest.email, &guest.password)
        .await
        .ci_error(403, "ACCOUNT_DELETED");
    app.login_reply(&guest.credentials())
        .await
        .error(403, "ACCOUNT_DELETED");
}

#[apply(backends)]
async fn delete_me_with_a_wrong_password_in_the_body_deletes_nothing(backend: Backend) {
    let app = spawn_checkinn_app(backend).await;
    let guest = Guest::random();
    let session = app.ci_register(&guest).await;

    let wrong = app
        .ci(
            Method::DELETE,
            "/delete-me",
            Some(&session.token),
            Some(&json!({ "password": WRONG_PASSWORD })),
        )
        .await;

    wrong.ci_error(401, "INVALID_CREDENTIALS");
    app.ci_me(&session.token).await.ci_ok(200);
    let right = app
        .ci(
            Method::DELETE,
            "/delete-me",
            Some(&session.token),
            Some(&json!({ "password": guest.password })),
        )
        .await;
    right.ci_ok(200);
    app.ci_login_reply(&guest.email, &guest.password)
        .await
        .ci_error(403, "ACCOUNT_DELETED");
}

#[apply(backends)]
async fn delete_me_requires_the_bearer_token(backend: Backend) {
    let app = spawn_checkinn_app(backend).await;
    let guest = Guest::random();
    app.ci_register(&guest).await;

    let reply = app
        .send(app.client.delete(app.url("/api/auth/delete-me")))
        .await;

    reply.ci_auth_required("MISSING_AUTH_HEADER");
    app.ci_login(&guest).await;
}

/// `CHECKINN_DELETE_ME_REQUIRES_PASSWORD=true`: the bearer token alone no longer deletes; the
/// password does, as on `/v1`.
#[apply(backends)]
async fn delete_me_can_be_made_to_require_the_password(backend: Backend) {
    let app =
        spawn_checkinn_app_with(backend, &[("CHECKINN_DELETE_ME_REQUIRES_PASSWORD", "true")]).await;
    let guest = Guest::random();
    let session = app.ci_register(&guest).await;

    let bare = app.ci_delete_me(&session.token).await;

    bare.ci_error(400, "VALIDATION_ERROR");
    assert!(
        bare.ci_fields("Validation failed").contains("password"),
        "{bare:#?}"
    );
    app.ci_me(&session.token).await.ci_ok(200);
    app.ci(
        Method::DELETE,
        "/delete-me",
        Some(&session.token),
        Some(&json!({ "password": guest.password })),
    )
    .await
    .ci_ok(200);
    assert_ci_access_revoked(&app, &session.token).await;
}
