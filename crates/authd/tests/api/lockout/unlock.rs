//! A lockout that strangers cannot turn into a denial of service (issue 14, item 10): the
//! "account locked" email carries a single-use link that ends the lock, and a browser the owner
//! had MFA remember still signs in (password and second factor) while strangers' failures keep
//! every other browser locked out.

use super::wrong_login;
use crate::helpers::{Backend, backends};
use crate::helpers::{MailKind, MfaUser, TestApp, mfa_token_of, spawn_app};
use rstest_reuse::apply;
use serde_json::json;

async fn unlock(app: &TestApp, token: &str) -> crate::helpers::Reply {
    app.post_json("/v1/auth/unlock", &json!({ "token": token }))
        .await
}

#[apply(backends)]
async fn the_link_in_the_lock_email_ends_the_lock_once_and_clears_the_failures(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;
    app.lock_out(&user.email).await;
    let token = app
        .token_from_mail(MailKind::AccountLocked, &user.email)
        .await;

    unlock(&app, &token).await.ok(200);

    // The failures are gone too: four more wrong passwords do not lock again.
    for _ in 0..4 {
        wrong_login(&app, &user)
            .await
            .error(401, "INVALID_CREDENTIALS");
    }
    app.login(&user).await;
    unlock(&app, &token).await.error(404, "INVALID_TOKEN");
}

#[apply(backends)]
async fn an_unlock_without_a_usable_token_is_refused_and_the_lock_stays(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;
    app.lock_out(&user.email).await;

    unlock(&app, "not-a-token")
        .await
        .error(404, "INVALID_TOKEN");
    app.post_json("/v1/auth/unlock", &json!({}))
        .await
        .error(400, "MISSING_TOKEN");
    app.post_json("/v1/auth/unlock", &json!({"token": 42}))
        .await
        .error(400, "VALIDATION_ERROR");

    app.login_reply(&user.credentials())
        .await
        .error(423, "ACCOUNT_LOCKED");
}

/// The owner's remembered browser, and the device token it holds.
async fn remembered(app: &TestApp, mfa: &MfaUser) -> String {
    let token = app.mfa_challenge(&mfa.user).await;
    let reply = app
        .post_json(
            "/v1/auth/mfa/verify",
            &json!({"mfaToken": token, "code": mfa.backup_code(0), "rememberDevice": true}),
        )
        .await;
    reply.ok(200)["deviceToken"]
        .as_str()
        .unwrap_or_else(|| panic!("a deviceToken: {reply:#?}"))
        .to_owned()
}

#[apply(backends)]
async fn a_remembered_device_signs_in_through_a_lock_with_password_and_second_factor(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let mfa = app.mfa_user().await;
    let device = remembered(&app, &mfa).await;
    // A stranger guesses passwords until the account locks.
    app.lock_out(&mfa.user.email).await;

    // Any other browser, even with the right password, stays locked out.
    app.login_reply(&mfa.user.credentials())
        .await
        .error(423, "ACCOUNT_LOCKED");
    // The owner's browser is not refused for the lock, but must pass the second factor even
    // though it is remembered.
    let mut body = mfa.user.credentials();
    body["deviceToken"] = json!(device);
    let token = mfa_token_of(&app.login_reply(&body).await);
    let reply = app
        .post_json(
            "/v1/auth/mfa/verify",
            &json!({"mfaToken": token, "code": mfa.backup_code(1)}),
        )
        .await;
    let access = reply.ok(200)["accessToken"]
        .as_str()
        .expect("an access token")
        .to_owned();
    app.me(&access).await.ok(200);
    // Signing in ended the lock for everyone.
    let token = mfa_token_of(&app.login_reply(&mfa.user.credentials()).await);
    assert!(!token.is_empty());
}

#[apply(backends)]
async fn a_wrong_password_through_a_lock_costs_the_device_its_bypass(backend: Backend) {
    let app = spawn_app(backend).await;
    let mfa = app.mfa_user().await;
    let device = remembered(&app, &mfa).await;
    app.lock_out(&mfa.user.email).await;

    let mut wrong = json!({"email": mfa.user.email, "password": "Wr0ng-Password!x"});
    wrong["deviceToken"] = json!(device);
    let reply = app.login_reply(&wrong).await;
    reply.error(423, "ACCOUNT_LOCKED");

    // A stolen device token buys one guess per lock, not an oracle: the device is forgotten,
    // so even the right password with it is now refused by the lock, unchecked.
    let mut right = mfa.user.credentials();
    right["deviceToken"] = json!(device);
    app.login_reply(&right).await.error(423, "ACCOUNT_LOCKED");
}
