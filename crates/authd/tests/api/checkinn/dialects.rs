//! One account store, one lockout, one set of sessions and one set of rate-limit buckets behind
//! both dialects: what one does, the other sees.

use super::client::{
    CHECKINN, Guest, LOCKED, PASSWORD, Session, WRONG_PASSWORD, assert_ci_access_revoked,
    assert_ci_refresh_dead, spawn_checkinn_app, string,
};
use crate::helpers::{
    Backend, Reply, TestApp, TestUser, assert_access_revoked, assert_refresh_dead, backends,
    spawn_app_with, spawn_production_app,
};
use rstest_reuse::apply;
use serde_json::json;

#[apply(backends)]
async fn registered_through_api_auth_it_logs_in_through_v1_once_verified(backend: Backend) {
    let app = spawn_checkinn_app(backend).await;
    let guest = Guest::random();
    let session = app.ci_register(&guest).await;
    app.login_reply(&guest.credentials())
        .await
        .error(401, "EMAIL_NOT_VERIFIED");

    app.ci_verify_by_mail(&guest.email).await.ci_ok(200);

    let reply = app.login_reply(&guest.credentials()).await;
    let data = reply.ok(200);
    assert_eq!(data["user"]["id"], session.id());
    assert_eq!(data["user"]["emailVerified"], true);
}

#[apply(backends)]
async fn registered_through_v1_it_logs_in_through_api_auth(backend: Backend) {
    let app = spawn_checkinn_app(backend).await;
    let mut user = TestUser::random();
    user.password = PASSWORD.into();
    let id = app.register(&user.registration_body()).await.ok(201)["userId"].clone();

    let pending = app.ci_login_reply(&user.email, PASSWORD).await;

    let session = Session::of(&pending, 200);
    assert_eq!(session.user["id"], id);
    assert_eq!(session.user["name"], "Ada Lovelace");
    assert_eq!(session.user["isEmailVerified"], false);
    let token = app
        .token_from_mail(crate::helpers::MailKind::Verification, &user.email)
        .await;
    app.verify_email(&token).await.ok(200);
    let verified = Session::of(&app.ci_login_reply(&user.email, PASSWORD).await, 200);
    assert_eq!(verified.user["isEmailVerified"], true);
    app.login(&user).await;
}

async fn ci_wrong(app: &TestApp, email: &str) -> Reply {
    app.ci_login_reply(email, WRONG_PASSWORD).await
}

async fn v1_wrong(app: &TestApp, email: &str) -> Reply {
    app.login_reply(&json!({"email": email, "password": WRONG_PASSWORD}))
        .await
}

/// A verified CheckInn account (so that `/v1` reaches its lockout check, not its
/// verification rule).
async fn verified_guest(app: &TestApp) -> Guest {
    let guest = Guest::random();
    app.ci_register(&guest).await;
    app.ci_verify_by_mail(&guest.email).await.ci_ok(200);
    guest
}

fn assert_ci_locked(reply: &Reply) {
    reply.ci_error(423, "ACCOUNT_LOCKED");
    assert_eq!(reply.body["message"], LOCKED, "{reply:#?}");
    let retry_after = reply.body["retryAfter"]
        .as_u64()
        .expect("retryAfter seconds");
    assert!((1..=30 * 60).contains(&retry_after), "{retry_after}");
    let header: u64 = reply
        .header("retry-after")
        .expect("a Retry-After header")
        .parse()
        .expect("Retry-After in seconds");
    assert!(
        header.abs_diff(retry_after) <= 1,
        "{header} vs {retry_after}"
    );
}

#[apply(backends)]
async fn a_lockout_made_through_api_auth_holds_on_v1(backend: Backend) {
    let app = spawn_checkinn_app(backend).await;
    let guest = verified_guest(&app).await;

    for _ in 0..4 {
        ci_wrong(&app, &guest.email)
            .await
            .ci_error(401, "INVALID_CREDENTIALS");
    }
    assert_ci_locked(&ci_wrong(&app, &guest.email).await);

    app.login_reply(&guest.credentials())
        .await
        .error(423, "ACCOUNT_LOCKED");
    assert_ci_locked(&app.ci_login_reply(&guest.email, PASSWORD).await);
}

#[apply(backends)]
async fn a_lockout_made_through_v1_holds_on_api_auth(backend: Backend) {
    let app = spawn_checkinn_app(backend).await;
    let guest = verified_guest(&app).await;

    for _ in 0..5 {
        v1_wrong(&app, &guest.email).await;
    }

    assert_ci_locked(&app.ci_login_reply(&guest.email, PASSWORD).await);
}

