//! No secret of MFA reaches the log, even at `debug`: not the TOTP secret or its URL, not a
//! backup code or TOTP code, not an `mfaToken` or a device token.

use crate::helpers::{mfa_token_of, spawn_logging_process};
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn no_mfa_secret_token_or_code_is_logged_even_at_debug() {
    let app = spawn_logging_process("debug").await;
    let mfa = app.mfa_user().await;
    let challenge = app.login_reply(&mfa.user.credentials()).await;
    let mfa_token = mfa_token_of(&challenge);
    let wrong = mfa.setup.authenticator.wrong_code().await;
    app.mfa_verify(&mfa_token, &wrong)
        .await
        .error(401, "INVALID_MFA_CODE");
    let code = mfa.setup.authenticator.code(0).await;
    let verified = app
        .post_json(
            "/v1/auth/mfa/verify",
            &json!({"mfaToken": mfa_token, "code": code, "rememberDevice": true}),
        )
        .await;
    let device = verified.ok(200)["deviceToken"].as_str().unwrap().to_owned();
    let second = app.mfa_challenge(&mfa.user).await;
    app.mfa_verify(&second, mfa.backup_code(0)).await.ok(200);
    // The last lines are written after their answers: give them a moment.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let log = app.log_output();

    assert!(log.contains("request completed"), "the log is read: {log}");
    let secrets = [
        ("secret", &mfa.setup.secret),
        ("otpauthUrl", &mfa.setup.otpauth_url),
        ("mfaToken", &mfa_token),
        ("second mfaToken", &second),
        ("deviceToken", &device),
    ];
    for (what, value) in secrets {
        assert!(
            !log.contains(value.as_str()),
            "the {what} is in the log:\n{log}"
        );
    }
    let codes = [&code, &wrong].into_iter().chain(&mfa.setup.backup_codes);
    for code in codes {
        assert!(
            !mentions_code(&log, code),
            "the code {code} is in the log:\n{log}"
        );
    }
}

/// Whether `code` appears as a number of its own: not inside a longer number, nor as the
/// fraction of a timestamp's seconds.
fn mentions_code(log: &str, code: &str) -> bool {
    log.match_indices(code).any(|(at, _)| {
        let before = log[..at].chars().next_back();
        let after = log[at + code.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_digit() || c == '.')
            && !after.is_some_and(|c| c.is_ascii_digit())
    })
}
