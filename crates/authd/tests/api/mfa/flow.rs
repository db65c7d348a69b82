//! Setup, confirmation, a login with the second factor, backup codes, turning MFA off.

use crate::helpers::{Backend, backends};
use crate::helpers::{MfaSetup, MfaUser, Reply, TestApp, decode_qr, mfa_token_of, spawn_app};
use reqwest::Method;
use rstest_reuse::apply;
use serde_json::json;

fn is_base32(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c))
}

#[apply(backends)]
async fn setup_confirm_and_a_login_with_the_authenticators_code(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;
    let access = app.login(&user).await.access_token;
    let before = app.mfa_status(&access).await;
    assert_eq!(before["enabled"], false, "{before}");
    assert_eq!(before["factors"], json!([]), "{before}");

    let reply = app.mfa_setup(&access).await;
    // The secret and the backup codes must not stay in any cache.
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let setup = MfaSetup::from_reply(&reply);

    // 160-bit secret, an otpauth URL carrying it, and the same URL as a QR code.
    assert!(
        is_base32(&setup.secret) && setup.secret.len() >= 32,
        "{}",
        setup.secret
    );
    assert!(
        setup.otpauth_url.starts_with("otpauth://totp/"),
        "{}",
        setup.otpauth_url
    );
    assert!(
        setup
            .otpauth_url
            .contains(&format!("secret={}", setup.secret))
    );
    assert!(
        setup.otpauth_url.contains("issuer="),
        "{}",
        setup.otpauth_url
    );
    assert_eq!(decode_qr(&setup.qr_code), setup.otpauth_url);
    assert_eq!(setup.backup_codes.len(), 10);
    for code in &setup.backup_codes {
        assert!(
            code.len() == 8 && code.chars().all(|c| c.is_ascii_digit()),
            "{code}"
        );
    }
    let pending = app.mfa_status(&access).await;
    assert_eq!(
        pending["enabled"], false,
        "pending until confirmed: {pending}"
    );
    assert_eq!(pending["factors"][0]["type"], "totp");
    assert_eq!(pending["factors"][0]["confirmed"], false);
    assert_eq!(pending["factors"][0]["deviceName"], "Test phone");
    // Not on yet: the password alone still logs in.
    app.login(&user).await;

    let wrong = setup.authenticator.wrong_code().await;
    app.mfa_confirm(&access, &wrong)
        .await
        .error(401, "INVALID_MFA_CODE");
    let confirmed = app
        .mfa_confirm(&access, &setup.authenticator.code(-1).await)
        .await;
    confirmed.ok(200);
    assert_eq!(confirmed.message(), "MFA verified successfully");

    let status = app.mfa_status(&access).await;
    assert_eq!(status["enabled"], true, "{status}");
    assert_eq!(status["factors"][0]["confirmed"], true, "{status}");
    assert_eq!(status["backupCodesLeft"], 10, "{status}");
    assert_eq!(app.me(&access).await.ok(200)["mfaEnabled"], true);

    let challenged = app.login_reply(&user.credentials()).await;
    let mfa_token = mfa_token_of(&challenged);
    assert_eq!(
        challenged.body["data"]["methods"],
        json!(["totp", "backup_code"])
    );
    assert!(
        challenged.cookie("refresh_token").is_none(),
        "{challenged:#?}"
    );
    assert!(challenged.body["data"]["accessToken"].is_null());

    let code = setup.authenticator.code(0).await;
    let verified = app.mfa_verify(&mfa_token, &code).await;

    let data = verified.ok(200);
    assert_eq!(verified.message(), "Login successful");
    assert_eq!(data["tokenType"], "Bearer");
    assert_eq!(data["user"]["id"], user.id.as_str());
    assert_eq!(data["user"]["mfaEnabled"], true);
    assert!(data["deviceToken"].is_null(), "not remembered: {data}");
    assert!(verified.cookie("mfa_device").is_none());
    let cookie = verified
        .cookie("refresh_token")
        .expect("the refresh cookie");
    assert_eq!(cookie.value, data["refreshToken"].as_str().unwrap());
    let new_access = data["accessToken"].as_str().unwrap();
    assert_eq!(app.me(new_access).await.ok(200)["id"], user.id.as_str());
    app.refresh(data["refreshToken"].as_str().unwrap())
        .await
        .ok(200);

    // The same code is refused on a new challenge; the used challenge is gone.
    let again = app.mfa_challenge(&user).await;
    app.mfa_verify(&again, &code)
        .await
        .error(401, "INVALID_MFA_CODE");
    app.mfa_verify(&mfa_token, &setup.authenticator.code(1).await)
        .await
        .error(401, "INVALID_MFA_TOKEN");
}

async fn regenerate(app: &TestApp, access: &str, password: &str) -> Reply {
    let body = json!({ "password": password });
    app.call(
        Method::POST,
        "/v1/auth/mfa/backup-codes",
        Some(access),
        &body,
    )
    .await
}

async fn disable(app: &TestApp, mfa: &MfaUser, password: &str, code: &str) -> Reply {
    let body = json!({ "password": password, "code": code });
    app.call(
        Method::DELETE,
        "/v1/auth/mfa",
        Some(&mfa.access_token),
        &body,
    )
    .await
}

