//! Remembered devices: `rememberDevice: true` hands out a device token (body and cookie) that
//! spares later logins the second factor, until it is forgotten one by one or by a password
//! change.

use crate::helpers::{Backend, backends};
use crate::helpers::{MfaUser, TestApp, header, mfa_token_of, spawn_app};
use reqwest::Method;
use rstest_reuse::apply;
use serde_json::{Value, json};

/// Completes a login with a backup code and `rememberDevice: true`; the device token.
async fn remember(app: &TestApp, mfa: &MfaUser, backup: usize) -> (String, crate::helpers::Reply) {
    let token = app.mfa_challenge(&mfa.user).await;
    let reply = app
        .post_json(
            "/v1/auth/mfa/verify",
            &json!({"mfaToken": token, "code": mfa.backup_code(backup), "rememberDevice": true}),
        )
        .await;
    let device = reply.ok(200)["deviceToken"]
        .as_str()
        .unwrap_or_else(|| panic!("a deviceToken: {reply:#?}"))
        .to_owned();
    (device, reply)
}

async fn forget(app: &TestApp, access: &str, id: &str) -> crate::helpers::Reply {
    let path = format!("/v1/auth/mfa/devices/{id}");
    app.call(Method::DELETE, &path, Some(access), &json!({}))
        .await
}

fn with_device(mfa: &MfaUser, device: &str) -> Value {
    let mut body = mfa.user.credentials();
    body["deviceToken"] = json!(device);
    body
}

#[tokio::test]
async fn a_remembered_device_skips_the_second_factor_until_it_is_forgotten() {
    let app = spawn_app(Backend::Memory).await;
    let mfa = app.mfa_user().await;

    let (device, reply) = remember(&app, &mfa, 0).await;

    let cookie = reply.cookie("mfa_device").expect("the mfa_device cookie");
    assert_eq!(cookie.value, device);
    assert!(cookie.has("httponly"), "{cookie:?}");
    assert_eq!(cookie.attribute("path"), Some("/v1/auth"));
    assert_eq!(
        cookie
            .attribute("samesite")
            .map(str::to_lowercase)
            .as_deref(),
        Some("strict")
    );
    let max_age: i64 = cookie.attribute("max-age").unwrap().parse().unwrap();
    assert!(
        (30 * 86_400 - 60..=30 * 86_400).contains(&max_age),
        "{max_age}"
    );
    assert!(
        reply.cookie("refresh_token").is_some(),
        "a login's cookie too"
    );

    let status = app.mfa_status(&mfa.access_token).await;
    let devices = status["devices"].as_array().expect("devices").clone();
    assert_eq!(devices.len(), 1, "{status}");
    let id = devices[0]["id"].as_str().unwrap().to_owned();
    assert!(devices[0]["expiresAt"].is_string() && devices[0]["createdAt"].is_string());
    assert!(
        !status.to_string().contains(&device),
        "no token in the list"
    );

    // By body, and by cookie as a browser sends it.
    let by_body = app.login_reply(&with_device(&mfa, &device)).await;
    assert_eq!(by_body.ok(200)["user"]["mfaEnabled"], true);
    let by_cookie = app
        .send(
            app.client
                .post(app.url("/v1/auth/login"))
                .headers(header("cookie", &format!("mfa_device={device}")))
                .json(&mfa.user.credentials()),
        )
        .await;
    by_cookie.ok(200);
    mfa_token_of(&app.login_reply(&with_device(&mfa, "not-a-device")).await);
    // The device does not stand in for the password.
    let mut wrong_password = with_device(&mfa, &device);
    wrong_password["password"] = json!("Wr0ng-Password!x");
    app.login_reply(&wrong_password)
        .await
        .error(401, "INVALID_CREDENTIALS");

    forget(&app, &mfa.access_token, "not-a-uuid")
        .await
        .error(400, "VALIDATION_ERROR");
    forget(&app, &mfa.access_token, &uuid::Uuid::new_v4().to_string())
        .await
        .error(404, "DEVICE_NOT_FOUND");
    let stranger = app.verified_user().await;
    let stranger_access = app.login(&stranger).await.access_token;
    forget(&app, &stranger_access, &id)
        .await
        .error(404, "DEVICE_NOT_FOUND");

    forget(&app, &mfa.access_token, &id).await.ok(200);

    mfa_token_of(&app.login_reply(&with_device(&mfa, &device)).await);
    let status = app.mfa_status(&mfa.access_token).await;
    assert_eq!(status["devices"], json!([]), "{status}");
}

#[apply(backends)]
async fn a_password_change_forgets_every_remembered_device(backend: Backend) {
    let app = spawn_app(backend).await;
    let mfa = app.mfa_user().await;
    let (first, _) = remember(&app, &mfa, 0).await;
    let (second, _) = remember(&app, &mfa, 1).await;
    app.login_reply(&with_device(&mfa, &first)).await.ok(200);

    app.call(
        Method::PUT,
        "/v1/auth/change-password",
        Some(&mfa.access_token),
        &json!({"currentPassword": mfa.user.password, "newPassword": crate::helpers::NEW_PASSWORD}),
    )
    .await
    .ok(200);

    for device in [first, second] {
        let mut body = with_device(&mfa, &device);
        body["password"] = json!(crate::helpers::NEW_PASSWORD);
        mfa_token_of(&app.login_reply(&body).await);
    }
    let status = app.mfa_status(&mfa.access_token).await;
    assert_eq!(status["devices"], json!([]), "{status}");
}
