//! `POST /v1/auth/verify-email` and `POST /v1/auth/resend-verification`.

use crate::helpers::{Backend, backends};
use crate::helpers::{MailKind, TestUser, spawn_app, spawn_app_with};
use rstest_reuse::apply;
use serde_json::json;

#[apply(backends)]
async fn the_mailed_token_verifies_the_email_and_activates_the_account(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.registered_user().await;
    let token = app
        .token_from_mail(MailKind::Verification, &user.email)
        .await;

    let reply = app.verify_email(&token).await;

    assert_eq!(reply.status, 200, "{reply:#?}");
    assert_eq!(
        reply.body,
        json!({"success": true, "message": "Email verified successfully"})
    );
    let login = app.login(&user).await;
    assert_eq!(login.reply_body["data"]["user"]["status"], "active");
    assert_eq!(login.reply_body["data"]["user"]["emailVerified"], true);
}

#[apply(backends)]
async fn a_verification_token_works_only_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.registered_user().await;
    let token = app
        .token_from_mail(MailKind::Verification, &user.email)
        .await;
    app.verify_email(&token).await.ok(200);

    let reply = app.verify_email(&token).await;

    reply.error(404, "INVALID_TOKEN");
}

#[apply(backends)]
async fn an_unknown_verification_token_answers_invalid_token(backend: Backend) {
    let app = spawn_app(backend).await;

    let reply = app
        .verify_email("bm90LWEtcmVhbC10b2tlbi1hdC1hbGwtanVzdC1nYXJiYWdl")
        .await;

    reply.error(404, "INVALID_TOKEN");
}

#[apply(backends)]
async fn verify_email_without_a_token_answers_missing_token(backend: Backend) {
    let app = spawn_app(backend).await;

    app.post_json("/v1/auth/verify-email", &json!({}))
        .await
        .error(400, "MISSING_TOKEN");
    app.verify_email("").await.error(400, "MISSING_TOKEN");
}

#[apply(backends)]
async fn resend_verification_answers_the_same_for_unknown_and_known_emails(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.registered_user().await;

    let known = app
        .post_json(
            "/v1/auth/resend-verification",
            &json!({ "email": user.email }),
        )
        .await;
    let unknown = app
        .post_json(
            "/v1/auth/resend-verification",
            &json!({ "email": TestUser::random().email }),
        )
        .await;

    known.ok(200);
    assert_eq!(unknown.status, known.status);
    assert_eq!(unknown.body, known.body);
}

#[apply(backends)]
async fn resend_verification_mails_a_new_working_token_to_a_pending_account(backend: Backend) {
    // The registration's mail starts the mail cooldown; this test is about the second mail.
    let app = spawn_app_with(backend, &[("MAIL_COOLDOWN", "0")]).await;
    let user = app.registered_user().await;
    app.wait_for_mail(MailKind::Verification, &user.email).await;

    app.post_json(
        "/v1/auth/resend-verification",
        &json!({ "email": user.email }),
    )
    .await
    .ok(200);

    let mails = app
        .wait_for_mails(MailKind::Verification, &user.email, 2)
        .await;
    let tokens: std::collections::HashSet<String> = mails
        .iter()
        .map(|m| app.token_in(m, MailKind::Verification))
        .collect();
    assert_eq!(tokens.len(), 2, "the second mail carries a new token");
    // Whichever token is the new one, one of them verifies the account.
    let mut verified = 0;
    for token in &tokens {
        if app.verify_email(token).await.status == 200 {
            verified += 1;
        }
    }
    assert!(verified >= 1, "a resent token verifies the account");
    app.login(&user).await;
}
