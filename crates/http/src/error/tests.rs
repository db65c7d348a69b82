use super::*;
use authd_domain::error::{InfraError, ValidationErrors};
use authd_domain::services::{
    AuthenticateError, ChangePasswordError, DeactivateError, LoginError, ProfileError,
    RefreshError, RegisterError, ResetPasswordError, RevokeSessionError, UpdateProfileError,
    VerifyEmailError,
};

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

#[test]
fn login_errors_answer_the_documented_statuses_and_codes() {
    assert_eq!(
        answer(LoginError::MissingCredentials),
        (400, "MISSING_CREDENTIALS")
    );
    assert_eq!(
        answer(LoginError::InvalidCredentials),
        (401, "INVALID_CREDENTIALS")
    );
    assert_eq!(
        answer(LoginError::EmailNotVerified),
        (401, "EMAIL_NOT_VERIFIED")
    );
    assert_eq!(
        answer(LoginError::AccountLocked { retry_after: 90 }),
        (423, "ACCOUNT_LOCKED")
    );
    assert_eq!(
        answer(LoginError::AccountSuspended),
        (403, "ACCOUNT_SUSPENDED")
    );
    assert_eq!(answer(LoginError::AccountDeleted), (403, "ACCOUNT_DELETED"));
}

#[test]
fn one_time_tokens_are_404_or_410_but_access_tokens_are_401() {
    assert_eq!(
        answer(VerifyEmailError::InvalidToken),
        (404, "INVALID_TOKEN")
    );
    assert_eq!(
        answer(VerifyEmailError::TokenExpired),
        (410, "TOKEN_EXPIRED")
    );
    assert_eq!(
        answer(ResetPasswordError::InvalidToken),
        (404, "INVALID_TOKEN")
    );
    assert_eq!(
        answer(ResetPasswordError::TokenExpired),
        (410, "TOKEN_EXPIRED")
    );
    assert_eq!(
        answer(AuthenticateError::InvalidToken),
        (401, "INVALID_TOKEN")
    );
    assert_eq!(
        answer(AuthenticateError::TokenExpired),
        (401, "TOKEN_EXPIRED")
    );
    assert_eq!(
        answer(AuthenticateError::TokenRevoked),
        (401, "TOKEN_REVOKED")
    );
}

#[test]
fn refresh_and_registration_errors_map_to_their_codes() {
    assert_eq!(
        answer(RefreshError::InvalidRefreshToken),
        (401, "INVALID_REFRESH_TOKEN")
    );
    assert_eq!(answer(RefreshError::TokenRevoked), (401, "TOKEN_REVOKED"));
    assert_eq!(answer(RegisterError::EmailTaken), (409, "EMAIL_EXISTS"));
    assert_eq!(
        answer(RegisterError::UsernameTaken),
        (409, "USERNAME_EXISTS")
    );
    assert_eq!(
        answer(RegisterError::Validation(ValidationErrors::default())),
        (400, "VALIDATION_ERROR")
    );
}

#[test]
fn a_vanished_account_reads_as_a_revoked_token() {
    assert_eq!(answer(ProfileError::AccountGone), (401, "TOKEN_REVOKED"));
    assert_eq!(
        answer(UpdateProfileError::AccountGone),
        (401, "TOKEN_REVOKED")
    );
    assert_eq!(answer(DeactivateError::AccountGone), (401, "TOKEN_REVOKED"));
    assert_eq!(
        answer(ChangePasswordError::AccountGone),
        (401, "TOKEN_REVOKED")
    );
    assert_eq!(
        answer(DeactivateError::InvalidCredentials),
        (401, "INVALID_CREDENTIALS")
    );
    assert_eq!(
        answer(ChangePasswordError::InvalidCredentials),
        (401, "INVALID_CREDENTIALS")
    );
}

/// Deactivation and password change answer a lock alike (both confirm with the password).
#[test]
fn a_locked_account_is_423_for_deactivation_as_for_a_password_change() {
    let locked = || (423, "ACCOUNT_LOCKED");
    assert_eq!(
        answer(DeactivateError::AccountLocked { retry_after: 90 }),
        locked()
    );
    assert_eq!(
        answer(ChangePasswordError::AccountLocked { retry_after: 90 }),
        locked()
    );
    let e = ApiError::from(DeactivateError::AccountLocked { retry_after: 90 });
    assert_eq!(e.retry_after(), Some(90));
}

