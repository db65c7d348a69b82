//! Email codes as a second factor: setup (the code mailed, its address masked), confirmation by
//! the code, a login whose code goes out at once when email is the only factor, codes that work
//! once and are replaced by a new one from `/v1/auth/mfa/challenge`, a user with an authenticator
//! as well who asks for a code, the mail cooldown, and a step-up code to turn MFA off.

use crate::helpers::{Backend, backends};
use crate::helpers::{MailKind, TestApp, TestUser, mfa_token_of, spawn_app_with};
use reqwest::Method;
use rstest_reuse::apply;
use serde_json::{Value, json};
use std::collections::HashSet;

/// The code mails read so far, so that each step finds the one it caused.
#[derive(Default)]
struct Inbox {
    seen: HashSet<std::path::PathBuf>,
}

impl Inbox {
    /// Waits for one more code mail to `user` than seen so far; its code.
    async fn next_code(&mut self, app: &TestApp, user: &TestUser) -> String {
        let mails = app
            .wait_for_mails(MailKind::MfaCode, &user.email, self.seen.len() + 1)
            .await;
        let new = mails
            .into_iter()
            .find(|m| !self.seen.contains(&m.path))
            .expect("a new code mail");
        self.seen.insert(new.path.clone());
        assert!(
            new.text.contains("valid 10 minutes") && new.text.contains("works once"),
            "{}",
            new.text
        );
        new.mfa_code()
    }
}

async fn setup_email(app: &TestApp, access: &str) -> Value {
    app.call(
        Method::POST,
        "/v1/auth/mfa/setup",
        Some(access),
        &json!({"type": "email"}),
    )
    .await
    .ok(200)
    .clone()
}

async fn ask_code(app: &TestApp, mfa_token: &str, method: &str) -> crate::helpers::Reply {
    app.post_json(
        "/v1/auth/mfa/challenge",
        &json!({"mfaToken": mfa_token, "method": method}),
    )
    .await
}

fn masked(email: &str) -> String {
    let (local, domain) = email.split_once('@').unwrap();
    format!("{}***@{domain}", &local[..1])
}

#[apply(backends)]
async fn an_email_factor_is_set_up_confirmed_and_used_at_login_each_code_once(backend: Backend) {
    let app = spawn_app_with(backend, &[("MAIL_COOLDOWN", "0")]).await;
    let user = app.verified_user().await;
    let access = app.login(&user).await.access_token;
    let mut inbox = Inbox::default();

    let setup = setup_email(&app, &access).await;
    assert_eq!(setup["type"], "email", "{setup}");
    assert_eq!(setup["sentTo"], masked(&user.email), "{setup}");
    assert_eq!(setup["backupCodes"].as_array().unwrap().len(), 10);
    assert!(setup.get("secret").is_none(), "{setup}");
    let code = inbox.next_code(&app, &user).await;
    let pending = app.mfa_status(&access).await;
    assert_eq!(pending["enabled"], false, "{pending}");
    assert_eq!(pending["factors"][0]["type"], "email");
    // Not on yet: the password alone still logs in.
    app.login(&user).await;

    app.mfa_confirm(&access, &code).await.ok(200);
    assert_eq!(app.mfa_status(&access).await["enabled"], true);
    app.mfa_confirm(&access, &code)
        .await
        .error(401, "INVALID_MFA_CODE");
    // A second email setup while one is confirmed.
    app.call(
        Method::POST,
        "/v1/auth/mfa/setup",
        Some(&access),
        &json!({"type": "email"}),
    )
    .await
    .error(409, "MFA_ALREADY_ENABLED");

    // Email is the only factor: the code is on its way with the MFA_REQUIRED answer.
    let reply = app.login_reply(&user.credentials()).await;
    let mfa_token = mfa_token_of(&reply);
    assert_eq!(
        reply.body["data"]["methods"],
        json!(["email", "backup_code"])
    );
    let login_code = inbox.next_code(&app, &user).await;
    app.mfa_verify(&mfa_token, &login_code).await.ok(200);
    app.mfa_verify(&mfa_token, &login_code)
        .await
        .error(401, "INVALID_MFA_TOKEN");

    // The code of one login is not another's; a new code replaces the earlier one.
    let mfa_token = app.mfa_challenge(&user).await;
    let first = inbox.next_code(&app, &user).await;
    app.mfa_verify(&mfa_token, &login_code)
        .await
        .error(401, "INVALID_MFA_CODE");
    ask_code(&app, &mfa_token, "email").await.ok(200);
    let second = inbox.next_code(&app, &user).await;
    if first != second {
        app.mfa_verify(&mfa_token, &first)
            .await
            .error(401, "INVALID_MFA_CODE");
    }
    let done = app.mfa_verify(&mfa_token, &second).await;
    assert!(done.ok(200)["accessToken"].is_string());

    // Only email is sent; a used or unknown challenge gets nothing.
    let mfa_token = app.mfa_challenge(&user).await;
    inbox.next_code(&app, &user).await;
    ask_code(&app, &mfa_token, "sms")
        .await
        .error(400, "MFA_METHOD_UNAVAILABLE");
    ask_code(&app, "not-a-token", "email")
        .await
        .error(401, "INVALID_MFA_TOKEN");
    app.post_json("/v1/auth/mfa/challenge", &json!({"method": "email"}))
        .await
        .error(401, "MISSING_AUTH_HEADER");

    // A step-up code with the bearer token turns MFA off.
    app.call(
        Method::POST,
        "/v1/auth/mfa/challenge",
        Some(&access),
        &json!({"method": "email"}),
    )
    .await
    .ok(200);
    let step_up = inbox.next_code(&app, &user).await;
    app.call(
        Method::DELETE,
        "/v1/auth/mfa",
        Some(&access),
        &json!({"password": user.password, "code": step_up}),
    )
    .await
    .ok(200);
    assert_eq!(app.mfa_status(&access).await["enabled"], false);
    app.login(&user).await;
}

