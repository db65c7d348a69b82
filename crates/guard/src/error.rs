//! What the guard refuses, answered in authd's `/v1` error envelope:
//! `{"success": false, "error": {"code", "message"}, "timestamp"}`.

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, WWW_AUTHENTICATE};
use actix_web::{HttpResponse, ResponseError};
use serde_json::json;

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

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((CACHE_CONTROL, "no-store"));
        if self.status_code() == StatusCode::UNAUTHORIZED {
            // RFC 6750: which scheme the resource wants.
            response.insert_header((WWW_AUTHENTICATE, "Bearer"));
        }
        response.json(json!({
            "success": false,
            "error": { "code": self.code(), "message": self.message() },
            "timestamp": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        }))
    }
}