#[test]
fn another_users_session_is_not_found() {
    assert_eq!(answer(RevokeSessionError::NotFound), (404, "NOT_FOUND"));
}

#[test]
fn infrastructure_failures_are_503_busy_503_unavailable_or_500() {
    assert_eq!(answer(InfraError::Busy), (503, "SERVICE_BUSY"));
    assert_eq!(
        answer(InfraError::Unavailable("db down".into())),
        (503, "SERVICE_UNAVAILABLE")
    );
    assert_eq!(answer(InfraError::internal("bug")), (500, "INTERNAL_ERROR"));
    assert_eq!(
        answer(LoginError::Infra(InfraError::Busy)),
        (503, "SERVICE_BUSY")
    );
}

#[test]
fn request_level_errors_answer_their_statuses() {
    let table = [
        (ApiError::MissingToken, 400, "MISSING_TOKEN"),
        (ApiError::MissingRefreshToken, 400, "MISSING_REFRESH_TOKEN"),
        (ApiError::MissingAuthHeader, 401, "MISSING_AUTH_HEADER"),
        (ApiError::InvalidAuthFormat, 401, "INVALID_AUTH_FORMAT"),
        (ApiError::CsrfFailed, 403, "CSRF_FAILED"),
        (ApiError::NotFound("x"), 404, "NOT_FOUND"),
        (
            ApiError::MethodNotAllowed { allow: None },
            405,
            "METHOD_NOT_ALLOWED",
        ),
        (
            ApiError::PayloadTooLarge { limit: 1 },
            413,
            "PAYLOAD_TOO_LARGE",
        ),
        (
            ApiError::UnsupportedMediaType,
            415,
            "UNSUPPORTED_MEDIA_TYPE",
        ),
        (ApiError::RequestTimeout, 408, "REQUEST_TIMEOUT"),
    ];
    for (e, status, code) in table {
        assert_eq!((e.status().as_u16(), e.code()), (status, code));
    }
}

#[test]
fn the_envelope_carries_code_message_timestamp_and_request_id() {
    let body = body_of(&ApiError::InvalidCredentials);
    assert_eq!(body["success"], false);
    assert_eq!(body["error"]["code"], "INVALID_CREDENTIALS");
    assert_eq!(body["requestId"], "req-1");
    assert!(body["timestamp"].as_str().unwrap().ends_with('Z'));
    assert!(body["error"].get("details").is_none());
    assert!(body["error"].get("retryAfter").is_none());
}

#[test]
fn validation_details_list_field_message_and_code() {
    let e = ApiError::field("password", "INVALID_PASSWORD_STRENGTH", "Too short");
    let body = body_of(&e);
    assert_eq!(
        body["error"]["details"],
        serde_json::json!([{"field": "password", "message": "Too short", "code": "INVALID_PASSWORD_STRENGTH"}])
    );
}

#[test]
fn a_locked_account_says_when_to_retry_in_body_and_header() {
    let e = ApiError::AccountLocked { retry_after: 1800 };
    let res = e.render("r");
    assert_eq!(res.headers().get(RETRY_AFTER).unwrap(), "1800");
    assert_eq!(body_of(&e)["error"]["retryAfter"], 1800);
}

#[test]
fn an_exceeded_rate_limit_is_a_429_saying_when_to_retry_in_body_and_header() {
    let e = ApiError::RateLimitExceeded {
        group: crate::middleware::rate_limit::LimitGroup::Register,
        retry_after: 3600,
    };
    let res = e.render("r");
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(res.headers().get(RETRY_AFTER).unwrap(), "3600");
    let body = body_of(&e);
    assert_eq!(body["error"]["code"], "RATE_LIMIT_EXCEEDED");
    assert_eq!(
        body["error"]["message"],
        "Too many registration attempts. Try again in 1 hour."
    );
    assert_eq!(body["error"]["retryAfter"], 3600);
}

#[test]
fn a_busy_service_asks_to_retry_shortly() {
    let res = ApiError::ServiceBusy.render("r");
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(res.headers().contains_key(RETRY_AFTER));
}

#[test]
fn an_internal_error_never_shows_its_cause() {
    let e = ApiError::internal("password column missing in table users");
    let text = body_of(&e).to_string();
    assert!(!text.contains("column"), "{text}");
    assert!(!format!("{e:?}").contains("column"));
}

