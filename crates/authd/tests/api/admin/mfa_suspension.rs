//! A suspension voids what was half-way or remembered for the second factor: a pending
//! `mfaToken` and a remembered device are dead after the account is reactivated.

use crate::helpers::{Backend, backends};
use crate::helpers::{MfaUser, TestApp, mfa_token_of, next_second, spawn_admin_app};
use rstest_reuse::apply;
use serde_json::{Value, json};

fn with_device(mfa: &MfaUser, device: &str) -> Value {
    let mut body = mfa.user.credentials();
    body["deviceToken"] = json!(device);
    body
}

/// Completes a login with backup code `backup` and `rememberDevice: true`; the device token.
async fn remember(app: &TestApp, mfa: &MfaUser, backup: usize) -> String {
    let token = app.mfa_challenge(&mfa.user).await;
    let reply = app
        .post_json(
            "/v1/auth/mfa/verify",
            &json!({"mfaToken": token, "code": mfa.backup_code(backup), "rememberDevice": true}),
        )
        .await;
    reply.ok(200)["deviceToken"]
        .as_str()
        .unwrap_or_else(|| panic!("a deviceToken: {reply:#?}"))
        .to_owned()
}

#[apply(backends)]
async fn suspension_voids_a_pending_mfa_token_and_a_remembered_device(backend: Backend) {
    let (app, admin) = spawn_admin_app(backend).await;
    let mfa = app.mfa_user().await;
    let device = remember(&app, &mfa, 0).await;
    // Before: the device spares the second factor.
    app.login_reply(&with_device(&mfa, &device)).await.ok(200);
    let pending = app.mfa_challenge(&mfa.user).await;

    app.set_status(admin.token(), &mfa.user.id, "suspended")
        .await
        .ok(200);
    app.set_status(admin.token(), &mfa.user.id, "active")
        .await
        .ok(200);
    next_second().await;

    // A right code (an unused backup code) with the old mfaToken: refused for the token.
    app.mfa_verify(&pending, mfa.backup_code(1))
        .await
        .error(401, "INVALID_MFA_TOKEN");
    // The remembered device asks for the second factor again, which still works.
    let token = mfa_token_of(&app.login_reply(&with_device(&mfa, &device)).await);
    let reply = app.mfa_verify(&token, mfa.backup_code(1)).await;
    let access = reply.ok(200)["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("accessToken: {reply:#?}"));
    let status = app.mfa_status(access).await;
    assert_eq!(status["devices"], json!([]), "{status}");
}
