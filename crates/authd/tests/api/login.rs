//! `POST /v1/auth/login`: answers, the refresh cookie, and credentials errors.

use crate::helpers::{Backend, backends};
use crate::helpers::{Reply, TestUser, spawn_app};
use rstest_reuse::apply;
use serde_json::{Value, json};

#[apply(backends)]
async fn login_before_email_verification_answers_email_not_verified(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.registered_user().await;

    let reply = app.login_reply(&user.credentials()).await;

    reply.error(401, "EMAIL_NOT_VERIFIED");
}

#[apply(backends)]
async fn login_answers_tokens_and_the_user_with_roles_permissions_and_last_login(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;

    let reply = app.login_reply(&user.credentials()).await;

    let data = reply.ok(200);
    assert_eq!(reply.message(), "Login successful");
    assert_eq!(
        data["accessToken"]
            .as_str()
            .expect("accessToken")
            .split('.')
            .count(),
        3
    );
    assert!(data["refreshToken"].as_str().is_some_and(|t| t.len() >= 43));
    assert_eq!(data["expiresIn"], 900);
    assert_eq!(data["tokenType"], "Bearer");
    let u = &data["user"];
    assert_eq!(u["id"], user.id);
    assert_eq!(u["email"], user.email);
    assert_eq!(u["username"], user.username);
    assert_eq!(u["firstName"], "Ada");
    assert_eq!(u["lastName"], "Lovelace");
    assert_eq!(u["status"], "active");
    assert_eq!(u["emailVerified"], true);
    assert_eq!(u["roles"], json!(["user"]));
    assert!(
        u["permissions"]
            .as_array()
            .is_some_and(|p| p.contains(&json!("users.read"))),
        "{u}"
    );
    assert!(
        u["lastLogin"].is_string(),
        "lastLogin is this login's time: {u}"
    );
}

#[apply(backends)]
async fn login_sets_an_http_only_strict_session_cookie_scoped_to_the_auth_path(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;

    let reply = app.login_reply(&user.credentials()).await;

    let data = reply.ok(200);
    let cookie = reply
        .cookie("refresh_token")
        .expect("a refresh_token cookie");
    assert_eq!(cookie.value, data["refreshToken"].as_str().unwrap());
    assert!(cookie.has("httponly"), "{cookie:?}");
    assert_eq!(cookie.attribute("samesite"), Some("Strict"), "{cookie:?}");
    assert_eq!(cookie.attribute("path"), Some("/v1/auth"), "{cookie:?}");
    assert!(
        !cookie.has("secure"),
        "no Secure flag over plain http: {cookie:?}"
    );
    assert!(
        !cookie.has("max-age") && !cookie.has("expires"),
        "without rememberMe the cookie ends with the browser session: {cookie:?}"
    );
}

#[apply(backends)]
async fn remember_me_makes_the_cookie_last_seven_days(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;

    let reply = app
        .login_reply(&json!({"email": user.email, "password": user.password, "rememberMe": true}))
        .await;

    reply.ok(200);
    let cookie = reply
        .cookie("refresh_token")
        .expect("a refresh_token cookie");
    assert_eq!(cookie.attribute("max-age"), Some("604800"), "{cookie:?}");
}

#[apply(backends)]
async fn a_user_can_log_in_with_their_username(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;

    let reply = app
        .login_reply(&json!({"username": user.username, "password": user.password}))
        .await;

    assert_eq!(reply.ok(200)["user"]["id"], user.id);
}

#[apply(backends)]
async fn login_with_the_email_in_another_case_succeeds(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;

    let reply = app
        .login_reply(&json!({"email": user.email.to_uppercase(), "password": user.password}))
        .await;

    assert_eq!(reply.ok(200)["user"]["id"], user.id);
}

/// The body without the per-request fields.
fn comparable(reply: &Reply) -> Value {
    let mut body = reply.body.clone();
    let object = body.as_object_mut().expect("a JSON object");
    object.remove("timestamp");
    object.remove("requestId");
    body
}

#[apply(backends)]
async fn unknown_users_and_wrong_passwords_get_the_same_answer(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;

    let wrong_password = app
        .login_reply(&json!({"email": user.email, "password": "Wr0ng-Password!x"}))
        .await;
    let unknown_user = app
        .login_reply(&json!({"email": TestUser::random().email, "password": "Wr0ng-Password!x"}))
        .await;

    wrong_password.error(401, "INVALID_CREDENTIALS");
    unknown_user.error(401, "INVALID_CREDENTIALS");
    assert_eq!(comparable(&wrong_password), comparable(&unknown_user));
}

#[apply(backends)]
async fn login_without_a_password_or_an_identifier_answers_missing_credentials(backend: Backend) {
    let app = spawn_app(backend).await;

    for body in [
        json!({"email": "someone@example.com"}),
        json!({"password": "Whatever-123!"}),
        json!({}),
        json!({"email": "", "password": ""}),
    ] {
        app.login_reply(&body)
            .await
            .error(400, "MISSING_CREDENTIALS");
    }
}
