//! The one error type of the HTTP adapter. Every failure — a domain error, a rejected body, an
//! unknown route — becomes an [`ApiError`], and only [`ApiError::render`] writes the error envelope:
//! `{"success":false,"error":{"code","message","details"?,"retryAfter"?},"timestamp","requestId"}`.

mod body;
mod domain;
mod kinds;
mod message;
mod response;

use crate::middleware::rate_limit::{LimitGroup, retry_after_of, write_limit_headers};
use crate::middleware::request_id;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{ALLOW, RETRY_AFTER};
use authd_domain::error::FieldError;
use authd_domain::mfa::MfaMethod;
use authd_domain::policy::rate_limit::RateLimitDecision;
use authd_domain::token::RawToken;
pub use body::ErrorEnvelope;
pub(crate) use body::always_false;
use body::{ErrorBody, ErrorData};
use std::fmt;

type Source = Box<dyn std::error::Error + Send + Sync>;

/// How long a client should wait when the hashing pool is saturated: it drains in well under a
/// second, so one second is enough and keeps a login storm from synchronising.
const BUSY_RETRY_AFTER_SECS: i64 = 1;

#[derive(thiserror::Error)]
pub enum ApiError {
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("missing credentials")]
    MissingCredentials,
    /// `verify-email` without a token.
    #[error("missing token")]
    MissingToken,
    #[error("missing refresh token")]
    MissingRefreshToken,
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("email not verified")]
    EmailNotVerified,
    #[error("account locked")]
    AccountLocked { retry_after: i64 },
    #[error("account suspended")]
    AccountSuspended,
    #[error("account deleted")]
    AccountDeleted,
    #[error("email exists")]
    EmailExists,
    #[error("username exists")]
    UsernameExists,
    /// A verification or reset token that is unknown or used: 404.
    #[error("invalid one-time token")]
    InvalidOneTimeToken,
    /// A verification or reset token past its lifetime: 410.
    #[error("expired one-time token")]
    OneTimeTokenExpired,
    /// A bearer access token that fails verification: 401.
    #[error("invalid access token")]
    InvalidAccessToken,
    #[error("expired access token")]
    AccessTokenExpired,
    #[error("invalid refresh token")]
    InvalidRefreshToken,
    /// A revoked access or refresh token.
    #[error("token revoked")]
    TokenRevoked,
    /// The account behind a valid access token was deleted or deactivated meanwhile. Answered
    /// as a revoked token (the documented `TOKEN_REVOKED`): its sessions went with it.
    #[error("account gone")]
    AccountGone,
    #[error("missing authorization header")]
    MissingAuthHeader,
    #[error("invalid authorization format")]
    InvalidAuthFormat,
    #[error("csrf check failed")]
    CsrfFailed,
    /// A CORS preflight from an origin outside `ALLOWED_ORIGINS`.
    #[error("cors origin not allowed")]
    CorsOriginNotAllowed,
    #[error("not found")]
    NotFound(&'static str),
    /// `allow` lists the methods the path does accept, for the `Allow` header.
    #[error("method not allowed")]
    MethodNotAllowed { allow: Option<String> },
    #[error("payload too large")]
    PayloadTooLarge { limit: usize },
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// The body did not arrive within `CLIENT_BODY_TIMEOUT`; the connection is closed with the
    /// answer, since the rest of the body may still come.
    #[error("request body timeout")]
    RequestTimeout,
    /// `group`'s limit is exhausted for `retry_after` more seconds.
    #[error("rate limit exceeded")]
    RateLimitExceeded { group: LimitGroup, retry_after: i64 },
    /// The password was right; the second factor is next. Rendered with `data: {mfaToken,
    /// methods}` beside the error.
    #[error("MFA required")]
    MfaRequired {
        mfa_token: RawToken,
        methods: Vec<MfaMethod>,
    },
    #[error("invalid MFA token")]
    InvalidMfaToken,
    #[error("invalid MFA code")]
    InvalidMfaCode,
    #[error("backup code already used")]
    MfaBackupCodeUsed,
    #[error("MFA not enabled")]
    MfaNotEnabled,
    #[error("MFA already enabled")]
    MfaAlreadyEnabled,
    #[error("MFA method unavailable")]
    MfaMethodUnavailable,
    #[error("remembered device not found")]
    DeviceNotFound,
    /// The caller's roles lack the permission the route or the change needs: 403.
    #[error("insufficient permissions")]
    InsufficientPermissions,
    /// An admin route from an address outside `ADMIN_ALLOWED_IPS`: 403.
    #[error("ip not allowed")]
    IpNotAllowed,
    /// An administrator named an account that does not exist: 404.
    #[error("user not found")]
    UserNotFound,
    /// An administrator's change to an account that is deleted (final): 409, unlike the 403 of
    /// signing in to one.
    #[error("target account deleted")]
    TargetDeleted,
    /// An administrator's action that needs an account that is not suspended (a reset mail): 409.
    #[error("target account suspended")]
    TargetSuspended,
    /// The change would leave no active full administrator: 409.
    #[error("last admin")]
    LastAdmin,
    /// The per-user limit of MFA codes (a domain limit, not a per-IP group): the decision gives
    /// the `X-RateLimit-*` headers.
    #[error("too many MFA attempts")]
    MfaRateLimited(RateLimitDecision),
    #[error("service busy")]
    ServiceBusy,
    #[error("service unavailable: {0}")]
    ServiceUnavailable(#[source] Source),
    #[error("internal error: {0}")]
    Internal(#[source] Source),
}

// Written by hand so a cause never prints more than its summary (the chain goes to the log).
impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiError({})", self.code())
    }
}