#[test]
fn a_body_timeout_closes_the_connection_with_its_answer() {
    let res = ApiError::RequestTimeout.render("r");
    assert_eq!(res.status().as_u16(), 408);
    assert_eq!(
        res.head().connection_type(),
        actix_web::http::ConnectionType::Close
    );
    assert_ne!(
        ApiError::NotFound("x").render("r").head().connection_type(),
        actix_web::http::ConnectionType::Close
    );
}

#[test]
fn method_not_allowed_lists_the_allowed_methods() {
    let res = ApiError::MethodNotAllowed {
        allow: Some("GET, PUT".to_owned()),
    }
    .render("r");
    assert_eq!(res.headers().get(ALLOW).unwrap(), "GET, PUT");
}

#[test]
fn an_account_gone_behind_a_valid_token_is_its_own_case_answered_as_revoked() {
    for e in [
        ApiError::from(ProfileError::AccountGone),
        ApiError::from(UpdateProfileError::AccountGone),
        ApiError::from(DeactivateError::AccountGone),
        ApiError::from(ChangePasswordError::AccountGone),
    ] {
        assert!(matches!(e, ApiError::AccountGone), "{e:?}");
        assert_eq!(body_of(&e)["error"]["code"], "TOKEN_REVOKED");
    }
}

#[test]
fn admin_errors_answer_their_documented_statuses_and_codes() {
    use authd_domain::services::AdminError;
    assert_eq!(
        answer(AdminError::InsufficientPermissions),
        (403, "INSUFFICIENT_PERMISSIONS")
    );
    assert_eq!(answer(AdminError::UserNotFound), (404, "USER_NOT_FOUND"));
    assert_eq!(answer(AdminError::AccountDeleted), (409, "ACCOUNT_DELETED"));
    assert_eq!(
        answer(AdminError::AccountSuspended),
        (409, "ACCOUNT_SUSPENDED")
    );
    assert_eq!(answer(AdminError::LastAdmin), (409, "LAST_ADMIN"));
    assert_eq!(
        answer(AdminError::Infra(InfraError::Busy)),
        (503, "SERVICE_BUSY")
    );
    let invalid = ValidationErrors(vec![FieldError::new(
        "roles",
        "UNKNOWN_ROLE",
        "Role `root` is not configured",
    )]);
    let e = ApiError::from(AdminError::Validation(invalid));
    assert_eq!((e.status().as_u16(), e.code()), (400, "VALIDATION_ERROR"));
    let body = body_of(&e);
    assert_eq!(body["error"]["details"][0]["field"], "roles");
    assert_eq!(body["error"]["details"][0]["code"], "UNKNOWN_ROLE");
}

/// Signing in to a suspended or deleted account is a 403; an administrator acting on one is a
/// conflict with the account's state, 409, under the same code.
#[test]
fn account_state_codes_are_403_at_login_and_409_for_administrators() {
    use authd_domain::services::AdminError;
    assert_eq!(answer(LoginError::AccountSuspended).0, 403);
    assert_eq!(answer(AdminError::AccountSuspended).0, 409);
    assert_eq!(answer(LoginError::AccountDeleted).0, 403);
    assert_eq!(answer(AdminError::AccountDeleted).0, 409);
}

#[test]
fn the_access_refusals_are_403_with_their_codes_and_messages() {
    for (e, code) in [
        (ApiError::IpNotAllowed, "IP_NOT_ALLOWED"),
        (
            ApiError::InsufficientPermissions,
            "INSUFFICIENT_PERMISSIONS",
        ),
    ] {
        assert_eq!((e.status().as_u16(), e.code()), (403, code));
        let body = body_of(&e);
        assert_eq!(body["error"]["code"], code);
        assert!(!body["error"]["message"].as_str().unwrap().is_empty());
    }
}

/// A registration asking for a role it may not take is refused on `role`, as the request
/// names it.
#[test]
fn a_refused_registration_role_is_a_validation_error_on_role() {
    let refused = ValidationErrors(vec![FieldError::new(
        "role",
        "ROLE_NOT_ALLOWED",
        "This role cannot be chosen at registration",
    )]);
    let e = ApiError::from(RegisterError::Validation(refused));
    assert_eq!((e.status().as_u16(), e.code()), (400, "VALIDATION_ERROR"));
    assert_eq!(body_of(&e)["error"]["details"][0]["field"], "role");
}
