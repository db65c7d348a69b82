//! The answers of the MFA errors.

use super::ApiError;
use actix_web::http::StatusCode;
use actix_web::http::header::RETRY_AFTER;
use authd_domain::error::{FieldError, ValidationErrors};
use authd_domain::mfa::MfaMethod;
use authd_domain::policy::rate_limit::RateLimitDecision;
use authd_domain::services::{LoginError, MfaError, MfaLoginError};
use authd_domain::token::RawToken;

fn answer(e: impl Into<ApiError>) -> (u16, &'static str) {
    let e = e.into();
    (e.status().as_u16(), e.code())
}

fn body_of(e: &ApiError) -> serde_json::Value {
    let res = e.render("req-1");
    let bytes = actix_web::body::to_bytes(res.into_body());
    let bytes = futures_util::FutureExt::now_or_never(bytes)
        .unwrap()
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

fn refused(resets_in_secs: i64) -> RateLimitDecision {
    RateLimitDecision {
        allowed: false,
        limit: 10,
        remaining: 0,
        resets_in: chrono::Duration::seconds(resets_in_secs),
    }
}

#[test]
fn managing_mfa_answers_the_documented_statuses_and_codes() {
    let cases = [
        (MfaError::MethodUnavailable, (400, "MFA_METHOD_UNAVAILABLE")),
        (MfaError::AlreadyEnabled, (409, "MFA_ALREADY_ENABLED")),
        (MfaError::NotEnabled, (400, "MFA_NOT_ENABLED")),
        (MfaError::InvalidCode, (401, "INVALID_MFA_CODE")),
        (MfaError::BackupCodeUsed, (401, "MFA_BACKUP_CODE_USED")),
        (MfaError::InvalidCredentials, (401, "INVALID_CREDENTIALS")),
        (
            MfaError::AccountLocked { retry_after: 60 },
            (423, "ACCOUNT_LOCKED"),
        ),
        (
            MfaError::RateLimited(refused(30)),
            (429, "RATE_LIMIT_EXCEEDED"),
        ),
        (MfaError::DeviceNotFound, (404, "DEVICE_NOT_FOUND")),
        (MfaError::UserNotFound, (401, "TOKEN_REVOKED")),
        (
            MfaError::Validation(ValidationErrors(vec![FieldError::new("code", "X", "x")])),
            (400, "VALIDATION_ERROR"),
        ),
    ];
    for (error, expected) in cases {
        let shown = format!("{error:?}");
        assert_eq!(answer(error), expected, "{shown}");
    }
}

#[test]
fn the_second_step_of_a_login_answers_the_documented_statuses_and_codes() {
    let cases = [
        (MfaLoginError::InvalidMfaToken, (401, "INVALID_MFA_TOKEN")),
        (MfaLoginError::InvalidCode, (401, "INVALID_MFA_CODE")),
        (MfaLoginError::BackupCodeUsed, (401, "MFA_BACKUP_CODE_USED")),
        (
            MfaLoginError::AccountLocked { retry_after: 60 },
            (423, "ACCOUNT_LOCKED"),
        ),
        (
            MfaLoginError::RateLimited(refused(30)),
            (429, "RATE_LIMIT_EXCEEDED"),
        ),
        (MfaLoginError::AccountSuspended, (403, "ACCOUNT_SUSPENDED")),
        (MfaLoginError::AccountDeleted, (403, "ACCOUNT_DELETED")),
        (
            MfaLoginError::CredentialsChanged,
            (401, "INVALID_CREDENTIALS"),
        ),
    ];
    for (error, expected) in cases {
        let shown = format!("{error:?}");
        assert_eq!(answer(error), expected, "{shown}");
    }
}

#[test]
fn mfa_required_is_a_401_envelope_carrying_the_challenge_in_data() {
    let e = ApiError::from(LoginError::MfaRequired {
        mfa_token: RawToken::new("challenge-token".to_owned()),
        methods: vec![MfaMethod::Totp, MfaMethod::BackupCode],
    });
    assert_eq!(e.status(), StatusCode::UNAUTHORIZED);
    let body = body_of(&e);
    assert_eq!(body["success"], false);
    assert_eq!(body["error"]["code"], "MFA_REQUIRED");
    assert_eq!(body["data"]["mfaToken"], "challenge-token");
    assert_eq!(
        body["data"]["methods"],
        serde_json::json!(["totp", "backup_code"])
    );
    assert_eq!(body["requestId"], "req-1");
    // Neither the log's Debug nor any other error shows the token.
    assert!(!format!("{e:?}").contains("challenge-token"));
    assert!(body_of(&ApiError::InvalidMfaCode)["data"].is_null());
}

#[test]
fn the_per_user_mfa_limit_answers_429_with_the_rate_limit_headers_of_its_decision() {
    let e = ApiError::from(MfaLoginError::RateLimited(refused(61)));
    let res = e.render("r");
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let header = |name: &str| {
        res.headers()
            .get(name)
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(header(RETRY_AFTER.as_str()), "61");
    assert_eq!(header("x-ratelimit-limit"), "10");
    assert_eq!(header("x-ratelimit-remaining"), "0");
    let reset: i64 = header("x-ratelimit-reset").parse().unwrap();
    let now = chrono::Utc::now().timestamp();
    assert!((now + 60..=now + 62).contains(&reset), "{reset} vs {now}");
    let body = body_of(&e);
    assert_eq!(body["error"]["retryAfter"], 61);
    assert_eq!(
        body["error"]["message"],
        "Too many MFA attempts. Try again in 2 minutes."
    );
}
