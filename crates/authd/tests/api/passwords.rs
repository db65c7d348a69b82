//! Forgot, reset and change password.

use crate::helpers::{Backend, backends};
use crate::helpers::{
    MailKind, NEW_PASSWORD, TestApp, TestUser, assert_access_revoked, assert_refresh_dead,
    spawn_app,
};
use futures_util::future::join_all;
use rstest_reuse::apply;
use serde_json::json;

async fn forgot(app: &TestApp, email: &str) -> crate::helpers::Reply {
    app.post_json("/v1/auth/forgot-password", &json!({ "email": email }))
        .await
}

async fn reset(app: &TestApp, token: &str, new_password: &str) -> crate::helpers::Reply {
    app.post_json(
        "/v1/auth/reset-password",
        &json!({"token": token, "newPassword": new_password}),
    )
    .await
}

async fn change(app: &TestApp, access: &str, current: &str, new: &str) -> crate::helpers::Reply {
    app.send(
        app.client
            .put(app.url("/v1/auth/change-password"))
            .bearer_auth(access)
            .json(&json!({"currentPassword": current, "newPassword": new})),
    )
    .await
}

/// Asks for a reset and returns the mailed token.
async fn reset_token(app: &TestApp, user: &TestUser) -> String {
    forgot(app, &user.email).await.ok(200);
    app.token_from_mail(MailKind::PasswordReset, &user.email)
        .await
}

#[apply(backends)]
async fn forgot_password_answers_the_same_for_unknown_and_known_emails(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;

    let known = forgot(&app, &user.email).await;
    let unknown = forgot(&app, &TestUser::random().email).await;

    assert_eq!(known.status, 200, "{known:#?}");
    assert_eq!(
        known.body,
        json!({"success": true, "message": "Password reset email sent if account exists"})
    );
    assert_eq!(unknown.status, 200);
    assert_eq!(unknown.body, known.body);
    app.wait_for_mail(MailKind::PasswordReset, &user.email)
        .await;
}

#[apply(backends)]
async fn the_mailed_reset_token_sets_a_new_password_and_revokes_every_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut user = app.verified_user().await;
    let before = app.login(&user).await;
    let token = reset_token(&app, &user).await;

    let reply = reset(&app, &token, NEW_PASSWORD).await;

    assert_eq!(reply.status, 200, "{reply:#?}");
    assert_eq!(
        reply.body,
        json!({"success": true, "message": "Password reset successfully"})
    );
    app.login_reply(&user.credentials())
        .await
        .error(401, "INVALID_CREDENTIALS");
    user.password = NEW_PASSWORD.to_owned();
    // A frontend signs the user in right after the reset: that session must work at once.
    let fresh = app.login(&user).await;
    app.me(&fresh.access_token).await.ok(200);
    assert_access_revoked(&app, &before.access_token).await;
    assert_refresh_dead(&app, &before.refresh_token).await;
    app.wait_for_mail(MailKind::PasswordChanged, &user.email)
        .await;
}

#[apply(backends)]
async fn a_reset_token_works_only_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;
    let token = reset_token(&app, &user).await;
    reset(&app, &token, NEW_PASSWORD).await.ok(200);

    let reply = reset(&app, &token, "An0ther-Fresh!Secret").await;

    reply.error(404, "INVALID_TOKEN");
}

#[apply(backends)]
async fn an_unknown_reset_token_answers_invalid_token(backend: Backend) {
    let app = spawn_app(backend).await;

    reset(
        &app,
        "bm90LWEtcmVhbC1yZXNldC10b2tlbi1hdC1hbGwtZ2FyYmFnZQ",
        NEW_PASSWORD,
    )
    .await
    .error(404, "INVALID_TOKEN");
}

#[apply(backends)]
async fn a_reset_to_a_weak_password_lists_the_failures_on_new_password(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;
    let token = reset_token(&app, &user).await;

    let reply = reset(&app, &token, "weak").await;

    let details = reply.validation_details();
    assert!(details.len() >= 3, "{details:?}");
    assert!(
        details.iter().all(|(f, _)| f == "newPassword"),
        "{details:?}"
    );
}

#[apply(backends)]
async fn twenty_concurrent_resets_with_one_token_succeed_exactly_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;
    let token = reset_token(&app, &user).await;
    let passwords: Vec<String> = (0..20).map(|i| format!("Fresh-Start#{i:02}Zq")).collect();

    let replies = join_all(passwords.iter().map(|p| reset(&app, &token, p))).await;

    let winners: Vec<usize> = (0..20).filter(|i| replies[*i].status == 200).collect();
    assert_eq!(winners.len(), 1, "{replies:#?}");
    for (i, reply) in replies.iter().enumerate() {
        if i != winners[0] {
            reply.error(404, "INVALID_TOKEN");
        }
    }
    let mut winner = user.clone();
    winner.password = passwords[winners[0]].clone();
    app.login(&winner).await;
}

#[apply(backends)]
async fn change_password_with_a_wrong_current_password_answers_invalid_credentials(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;
    let login = app.login(&user).await;

    let reply = change(&app, &login.access_token, "Wr0ng-Password!x", NEW_PASSWORD).await;

    reply.error(401, "INVALID_CREDENTIALS");
}

#[apply(backends)]
async fn changing_to_the_current_password_is_rejected_on_new_password(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;
    let login = app.login(&user).await;

    let reply = change(&app, &login.access_token, &user.password, &user.password).await;

    let details = reply.validation_details();
    assert!(
        details.iter().any(|(f, _)| f == "newPassword"),
        "{details:?}"
    );
}

#[apply(backends)]
async fn changing_to_a_weak_password_lists_the_failures_on_new_password(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;
    let login = app.login(&user).await;

    let reply = change(&app, &login.access_token, &user.password, "weak").await;

    let details = reply.validation_details();
    assert!(
        details.iter().all(|(f, _)| f == "newPassword"),
        "{details:?}"
    );
}

#[apply(backends)]
async fn change_password_keeps_this_session_ends_the_others_and_sends_an_email(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut user = app.verified_user().await;
    let here = app.login(&user).await;
    let elsewhere = app.login(&user).await;

    let reply = change(&app, &here.access_token, &user.password, NEW_PASSWORD).await;

    assert_eq!(reply.status, 200, "{reply:#?}");
    assert_eq!(
        reply.body,
        json!({"success": true, "message": "Password changed successfully"})
    );
    app.me(&here.access_token).await.ok(200);
    app.refresh(&here.refresh_token).await.ok(200);
    assert_access_revoked(&app, &elsewhere.access_token).await;
    assert_refresh_dead(&app, &elsewhere.refresh_token).await;
    app.wait_for_mail(MailKind::PasswordChanged, &user.email)
        .await;
    app.login_reply(&user.credentials())
        .await
        .error(401, "INVALID_CREDENTIALS");
    user.password = NEW_PASSWORD.to_owned();
    app.login(&user).await;
}
