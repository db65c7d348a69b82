//! The CheckInn error envelope, `{success: false, message, code, errors?: [{field, message}]}`
//! (with `retryAfter` on 423, 429 and 503, and `data: {mfaToken, methods}` on `MFA_REQUIRED`),
//! and the document's messages. Written in one place: the outermost middleware rewords every
//! error answer of a CheckInn route from the parts [`ApiError::render`] left on it (a
//! framework's default, which has none, from its status), whichever layer refused the request:
//! handler, extractor, access check, rate limit, router. Status and headers stay as they are.

use crate::error::{ApiError, ErrorParts, always_false};
use actix_web::HttpResponse;
use actix_web::body::BoxBody;
use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_TYPE, HeaderValue};
use serde::Serialize;
use utoipa::ToSchema;

/// The document's answer to a request without a valid access token.
pub const AUTH_REQUIRED: &str = "Authentication required. Please log in to access this resource.";
/// The document's answer to a locked account.
pub const LOCKED: &str =
    "Account temporarily locked due to too many failed login attempts. Try again later.";

/// Every error of a CheckInn route.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = CheckInnError, example = json!({
    "success": false, "message": "Registration validation failed", "code": "VALIDATION_ERROR",
    "errors": [{"field": "password",
        "message": "Password must contain at least one uppercase letter"}]
}))]
pub struct ErrorAnswer {
    #[schema(schema_with = always_false)]
    success: bool,
    message: String,
    /// The `/v1` error code (each response of the document lists those it can carry).
    #[schema(value_type = String)]
    code: &'static str,
    /// Every rejected field, on `VALIDATION_ERROR`, under the request's own field names.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    errors: Option<Vec<FieldMessage>>,
    /// Seconds to wait, as the `Retry-After` header: on 423, 429 and 503 `SERVICE_BUSY`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, minimum = 1)]
    retry_after: Option<i64>,
    /// On `MFA_REQUIRED`: the challenge to answer at `POST /v1/auth/mfa/verify`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    data: Option<MfaChallenge>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = CheckInnFieldError)]
pub struct FieldMessage {
    field: String,
    message: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = CheckInnMfaChallenge)]
pub struct MfaChallenge {
    mfa_token: String,
    methods: Vec<&'static str>,
}

/// The document's wording of an error of `route` (its template), else the `/v1` one.
fn message(parts: &ErrorParts, status: StatusCode, route: Option<&str>) -> String {
    let own_password = matches!(
        route,
        Some("/api/auth/update-password" | "/api/auth/delete-me")
    );
    let text = match parts.code {
        "VALIDATION_ERROR" if route == Some("/api/auth/register") => {
            "Registration validation failed"
        }
        "VALIDATION_ERROR" => "Validation failed",
        "MISSING_AUTH_HEADER" | "INVALID_AUTH_FORMAT" => AUTH_REQUIRED,
        "INVALID_TOKEN" | "TOKEN_EXPIRED" | "TOKEN_REVOKED"
            if status == StatusCode::UNAUTHORIZED =>
        {
            AUTH_REQUIRED
        }
        "ACCOUNT_LOCKED" => LOCKED,
        "INVALID_CREDENTIALS" if own_password => "Current password is incorrect",
        "INVALID_CREDENTIALS" => "Invalid email or password",
        _ => return parts.message.clone(),
    };
    text.to_owned()
}

/// The request's own name of a field the domain names as `/v1` does.
pub(super) fn field_name(field: &str) -> &str {
    match field {
        "firstName" | "lastName" => "name",
        "newPassword" => "password",
        "currentPassword" => "passwordCurrent",
        other => other,
    }
}

fn answer(parts: &ErrorParts, status: StatusCode, route: Option<&str>) -> ErrorAnswer {
    let mut errors: Vec<FieldMessage> = Vec::new();
    for detail in &parts.details {
        let field = field_name(&detail.field);
        // A first and a last name refused alike are one problem of `name`.
        if !errors
            .iter()
            .any(|e| e.field == field && e.message == detail.message)
        {
            errors.push(FieldMessage {
                field: field.to_owned(),
                message: detail.message.clone(),
            });
        }
    }
    // `/v1`'s code for a missing verification token, and the field the document's forms show.
    if parts.code == "MISSING_TOKEN" && errors.is_empty() {
        errors.push(FieldMessage {
            field: "token".to_owned(),
            message: parts.message.clone(),
        });
    }
    ErrorAnswer {
        success: false,
        message: message(parts, status, route),
        code: parts.code,
        errors: (!errors.is_empty()).then_some(errors),
        retry_after: parts.retry_after,
        data: parts.mfa.as_ref().map(|(token, methods)| MfaChallenge {
            mfa_token: token.clone(),
            methods: methods.clone(),
        }),
    }
}

