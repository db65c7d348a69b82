//! What the guard refuses, answered in authd's `/v1` error envelope:
//! `{"success": false, "error": {"code", "message"}, "timestamp", "requestId"}`, the request id
//! also in `X-Request-Id`, as authd answers.

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, HeaderName, WWW_AUTHENTICATE};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use serde_json::json;
use std::fmt;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum GuardError {
    /// No `Authorization` header.
    #[error("missing authorization header")]
    MissingAuthHeader,
    /// An `Authorization` header that is not `Bearer <token>`.
    #[error("invalid authorization format")]
    InvalidAuthFormat,
    /// Not a token of this authd: signature, key, algorithm, `typ`, issuer, audience or claims.
    #[error("invalid access token")]
    InvalidToken,
    /// A token of this authd past its `exp`.
    #[error("access token expired")]
    TokenExpired,
    /// Introspection said the token is no longer active (logged out, revoked, account gone).
    #[error("access token revoked")]
    TokenRevoked,
    /// The principal lacks every role or the permission the route requires.
    #[error("insufficient permissions")]
    InsufficientPermissions,
    /// authd could not be asked (the JWKS while no key is known yet, or introspection): the
    /// guard fails closed.
    #[error("authorization service unavailable")]
    Unavailable,
}

impl GuardError {
    /// The `error.code` of authd's envelope.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::MissingAuthHeader => "MISSING_AUTH_HEADER",
            Self::InvalidAuthFormat => "INVALID_AUTH_FORMAT",
            Self::InvalidToken => "INVALID_TOKEN",
            Self::TokenExpired => "TOKEN_EXPIRED",
            Self::TokenRevoked => "TOKEN_REVOKED",
            Self::InsufficientPermissions => "INSUFFICIENT_PERMISSIONS",
            Self::Unavailable => "SERVICE_UNAVAILABLE",
        }
    }

    /// The `error.message`, worded as authd words it.
    #[must_use]
    pub fn message(self) -> &'static str {
        match self {
            Self::MissingAuthHeader => "Authorization header is missing",
            Self::InvalidAuthFormat => "Authorization header must be: Bearer <token>",
            Self::InvalidToken => "Access token is invalid or malformed",
            Self::TokenExpired => "Access token has expired",
            Self::TokenRevoked => "Token has been revoked",
            Self::InsufficientPermissions => "Insufficient permissions for this action",
            Self::Unavailable => "The authorization service is unavailable; try again shortly",
        }
    }
}

impl ResponseError for GuardError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::InsufficientPermissions => StatusCode::FORBIDDEN,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::UNAUTHORIZED,
        }
    }

    /// Without the request at hand: a new request id.
    fn error_response(&self) -> HttpResponse {
        Refused::new(*self, None).error_response()
    }
}

/// A [`GuardError`] answered to one request: the error of the [`crate::Principal`] extractor,
/// so that the envelope carries the request's id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub error: GuardError,
    /// The incoming `X-Request-Id` when it is a sane token (at most 64 of `[A-Za-z0-9-_.]`, the
    /// rule authd applies), else a new UUID.
    pub request_id: String,
}

impl Refused {
    #[must_use]
    pub fn to(req: &HttpRequest, error: GuardError) -> Self {
        let incoming = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok());
        Self::new(error, incoming)
    }

    fn new(error: GuardError, incoming: Option<&str>) -> Self {
        let request_id = match incoming {
            Some(id) if is_sane(id) => id.to_owned(),
            _ => uuid::Uuid::new_v4().to_string(),
        };
        Self { error, request_id }
    }
}

fn is_sane(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for Refused {}

impl From<Refused> for GuardError {
    fn from(refused: Refused) -> Self {
        refused.error
    }
}

impl ResponseError for Refused {
    fn status_code(&self) -> StatusCode {
        self.error.status_code()
    }

    fn error_response(&self) -> HttpResponse {
        let error = self.error;
        let mut response = HttpResponse::build(error.status_code());
        response.insert_header((CACHE_CONTROL, "no-store"));
        response.insert_header((REQUEST_ID, self.request_id.clone()));
        if error.status_code() == StatusCode::UNAUTHORIZED {
            // RFC 6750: which scheme the resource wants.
            response.insert_header((WWW_AUTHENTICATE, "Bearer"));
        }
        response.json(json!({
            "success": false,
            "error": { "code": error.code(), "message": error.message() },
            "timestamp": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "requestId": self.request_id,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn a_sane_request_id_is_echoed_and_any_other_replaced() {
        let req = TestRequest::default()
            .insert_header(("X-Request-Id", "trace-123.a_b"))
            .to_http_request();
        assert_eq!(
            Refused::to(&req, GuardError::InvalidToken).request_id,
            "trace-123.a_b"
        );
        for bad in ["", "a b", "<script>", &"x".repeat(65)] {
            let req = TestRequest::default()
                .insert_header(("X-Request-Id", bad))
                .to_http_request();
            let id = Refused::to(&req, GuardError::InvalidToken).request_id;
            assert!(uuid::Uuid::parse_str(&id).is_ok(), "{bad:?} -> {id}");
        }
    }
}