#[tokio::test]
async fn a_backup_code_works_once_and_new_codes_replace_the_old_ones() {
    let app = spawn_app(Backend::Memory).await;
    let mfa = app.mfa_user().await;

    let token = app.mfa_challenge(&mfa.user).await;
    app.mfa_verify(&token, mfa.backup_code(0)).await.ok(200);
    let token = app.mfa_challenge(&mfa.user).await;
    app.mfa_verify(&token, mfa.backup_code(0))
        .await
        .error(401, "MFA_BACKUP_CODE_USED");
    assert_eq!(
        app.mfa_status(&mfa.access_token).await["backupCodesLeft"],
        9
    );

    regenerate(&app, &mfa.access_token, "Wr0ng-Password!x")
        .await
        .error(401, "INVALID_CREDENTIALS");
    let fresh = regenerate(&app, &mfa.access_token, &mfa.user.password).await;
    let codes: Vec<String> = fresh.ok(200)["backupCodes"]
        .as_array()
        .expect("backupCodes")
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 10);
    assert_eq!(
        app.mfa_status(&mfa.access_token).await["backupCodesLeft"],
        10
    );

    let token = app.mfa_challenge(&mfa.user).await;
    app.mfa_verify(&token, mfa.backup_code(1))
        .await
        .error(401, "INVALID_MFA_CODE");
    // As printed on paper: with a dash in the middle.
    let dashed = format!("{}-{}", &codes[0][..4], &codes[0][4..]);
    app.mfa_verify(&token, &dashed).await.ok(200);
}

#[tokio::test]
async fn setup_refuses_other_methods_a_second_authenticator_and_confirms_only_the_latest() {
    let app = spawn_app(Backend::Memory).await;
    let user = app.verified_user().await;
    let access = app.login(&user).await.access_token;

    app.mfa_confirm(&access, "123456")
        .await
        .error(400, "MFA_NOT_ENABLED");
    app.call(
        Method::POST,
        "/v1/auth/mfa/setup",
        Some(&access),
        &json!({ "type": "sms" }),
    )
    .await
    .error(400, "MFA_METHOD_UNAVAILABLE");
    app.call(
        Method::POST,
        "/v1/auth/mfa/setup",
        None,
        &json!({"type": "totp"}),
    )
    .await
    .error(401, "MISSING_AUTH_HEADER");
    app.post_json("/v1/auth/mfa/verify", &json!({"code": "123456"}))
        .await
        .error(401, "MISSING_AUTH_HEADER");

    // A second setup before confirming replaces the first.
    let first = MfaSetup::from_reply(&app.mfa_setup(&access).await);
    let second = MfaSetup::from_reply(&app.mfa_setup(&access).await);
    assert_ne!(first.secret, second.secret);
    app.mfa_confirm(&access, &first.authenticator.code(-1).await)
        .await
        .error(401, "INVALID_MFA_CODE");
    app.mfa_confirm(&access, &second.authenticator.code(-1).await)
        .await
        .ok(200);
    assert_eq!(
        app.mfa_status(&access).await["factors"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    app.mfa_setup(&access)
        .await
        .error(409, "MFA_ALREADY_ENABLED");
}

#[tokio::test]
async fn turning_mfa_off_needs_password_and_code_and_logins_go_back_to_the_password() {
    let app = spawn_app(Backend::Memory).await;
    let mfa = app.mfa_user().await;
    let wrong = mfa.setup.authenticator.wrong_code().await;
    disable(&app, &mfa, &mfa.user.password, &wrong)
        .await
        .error(401, "INVALID_MFA_CODE");
    disable(
        &app,
        &mfa,
        "Wr0ng-Password!x",
        &mfa.setup.authenticator.code(0).await,
    )
    .await
    .error(401, "INVALID_CREDENTIALS");

    let off = disable(
        &app,
        &mfa,
        &mfa.user.password,
        &mfa.setup.authenticator.code(1).await,
    )
    .await;

    off.ok(200);
    let cleared = off
        .cookie("mfa_device")
        .expect("the device cookie is cleared");
    assert!(cleared.is_removal(), "{cleared:?}");
    let status = app.mfa_status(&mfa.access_token).await;
    assert_eq!(status["enabled"], false, "{status}");
    let login = app.login_reply(&mfa.user.credentials()).await;
    assert_eq!(login.ok(200)["user"]["mfaEnabled"], false);
    app.mfa_confirm(&mfa.access_token, "123456")
        .await
        .error(400, "MFA_NOT_ENABLED");
}

/// The user's own view never shows a secret again.
async fn assert_no_secret_in_status(app: &TestApp, access: &str, setup: &MfaSetup) {
    let status = app.get_authed("/v1/auth/mfa", access).await;
    assert!(!status.text.contains(&setup.secret), "{}", status.text);
    for code in &setup.backup_codes {
        assert!(!status.text.contains(code.as_str()), "{}", status.text);
    }
}

#[tokio::test]
async fn the_status_never_shows_the_secret_or_the_backup_codes() {
    let app = spawn_app(Backend::Memory).await;
    let mfa = app.mfa_user().await;
    assert_no_secret_in_status(&app, &mfa.access_token, &mfa.setup).await;
}
