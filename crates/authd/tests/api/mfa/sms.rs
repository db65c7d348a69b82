//! SMS codes as a second factor, with a real local HTTP receiver as the SMS gateway
//! (`SMS_WEBHOOK_URL`): setup (the number masked, the first code texted), confirmation, a login
//! whose code is texted at once when SMS is the only factor, a new code from
//! `/v1/auth/mfa/challenge`, a step-up code, delivery through a gateway outage (the outbox
//! retries), and SMS refused without a gateway.

use crate::helpers::{Backend, backends};
use crate::helpers::{SmsGateway, TestApp, mfa_token_of, spawn_app_with};
use reqwest::Method;
use rstest_reuse::apply;
use serde_json::{Value, json};

const PHONE: &str = "+84987654321";

async fn app_with(backend: Backend, gateway: &SmsGateway) -> TestApp {
    let url = gateway.url();
    spawn_app_with(
        backend,
        &[
            ("SMS_WEBHOOK_URL", url.as_str()),
            ("MAIL_COOLDOWN", "0"),
            ("OUTBOX_RETRY_DELAY", "1s"),
        ],
    )
    .await
}

async fn setup_sms(app: &TestApp, access: &str, body: &Value) -> crate::helpers::Reply {
    app.call(Method::POST, "/v1/auth/mfa/setup", Some(access), body)
        .await
}

#[apply(backends)]
async fn an_sms_factor_is_set_up_confirmed_and_used_at_login_with_codes_texted(backend: Backend) {
    let gateway = SmsGateway::start(&[]).await;
    let app = app_with(backend, &gateway).await;
    let user = app.verified_user().await;
    let access = app.login(&user).await.access_token;

    let reply = setup_sms(
        &app,
        &access,
        &json!({"type": "sms", "phone": "+84 987 654 321"}),
    )
    .await;
    let setup = reply.ok(200);
    assert_eq!(setup["type"], "sms", "{setup}");
    assert_eq!(setup["sentTo"], "+84******321", "{setup}");
    assert_eq!(setup["backupCodes"].as_array().unwrap().len(), 10);
    assert!(setup.get("secret").is_none(), "{setup}");
    let text = gateway.wait_for_text(1).await;
    assert_eq!(text.to, PHONE);
    assert!(text.text.contains("10 minutes"), "{}", text.text);
    let status = app.mfa_status(&access).await;
    assert_eq!(status["enabled"], false, "{status}");
    assert_eq!(status["factors"][0]["type"], "sms", "{status}");
    app.mfa_confirm(&access, "000000")
        .await
        .error(401, "INVALID_MFA_CODE");
    app.mfa_confirm(&access, &text.code()).await.ok(200);
    assert_eq!(app.mfa_status(&access).await["enabled"], true);
    app.mfa_confirm(&access, &text.code())
        .await
        .error(401, "INVALID_MFA_CODE");

    // SMS is the only factor: the code is texted with the MFA_REQUIRED answer.
    let reply = app.login_reply(&user.credentials()).await;
    let mfa_token = mfa_token_of(&reply);
    assert_eq!(reply.body["data"]["methods"], json!(["sms", "backup_code"]));
    let login = gateway.wait_for_text(2).await;
    assert_eq!(login.to, PHONE);
    app.mfa_verify(&mfa_token, &login.code()).await.ok(200);

    // A new code for a challenge from /challenge; the earlier one no longer works.
    let reply = app.login_reply(&user.credentials()).await;
    let mfa_token = mfa_token_of(&reply);
    let first = gateway.wait_for_text(3).await;
    app.post_json(
        "/v1/auth/mfa/challenge",
        &json!({"mfaToken": mfa_token, "method": "sms"}),
    )
    .await
    .ok(200);
    let second = gateway.wait_for_text(4).await;
    if first.code() != second.code() {
        app.mfa_verify(&mfa_token, &first.code())
            .await
            .error(401, "INVALID_MFA_CODE");
    }
    app.post_json(
        "/v1/auth/mfa/challenge",
        &json!({"mfaToken": mfa_token, "method": "email"}),
    )
    .await
    .error(400, "MFA_NOT_ENABLED");
    assert!(app.mfa_verify(&mfa_token, &second.code()).await.ok(200)["accessToken"].is_string());

    // A step-up code by SMS with the bearer token turns MFA off.
    app.call(
        Method::POST,
        "/v1/auth/mfa/challenge",
        Some(&access),
        &json!({"method": "sms"}),
    )
    .await
    .ok(200);
    let step_up = gateway.wait_for_text(5).await;
    app.call(
        Method::DELETE,
        "/v1/auth/mfa",
        Some(&access),
        &json!({"password": user.password, "code": step_up.code()}),
    )
    .await
    .ok(200);
    assert_eq!(app.mfa_status(&access).await["enabled"], false);
    app.login(&user).await;
}

#[apply(backends)]
async fn the_profiles_phone_is_used_when_none_is_given_and_must_be_international(backend: Backend) {
    let gateway = SmsGateway::start(&[]).await;
    let app = app_with(backend, &gateway).await;
    let user = app.verified_user().await;
    let access = app.login(&user).await.access_token;

    // No phone anywhere.
    let reply = setup_sms(&app, &access, &json!({"type": "sms"})).await;
    assert_eq!(
        reply.validation_details(),
        [("phone".to_owned(), "REQUIRED_FIELD_MISSING".to_owned())]
    );
    // A national number cannot be texted: no country is guessed.
    let reply = setup_sms(
        &app,
        &access,
        &json!({"type": "sms", "phone": "0987654321"}),
    )
    .await;
    assert_eq!(
        reply.validation_details(),
        [("phone".to_owned(), "INVALID_FORMAT".to_owned())]
    );

    app.call(
        Method::PUT,
        "/v1/users/me",
        Some(&access),
        &json!({"phone": "+1 (415) 555-0123"}),
    )
    .await
    .ok(200);
    let setup = setup_sms(&app, &access, &json!({"type": "sms"})).await;
    assert_eq!(setup.ok(200)["sentTo"], "+14******123");
    let text = gateway.wait_for_text(1).await;
    assert_eq!(text.to, "+14155550123");
    app.mfa_confirm(&access, &text.code()).await.ok(200);
    assert_eq!(
        gateway.accepted().len(),
        1,
        "nothing texted for the refused setups"
    );
}

#[apply(backends)]
async fn a_gateway_outage_delays_the_text_but_it_still_arrives(backend: Backend) {
    let gateway = SmsGateway::start(&[503]).await;
    let app = app_with(backend, &gateway).await;
    let user = app.verified_user().await;
    let access = app.login(&user).await.access_token;
    setup_sms(&app, &access, &json!({"type": "sms", "phone": PHONE}))
        .await
        .ok(200);
    let text = gateway.wait_for_text(1).await;
    assert_eq!(gateway.requests(), 2, "one refused, one accepted");
    app.mfa_confirm(&access, &text.code()).await.ok(200);
}

#[apply(backends)]
async fn without_a_gateway_sms_is_unavailable(backend: Backend) {
    let app = spawn_app_with(backend, &[]).await;
    let user = app.verified_user().await;
    let access = app.login(&user).await.access_token;
    setup_sms(&app, &access, &json!({"type": "sms", "phone": PHONE}))
        .await
        .error(400, "MFA_METHOD_UNAVAILABLE");
    app.call(
        Method::POST,
        "/v1/auth/mfa/challenge",
        Some(&access),
        &json!({"method": "sms"}),
    )
    .await
    .error(400, "MFA_METHOD_UNAVAILABLE");
}
