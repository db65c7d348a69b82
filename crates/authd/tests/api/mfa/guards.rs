//! What guards the codes: a challenge dies after 5 wrong codes, wrong codes lock the account,
//! codes are limited per user, and no input makes the server fail.

use crate::helpers::{Backend, TestApp, spawn_app, spawn_app_with};
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn five_wrong_codes_kill_the_challenge_but_not_the_code() {
    // A lockout would hide the challenge's own limit.
    let app = spawn_app_with(Backend::Memory, &[("MAX_FAILED_ATTEMPTS", "100")]).await;
    let mfa = app.mfa_user().await;
    let token = app.mfa_challenge(&mfa.user).await;
    let wrong = mfa.setup.authenticator.wrong_code().await;

    for _ in 0..5 {
        app.mfa_verify(&token, &wrong)
            .await
            .error(401, "INVALID_MFA_CODE");
    }

    app.mfa_verify(&token, mfa.backup_code(0))
        .await
        .error(401, "INVALID_MFA_TOKEN");
    let fresh = app.mfa_challenge(&mfa.user).await;
    app.mfa_verify(&fresh, mfa.backup_code(0)).await.ok(200);
}

#[tokio::test]
async fn wrong_codes_count_towards_the_lockout() {
    let app = spawn_app(Backend::Memory).await;
    let mfa = app.mfa_user().await;
    let token = app.mfa_challenge(&mfa.user).await;
    let wrong = mfa.setup.authenticator.wrong_code().await;

    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(app.mfa_verify(&token, &wrong).await.status);
    }

    // The fifth wrong code is the failure that locks: 423 at once, as for a fifth wrong password.
    assert_eq!(statuses, [401, 401, 401, 401, 423], "{statuses:?}");
    let login = app.login_reply(&mfa.user.credentials()).await;
    login.error(423, "ACCOUNT_LOCKED");
}

/// With the production limits, the login's 5 per address do not cut the second step short: a
/// user's codes meet the lockout (and the per-user limit), never the login bucket.
#[tokio::test]
async fn with_the_default_limits_the_fifth_wrong_code_locks_rather_than_hitting_the_login_limit() {
    let app = spawn_app_with(Backend::Memory, &[("RATE_LIMIT_ENABLED", "true")]).await;
    let mfa = app.mfa_user().await;
    let token = app.mfa_challenge(&mfa.user).await;
    let wrong = mfa.setup.authenticator.wrong_code().await;

    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(app.mfa_verify(&token, &wrong).await.status);
    }

    assert_eq!(statuses, [401, 401, 401, 401, 423], "{statuses:?}");
}

#[tokio::test]
async fn codes_are_limited_per_user_with_the_rate_limit_headers() {
    let app = spawn_app_with(
        Backend::Memory,
        &[
            ("RATE_LIMIT_ENABLED", "true"),
            ("RATE_LIMIT_MAX", "10000"),
            ("AUTH_RATE_LIMIT_MAX", "10000"),
            ("MAX_FAILED_ATTEMPTS", "100"),
        ],
    )
    .await;
    let mfa = app.mfa_user().await;
    let wrong = mfa.setup.authenticator.wrong_code().await;

    let mut refused = None;
    let mut token = String::new();
    for attempt in 0..12 {
        if attempt % 5 == 0 {
            token = app.mfa_challenge(&mfa.user).await;
        }
        let reply = app.mfa_verify(&token, &wrong).await;
        if reply.status == 429 {
            refused = Some((attempt, reply));
            break;
        }
        reply.error(401, "INVALID_MFA_CODE");
    }

    let (attempt, reply) = refused.expect("the 10 codes per 5 minutes of a user run out");
    assert!(attempt >= 9, "refused after {attempt} codes");
    let error = reply.error(429, "RATE_LIMIT_EXCEEDED");
    let retry_after = error["retryAfter"].as_u64().expect("retryAfter");
    assert!((1..=300).contains(&retry_after), "{retry_after}");
    assert_eq!(
        reply.header("retry-after"),
        Some(retry_after.to_string().as_str())
    );
    // The user's limit, not the address's (10000).
    assert_eq!(reply.header("x-ratelimit-limit"), Some("10"));
    assert_eq!(reply.header("x-ratelimit-remaining"), Some("0"));
    assert!(reply.header("x-ratelimit-reset").is_some());
}

async fn assert_refused_cleanly(
    app: &TestApp,
    method: Method,
    path: &str,
    access: Option<&str>,
    body: &Value,
) {
    let reply = app.call(method.clone(), path, access, body).await;
    assert!(
        (400..500).contains(&reply.status),
        "{method} {path} {body}: {reply:#?}"
    );
    let code = reply.body["error"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    reply.error(reply.status, &code);
}

#[tokio::test]
async fn garbage_in_any_field_is_a_4xx_in_the_envelope_never_a_5xx() {
    let app = spawn_app_with(Backend::Memory, &[("MAX_FAILED_ATTEMPTS", "1000")]).await;
    let mfa = app.mfa_user().await;
    let token = app.mfa_challenge(&mfa.user).await;
    let access = mfa.access_token.as_str();
    let long = "9".repeat(10_000);
    let values = [
        json!(null),
        json!(5),
        json!(-1.5e300),
        json!(true),
        json!([]),
        json!({"nested": {"deeper": [1, 2]}}),
        json!(""),
        json!("   "),
        json!("１２３４５６"),
        json!("12345\u{0}"),
        json!("' OR 1=1 --"),
        json!(long),
        json!("١٢٣٤٥٦"),
    ];
    let fields: [(&str, &str, &[&str]); 5] = [
        ("/v1/auth/mfa/setup", "POST", &["type", "deviceName"]),
        (
            "/v1/auth/mfa/verify",
            "POST",
            &["mfaToken", "code", "rememberDevice"],
        ),
        ("/v1/auth/mfa/backup-codes", "POST", &["password"]),
        ("/v1/auth/mfa", "DELETE", &["password", "code"]),
        ("/v1/auth/login", "POST", &["deviceToken"]),
    ];
    for (path, method, names) in fields {
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        for name in names {
            for value in &values {
                let mut body = match (path, *name) {
                    ("/v1/auth/mfa/verify", "mfaToken") => json!({"code": "123456"}),
                    ("/v1/auth/mfa/verify", _) => json!({"mfaToken": token, "code": "123456"}),
                    ("/v1/auth/mfa/setup", _) => json!({"type": "totp"}),
                    ("/v1/auth/mfa", _) => {
                        json!({"password": "Wr0ng-Password!x", "code": "123456"})
                    }
                    ("/v1/auth/login", _) => {
                        json!({"email": mfa.user.email, "password": "Wr0ng!x"})
                    }
                    _ => json!({}),
                };
                body[*name] = value.clone();
                assert_refused_cleanly(&app, method.clone(), path, Some(access), &body).await;
            }
        }
        for body in [json!([1]), json!("text"), json!(42)] {
            assert_refused_cleanly(&app, method.clone(), path, Some(access), &body).await;
        }
    }
    let long_id = "f".repeat(1_000);
    for id in [
        "x",
        "..%2F..%2Fetc",
        "00000000-0000-0000-0000-00000000000g",
        &long_id,
    ] {
        let path = format!("/v1/auth/mfa/devices/{id}");
        assert_refused_cleanly(&app, Method::DELETE, &path, Some(access), &json!({})).await;
    }
    // Still working afterwards.
    app.mfa_status(access).await;
}