impl ApiError {
    /// One rejected field.
    #[must_use]
    pub fn field(field: &str, code: &'static str, message: &str) -> Self {
        Self::Validation(vec![FieldError::new(field, code, message)])
    }

    /// A failure the adapter did not expect, answered 500.
    pub fn internal(e: impl Into<Source>) -> Self {
        Self::Internal(e.into())
    }

    /// The safety net for responses produced outside this crate (a framework default): the same
    /// status family in the envelope.
    #[must_use]
    pub fn from_status(status: StatusCode) -> Self {
        match status.as_u16() {
            401 => Self::MissingAuthHeader,
            404 => Self::NotFound("Resource not found"),
            405 => Self::MethodNotAllowed { allow: None },
            408 => Self::RequestTimeout,
            413 => Self::PayloadTooLarge { limit: 0 },
            415 => Self::UnsupportedMediaType,
            503 => Self::ServiceUnavailable("service unavailable".into()),
            400..=499 => Self::Validation(Vec::new()),
            _ => Self::Internal(format!("framework answered {status}").into()),
        }
    }

    #[must_use]
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Validation(_)
            | Self::MissingCredentials
            | Self::MissingToken
            | Self::MissingRefreshToken => StatusCode::BAD_REQUEST,
            Self::InvalidCredentials
            | Self::EmailNotVerified
            | Self::InvalidAccessToken
            | Self::AccessTokenExpired
            | Self::InvalidRefreshToken
            | Self::TokenRevoked
            | Self::AccountGone
            | Self::MissingAuthHeader
            | Self::InvalidAuthFormat
            | Self::MfaRequired { .. }
            | Self::InvalidMfaToken
            | Self::InvalidMfaCode
            | Self::MfaBackupCodeUsed => StatusCode::UNAUTHORIZED,
            Self::MfaNotEnabled | Self::MfaMethodUnavailable => StatusCode::BAD_REQUEST,
            Self::MfaAlreadyEnabled
            | Self::TargetDeleted
            | Self::TargetSuspended
            | Self::LastAdmin => StatusCode::CONFLICT,
            Self::DeviceNotFound | Self::UserNotFound => StatusCode::NOT_FOUND,
            Self::InsufficientPermissions | Self::IpNotAllowed => StatusCode::FORBIDDEN,
            Self::AccountLocked { .. } => StatusCode::LOCKED,
            // The documents give no status for these; the credentials were right but the account
            // may not be used, which is what 403 says.
            Self::AccountSuspended
            | Self::AccountDeleted
            | Self::CsrfFailed
            | Self::CorsOriginNotAllowed => StatusCode::FORBIDDEN,
            Self::EmailExists | Self::UsernameExists => StatusCode::CONFLICT,
            Self::InvalidOneTimeToken | Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::OneTimeTokenExpired => StatusCode::GONE,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::RateLimitExceeded { .. } | Self::MfaRateLimited(_) => {
                StatusCode::TOO_MANY_REQUESTS
            }
            Self::ServiceBusy | Self::ServiceUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Validation(_) => "VALIDATION_ERROR",
            Self::MissingCredentials => "MISSING_CREDENTIALS",
            Self::MissingToken => "MISSING_TOKEN",
            Self::MissingRefreshToken => "MISSING_REFRESH_TOKEN",
            Self::InvalidCredentials => "INVALID_CREDENTIALS",
            Self::EmailNotVerified => "EMAIL_NOT_VERIFIED",
            Self::AccountLocked { .. } => "ACCOUNT_LOCKED",
            Self::AccountSuspended | Self::TargetSuspended => "ACCOUNT_SUSPENDED",
            Self::AccountDeleted | Self::TargetDeleted => "ACCOUNT_DELETED",
            Self::EmailExists => "EMAIL_EXISTS",
            Self::UsernameExists => "USERNAME_EXISTS",
            Self::InvalidOneTimeToken | Self::InvalidAccessToken => "INVALID_TOKEN",
            Self::OneTimeTokenExpired | Self::AccessTokenExpired => "TOKEN_EXPIRED",
            Self::InvalidRefreshToken => "INVALID_REFRESH_TOKEN",
            Self::TokenRevoked | Self::AccountGone => "TOKEN_REVOKED",
            Self::MissingAuthHeader => "MISSING_AUTH_HEADER",
            Self::InvalidAuthFormat => "INVALID_AUTH_FORMAT",
            Self::CsrfFailed => "CSRF_FAILED",
            Self::CorsOriginNotAllowed => "CORS_ORIGIN_NOT_ALLOWED",
            Self::NotFound(_) => "NOT_FOUND",
            Self::MethodNotAllowed { .. } => "METHOD_NOT_ALLOWED",
            Self::PayloadTooLarge { .. } => "PAYLOAD_TOO_LARGE",
            Self::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
            Self::RequestTimeout => "REQUEST_TIMEOUT",
            // The endpoint tables of the Perfect21 doc answer this one code for every group (its
            // finer `*_RATE_LIMIT_EXCEEDED` codes appear in a list only); clients match on it.
            Self::RateLimitExceeded { .. } | Self::MfaRateLimited(_) => "RATE_LIMIT_EXCEEDED",
            Self::MfaRequired { .. } => "MFA_REQUIRED",
            Self::InvalidMfaToken => "INVALID_MFA_TOKEN",
            Self::InvalidMfaCode => "INVALID_MFA_CODE",
            Self::MfaBackupCodeUsed => "MFA_BACKUP_CODE_USED",
            Self::MfaNotEnabled => "MFA_NOT_ENABLED",
            Self::MfaAlreadyEnabled => "MFA_ALREADY_ENABLED",
            Self::MfaMethodUnavailable => "MFA_METHOD_UNAVAILABLE",
            Self::DeviceNotFound => "DEVICE_NOT_FOUND",
            Self::InsufficientPermissions => "INSUFFICIENT_PERMISSIONS",
            Self::IpNotAllowed => "IP_NOT_ALLOWED",
            Self::UserNotFound => "USER_NOT_FOUND",
            Self::LastAdmin => "LAST_ADMIN",
            Self::ServiceBusy => "SERVICE_BUSY",
            Self::ServiceUnavailable(_) => "SERVICE_UNAVAILABLE",
            Self::Internal(_) => "INTERNAL_ERROR",
        }
    }

    /// Seconds for `retryAfter` and the `Retry-After` header.
    #[must_use]
    pub fn retry_after(&self) -> Option<i64> {
        match self {
            Self::AccountLocked { retry_after } | Self::RateLimitExceeded { retry_after, .. } => {
                Some((*retry_after).max(1))
            }
            Self::MfaRateLimited(decision) => Some(retry_after_of(decision)),
            Self::ServiceBusy => Some(BUSY_RETRY_AFTER_SECS),
            _ => None,
        }
    }

    /// The envelope for the request `request_id`.
    #[must_use]
    pub fn render(&self, request_id: &str) -> HttpResponse {
        let mut builder = HttpResponse::build(self.status());
        let retry_after = self.retry_after();
        if let Some(secs) = retry_after {
            builder.insert_header((RETRY_AFTER, secs.to_string()));
        }
        if let Self::MethodNotAllowed { allow: Some(allow) } = self {
            builder.insert_header((ALLOW, allow.as_str()));
        }
        if let Self::MfaRateLimited(decision) = self {
            write_limit_headers(decision, &mut builder, request_id::now().timestamp());
        }
        if let Self::RequestTimeout = self {
            // The rest of the body may still be on its way: nothing after it can be read as a
            // request.
            builder.force_close();
        }
        let details = match self {
            Self::Validation(fields) if !fields.is_empty() => Some(fields.as_slice()),
            _ => None,
        };
        let data = match self {
            Self::MfaRequired { mfa_token, methods } => Some(ErrorData::mfa_required(
                mfa_token.expose(),
                methods.iter().map(|m| m.as_str()).collect(),
            )),
            _ => None,
        };
        let mut res = builder.json(ErrorEnvelope::new(
            ErrorBody {
                code: self.code(),
                message: self.message(),
                details,
                retry_after,
            },
            data,
            request_id,
        ));
        res.extensions_mut().insert(self.parts());
        res
    }

    /// What the answer is made of, for a dialect that words it otherwise.
    pub(crate) fn parts(&self) -> ErrorParts {
        ErrorParts {
            code: self.code(),
            message: self.message(),
            details: match self {
                Self::Validation(fields) => fields.clone(),
                _ => Vec::new(),
            },
            retry_after: self.retry_after(),
            mfa: match self {
                Self::MfaRequired { mfa_token, methods } => Some((
                    mfa_token.expose().to_owned(),
                    methods.iter().map(|m| m.as_str()).collect(),
                )),
                _ => None,
            },
        }
    }
}

/// The parts of an error answer, left in its extensions by [`ApiError::render`]: the outermost
/// middleware words the answer of a CheckInn route from them (`crate::checkinn::envelope`),
/// whichever layer refused the request. Its `Debug` shows no MFA token.
#[derive(Clone)]
pub(crate) struct ErrorParts {
    pub code: &'static str,
    /// The `/v1` wording.
    pub message: String,
    pub details: Vec<FieldError>,
    pub retry_after: Option<i64>,
    /// `MFA_REQUIRED`: the `mfaToken` and the methods.
    pub mfa: Option<(String, Vec<&'static str>)>,
}

impl fmt::Debug for ErrorParts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ErrorParts({})", self.code)
    }
}

impl ApiError {
    /// The parts of an error of this kind when only the status is known (a framework default).
    pub(crate) fn parts_of_status(status: StatusCode) -> ErrorParts {
        Self::from_status(status).parts()
    }
}

#[cfg(test)]
mod mfa_tests;
#[cfg(test)]
mod tests;