/// `res`, an error answer of the CheckInn route `route` (its template; `None` for a path no
/// route matched), with its body in the CheckInn envelope.
pub(crate) fn reword<B>(res: HttpResponse<B>, route: Option<&str>) -> HttpResponse<BoxBody> {
    let status = res.status();
    let parts = res
        .extensions()
        .get::<ErrorParts>()
        .cloned()
        .unwrap_or_else(|| ApiError::parts_of_status(status));
    let body = serde_json::to_vec(&answer(&parts, status, route)).unwrap_or_default();
    let (head, _) = res.into_parts();
    let mut res = head.set_body(BoxBody::new(body));
    res.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    res
}

/// The answer to `error` on `route`, as the server writes it: the OpenAPI document's examples.
pub(crate) fn example(error: &ApiError, route: &str) -> serde_json::Value {
    serde_json::to_value(answer(&error.parts(), error.status(), Some(route))).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use authd_domain::error::FieldError;

    fn json(error: &ApiError, route: &str) -> serde_json::Value {
        example(error, route)
    }

    #[test]
    fn a_bad_or_missing_token_is_the_documents_401() {
        for e in [
            ApiError::MissingAuthHeader,
            ApiError::InvalidAuthFormat,
            ApiError::InvalidAccessToken,
            ApiError::AccessTokenExpired,
            ApiError::TokenRevoked,
        ] {
            let body = json(&e, "/api/auth/me");
            assert_eq!(body["message"], AUTH_REQUIRED, "{e:?}");
            assert_eq!(body["success"], false);
            assert_eq!(body["code"], e.code());
        }
        // A one-time token is another matter (404/410), worded as on `/v1`.
        let body = json(&ApiError::OneTimeTokenExpired, "/api/auth/verify-email");
        assert_eq!(body["message"], "Token has expired");
    }

    #[test]
    fn a_lock_is_the_documents_423_with_its_wait() {
        let body = json(
            &ApiError::AccountLocked { retry_after: 900 },
            "/api/auth/login",
        );
        assert_eq!(
            body,
            serde_json::json!({
                "success": false, "message": LOCKED, "code": "ACCOUNT_LOCKED", "retryAfter": 900
            })
        );
    }

    #[test]
    fn field_errors_carry_the_requests_own_names_once() {
        let e = ApiError::Validation(vec![
            FieldError::new(
                "firstName",
                "FIELD_TOO_LONG",
                "Must be at most 100 characters",
            ),
            FieldError::new(
                "lastName",
                "FIELD_TOO_LONG",
                "Must be at most 100 characters",
            ),
            FieldError::new("newPassword", "INVALID_PASSWORD_STRENGTH", "Too short"),
            FieldError::new("currentPassword", "REQUIRED_FIELD_MISSING", "Required"),
        ]);
        let body = json(&e, "/api/auth/register");
        assert_eq!(body["message"], "Registration validation failed");
        assert_eq!(
            body["errors"],
            serde_json::json!([
                {"field": "name", "message": "Must be at most 100 characters"},
                {"field": "password", "message": "Too short"},
                {"field": "passwordCurrent", "message": "Required"},
            ])
        );
        let body = json(&e, "/api/auth/update-me");
        assert_eq!(body["message"], "Validation failed");
        let body = json(&ApiError::Validation(Vec::new()), "/api/auth/login");
        assert!(body.get("errors").is_none(), "{body}");
    }

    #[test]
    fn a_second_factor_to_come_carries_its_challenge() {
        let e = ApiError::MfaRequired {
            mfa_token: authd_domain::token::RawToken::new("mfa-tok".to_owned()),
            methods: vec![authd_domain::mfa::MfaMethod::Totp],
        };
        let body = json(&e, "/api/auth/login");
        assert_eq!(body["code"], "MFA_REQUIRED");
        assert_eq!(
            body["data"],
            serde_json::json!({"mfaToken": "mfa-tok", "methods": ["totp"]})
        );
        let parts = format!("{:?}", e.parts());
        assert!(!parts.contains("mfa-tok"), "{parts}");
    }

    #[test]
    fn wrong_credentials_are_worded_for_the_route() {
        let e = ApiError::InvalidCredentials;
        assert_eq!(
            json(&e, "/api/auth/login")["message"],
            "Invalid email or password"
        );
        assert_eq!(
            json(&e, "/api/auth/update-password")["message"],
            "Current password is incorrect"
        );
    }

    #[test]
    fn a_framework_answer_without_parts_is_worded_from_its_status() {
        let res = HttpResponse::build(StatusCode::METHOD_NOT_ALLOWED)
            .insert_header(("allow", "POST"))
            .body("nope");
        let res = reword(res, None);
        assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(res.headers().get("allow").unwrap(), "POST");
        assert_eq!(
            res.headers().get("content-type").unwrap(),
            "application/json"
        );
        let bytes = actix_web::body::to_bytes(res.into_body());
        let bytes = futures_util::FutureExt::now_or_never(bytes)
            .unwrap()
            .unwrap();
        let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(body["code"], "METHOD_NOT_ALLOWED");
        assert_eq!(body["success"], false);
    }
}
