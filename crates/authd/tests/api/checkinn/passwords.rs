//! `POST /api/auth/forgot-password` and `PATCH /api/auth/reset-password/:token` with the
//! document's `{password, passwordConfirm}`.

use super::client::{
    Guest, NEW_PASSWORD, PASSWORD, assert_ci_access_revoked, spawn_checkinn_app,
    spawn_checkinn_app_with,
};
use crate::helpers::{Backend, MailKind, TestApp, backends};
use rstest_reuse::apply;
use serde_json::{Value, json};

fn reset_body(password: &str, confirm: &str) -> Value {
    json!({"password": password, "passwordConfirm": confirm})
}

async fn reset(app: &TestApp, token: &str, body: &Value) -> crate::helpers::Reply {
    app.ci(
        reqwest::Method::PATCH,
        &format!("/reset-password/{token}"),
        None,
        Some(body),
    )
    .await
}

#[apply(backends)]
async fn the_mailed_reset_token_sets_a_new_password_and_ends_every_session(backend: Backend) {
    let app = spawn_checkinn_app(backend).await;
    let guest = Guest::random();
    let session = app.ci_register(&guest).await;

    let forgot = app
        .ci_post("/forgot-password", &json!({"email": guest.email}))
        .await;
    forgot.ci_ok(200);
    let token = app
        .token_from_mail(MailKind::PasswordReset, &guest.email)
        .await;
    let reply = reset(&app, &token, &reset_body(NEW_PASSWORD, NEW_PASSWORD)).await;

    reply.ci_ok(200);
    assert!(reply.body["message"].is_string(), "{reply:#?}");
    assert_ci_access_revoked(&app, &session.token).await;
    app.ci_login_reply(&guest.email, PASSWORD)
        .await
        .ci_error(401, "INVALID_CREDENTIALS");
    app.ci_login_reply(&guest.email, NEW_PASSWORD)
        .await
        .ci_ok(200);
    // Single use.
    reset(&app, &token, &reset_body("AgainPass123!", "AgainPass123!"))
        .await
        .ci_error(404, "INVALID_TOKEN");
}

#[apply(backends)]
async fn forgot_password_answers_alike_for_an_unknown_email_and_mails_nothing(backend: Backend) {
    let app = spawn_checkinn_app(backend).await;
    let guest = Guest::random();
    app.ci_register(&guest).await;

    let known = app
        .ci_post("/forgot-password", &json!({"email": guest.email}))
        .await;
    let unknown = app
        .ci_post("/forgot-password", &json!({"email": "nobody@example.com"}))
        .await;

    known.ci_ok(200);
    assert_eq!(known.body, unknown.body, "no account enumeration");
    app.wait_for_mail(MailKind::PasswordReset, &guest.email)
        .await;
    app.assert_mail_count(MailKind::PasswordReset, "nobody@example.com", 0)
        .await;
}

#[apply(backends)]
async fn a_reset_with_a_mismatch_or_a_weak_password_keeps_the_token_and_the_password(
    backend: Backend,
) {
    let app = spawn_checkinn_app_with(backend, &[("MAIL_COOLDOWN", "0")]).await;
    let guest = Guest::random();
    app.ci_register(&guest).await;
    app.ci_post("/forgot-password", &json!({"email": guest.email}))
        .await
        .ci_ok(200);
    let token = app
        .token_from_mail(MailKind::PasswordReset, &guest.email)
        .await;

    let mismatch = reset(&app, &token, &reset_body(NEW_PASSWORD, "NewSecurePass123?")).await;
    let weak = reset(&app, &token, &reset_body("newsecurepass", "newsecurepass")).await;
    let missing = reset(&app, &token, &json!({"password": NEW_PASSWORD})).await;

    let errors = mismatch.ci_field_errors("Validation failed");
    assert!(
        errors.contains(&("passwordConfirm".into(), "Passwords do not match".into())),
        "{errors:?}"
    );
    assert!(
        weak.ci_fields("Validation failed").contains("password"),
        "{weak:#?}"
    );
    assert!(
        missing
            .ci_fields("Validation failed")
            .contains("passwordConfirm"),
        "{missing:#?}"
    );
    app.ci_login(&guest).await;
    reset(&app, &token, &reset_body(NEW_PASSWORD, NEW_PASSWORD))
        .await
        .ci_ok(200);
}

#[apply(backends)]
async fn an_unknown_reset_token_answers_invalid_token(backend: Backend) {
    let app = spawn_checkinn_app(backend).await;

    let reply = reset(
        &app,
        "bm90LWEtcmVhbC10b2tlbi1hdC1hbGwtanVzdC1nYXJiYWdl",
        &reset_body(NEW_PASSWORD, NEW_PASSWORD),
    )
    .await;

    reply.ci_error(404, "INVALID_TOKEN");
}