#[apply(backends)]
async fn with_an_authenticator_as_well_a_code_is_sent_only_when_asked_once_per_challenge_and_cooldown(
    backend: Backend,
) {
    let app = spawn_app_with(backend, &[]).await;
    let mfa = app.mfa_user().await;
    let user = &mfa.user;
    let mut inbox = Inbox::default();
    // MFA is on: adding a factor takes a current code, an access token alone is refused.
    let body = json!({"type": "email"});
    app.call(
        Method::POST,
        "/v1/auth/mfa/setup",
        Some(&mfa.access_token),
        &body,
    )
    .await
    .error(400, "VALIDATION_ERROR");
    let body = json!({"type": "email", "code": mfa.backup_code(9)});
    app.call(
        Method::POST,
        "/v1/auth/mfa/setup",
        Some(&mfa.access_token),
        &body,
    )
    .await
    .ok(200);
    let code = inbox.next_code(&app, user).await;
    app.mfa_confirm(&mfa.access_token, &code).await.ok(200);
    let status = app.mfa_status(&mfa.access_token).await;
    assert_eq!(status["factors"].as_array().unwrap().len(), 2, "{status}");

    let reply = app.login_reply(&user.credentials()).await;
    let mfa_token = mfa_token_of(&reply);
    assert_eq!(
        reply.body["data"]["methods"],
        json!(["totp", "email", "backup_code"])
    );
    app.assert_mail_count(MailKind::MfaCode, &user.email, 1)
        .await;
    ask_code(&app, &mfa_token, "email").await.ok(200);
    let login_code = inbox.next_code(&app, user).await;
    app.mfa_verify(&mfa_token, &login_code).await.ok(200);

    // Another login's challenge gets its own code at once; asking again for the same challenge
    // within MAIL_COOLDOWN answers the same and sends nothing.
    let mfa_token = app.mfa_challenge(user).await;
    ask_code(&app, &mfa_token, "email").await.ok(200);
    app.assert_mail_count(MailKind::MfaCode, &user.email, 3)
        .await;
    ask_code(&app, &mfa_token, "email").await.ok(200);
    app.assert_mail_count(MailKind::MfaCode, &user.email, 3)
        .await;
    // The authenticator still answers the challenge.
    let totp = mfa.setup.authenticator.code(0).await;
    app.mfa_verify(&mfa_token, &totp).await.ok(200);
}

#[apply(backends)]
async fn a_totp_only_user_cannot_ask_for_an_email_code(backend: Backend) {
    let app = spawn_app_with(backend, &[]).await;
    let mfa = app.mfa_user().await;
    let mfa_token = app.mfa_challenge(&mfa.user).await;
    ask_code(&app, &mfa_token, "email")
        .await
        .error(400, "MFA_NOT_ENABLED");
    app.assert_mail_count(MailKind::MfaCode, &mfa.user.email, 0)
        .await;
}

/// An abandoned email setup does not stand in the way: the latest setup is the one confirmed.
#[apply(backends)]
async fn an_authenticator_set_up_after_an_abandoned_email_setup_is_confirmed_by_its_code(
    backend: Backend,
) {
    let app = spawn_app_with(backend, &[]).await;
    let user = app.verified_user().await;
    let access = app.login(&user).await.access_token;
    setup_email(&app, &access).await;
    let setup = crate::helpers::MfaSetup::from_reply(&app.mfa_setup(&access).await);

    let code = setup.authenticator.code(-1).await;
    app.mfa_confirm(&access, &code).await.ok(200);

    let status = app.mfa_status(&access).await;
    assert_eq!(status["enabled"], true, "{status}");
}