#[apply(backends)]
async fn failures_through_both_dialects_count_towards_one_lockout(backend: Backend) {
    let app = spawn_checkinn_app(backend).await;
    let guest = verified_guest(&app).await;

    for _ in 0..2 {
        ci_wrong(&app, &guest.email)
            .await
            .ci_error(401, "INVALID_CREDENTIALS");
        v1_wrong(&app, &guest.email)
            .await
            .error(401, "INVALID_CREDENTIALS");
    }

    assert_ci_locked(&ci_wrong(&app, &guest.email).await);
}

#[apply(backends)]
async fn a_logout_through_api_auth_revokes_on_v1(backend: Backend) {
    let app = spawn_checkinn_app(backend).await;
    let session = app.ci_register(&Guest::random()).await;

    app.ci_logout(&session.token, &session.refresh_token)
        .await
        .ci_ok(200);

    assert_access_revoked(&app, &session.token).await;
    assert_refresh_dead(&app, &session.refresh_token).await;
}

#[apply(backends)]
async fn a_logout_through_v1_revokes_on_api_auth(backend: Backend) {
    let app = spawn_checkinn_app(backend).await;
    let guest = verified_guest(&app).await;
    let reply = app.login_reply(&guest.credentials()).await;
    let access = reply.ok(200)["accessToken"].as_str().unwrap().to_owned();
    let refresh = reply.ok(200)["refreshToken"].as_str().unwrap().to_owned();

    app.logout(&access, &json!({})).await.ok(200);

    assert_ci_access_revoked(&app, &access).await;
    assert_ci_refresh_dead(&app, &refresh).await;
}

/// Spends a login bucket of 4 with two logins through each dialect; the fifth, through
/// either, is refused in that dialect's envelope.
async fn assert_one_login_bucket(app: &TestApp) {
    let guest = verified_guest(app).await;
    for _ in 0..2 {
        app.ci_login(&guest).await;
        app.login_reply(&guest.credentials()).await.ok(200);
    }

    let checkinn = app.ci_login_reply(&guest.email, PASSWORD).await;
    let v1 = app.login_reply(&guest.credentials()).await;

    checkinn.ci_error(429, "RATE_LIMIT_EXCEEDED");
    assert!(checkinn.header("retry-after").is_some(), "{checkinn:#?}");
    v1.error(429, "RATE_LIMIT_EXCEEDED");
}

const LOGIN_BUCKET_OF_4: [(&str, &str); 3] = [
    ("RATE_LIMIT_ENABLED", "true"),
    ("AUTH_RATE_LIMIT_MAX", "4"),
    ("REGISTER_RATE_LIMIT_MAX", "100"),
];

#[tokio::test]
async fn the_login_rate_limit_counts_both_dialects_in_memory() {
    let mut vars = CHECKINN.to_vec();
    vars.extend_from_slice(&LOGIN_BUCKET_OF_4);
    let app = spawn_app_with(Backend::Memory, &vars).await;

    assert_one_login_bucket(&app).await;
}

#[tokio::test]
async fn the_login_rate_limit_counts_both_dialects_over_postgres_and_redis() {
    let mut vars = CHECKINN.to_vec();
    vars.extend_from_slice(&LOGIN_BUCKET_OF_4);
    let app = spawn_production_app(&vars).await;

    assert_one_login_bucket(&app).await;
}

#[apply(backends)]
async fn an_mfa_login_through_api_auth_finishes_at_v1_mfa_verify(backend: Backend) {
    let app = crate::helpers::spawn_app(backend).await;
    let mfa = app.mfa_user().await;

    let challenge = app
        .ci_login_reply(&mfa.user.email, &mfa.user.password)
        .await;

    challenge.ci_error(401, "MFA_REQUIRED");
    let data = &challenge.body["data"];
    assert!(
        data["methods"]
            .as_array()
            .is_some_and(|m| m.contains(&json!("totp"))),
        "{challenge:#?}"
    );
    let code = mfa.setup.authenticator.code(0).await;
    let verified = app.mfa_verify(&string(&data["mfaToken"]), &code).await;
    let access = string(&verified.ok(200)["accessToken"]);
    assert_eq!(app.ci_user(&access).await["email"], mfa.user.email);
}
