//! `unlock`, `DELETE .../sessions` and `password-reset` as the account's holder meets them.

use crate::helpers::{Backend, backends};
use crate::helpers::{
    MailKind, NEW_PASSWORD, TestUser, assert_access_revoked, assert_refresh_dead, spawn_admin_app,
};
use rstest_reuse::apply;
use serde_json::json;

#[apply(backends)]
async fn unlock_lets_a_locked_account_in_before_the_lock_would_end(backend: Backend) {
    let (app, admin) = spawn_admin_app(backend).await;
    let user = app.verified_user().await;
    let wrong = json!({"email": user.email, "password": "Wr0ng-Password!x"});
    for _ in 0..5 {
        app.login_reply(&wrong).await;
    }
    app.login_reply(&user.credentials())
        .await
        .error(423, "ACCOUNT_LOCKED");

    let unlocked = app.admin_action(admin.token(), &user.id, "unlock").await;
    assert_eq!(unlocked.status, 200, "{unlocked:#?}");

    let seen = app.admin_user(admin.token(), &user.id).await;
    assert_eq!(seen["failedLoginAttempts"], 0);
    assert_eq!(seen["accountLockedUntil"], serde_json::Value::Null);
    app.login(&user).await;
    // Unlocking an account that is not locked is harmless.
    app.admin_action(admin.token(), &user.id, "unlock")
        .await
        .ok_or_message();
}

#[apply(backends)]
async fn ending_every_session_cuts_off_the_tokens_and_the_refresh(backend: Backend) {
    let (app, admin) = spawn_admin_app(backend).await;
    let user = app.verified_user().await;
    let phone = app.login(&user).await;
    let laptop = app.login(&user).await;

    let ended = app.admin_end_sessions(admin.token(), &user.id).await;
    assert_eq!(ended.ok(200)["revokedSessions"], 2);

    for login in [&phone, &laptop] {
        assert_access_revoked(&app, &login.access_token).await;
        assert_refresh_dead(&app, &login.refresh_token).await;
    }
    assert_eq!(
        app.admin_user(admin.token(), &user.id).await["activeSessions"],
        0
    );
    // The account itself is untouched: it signs in again.
    let again = app.login(&user).await;
    app.me(&again.access_token).await.ok(200);
}

#[apply(backends)]
async fn a_reset_mail_sent_by_an_admin_resets_the_password(backend: Backend) {
    let (app, admin) = spawn_admin_app(backend).await;
    let user = app.verified_user().await;
    let login = app.login(&user).await;

    app.admin_action(admin.token(), &user.id, "password-reset")
        .await
        .ok_or_message();
    let token = app
        .token_from_mail(MailKind::PasswordReset, &user.email)
        .await;
    app.reset_password(&token, NEW_PASSWORD).await.ok(200);

    assert_refresh_dead(&app, &login.refresh_token).await;
    app.login_reply(&user.credentials())
        .await
        .error(401, "INVALID_CREDENTIALS");
    let renewed = TestUser {
        password: NEW_PASSWORD.to_owned(),
        ..user
    };
    app.login(&renewed).await;
}

#[apply(backends)]
async fn no_reset_mail_goes_to_a_suspended_account(backend: Backend) {
    let (app, admin) = spawn_admin_app(backend).await;
    let user = app.verified_user().await;
    app.set_status(admin.token(), &user.id, "suspended")
        .await
        .ok(200);

    app.admin_action(admin.token(), &user.id, "password-reset")
        .await
        .error(409, "ACCOUNT_SUSPENDED");
    app.assert_mail_count(MailKind::PasswordReset, &user.email, 0)
        .await;
}
