//! The human-readable message of each error.

use super::ApiError;
use crate::middleware::rate_limit::{exceeded_message, retry_after_of};

impl ApiError {
    /// The human-readable message. Never carries a cause: those go to the log only.
    #[must_use]
    pub fn message(&self) -> String {
        let text = match self {
            Self::Validation(_) => "Request validation failed",
            Self::MissingCredentials => "Email or username, and password, are required",
            Self::MissingToken => "Verification token is required",
            Self::MissingRefreshToken => "Refresh token is required",
            Self::InvalidCredentials => "Invalid email/username or password",
            Self::EmailNotVerified => "Email address has not been verified",
            Self::AccountLocked { retry_after } => {
                let minutes = (retry_after + 59) / 60;
                return format!(
                    "Account locked due to too many failed attempts. Try again in {} minute(s).",
                    minutes.max(1)
                );
            }
            Self::AccountSuspended => "Account has been suspended",
            Self::AccountDeleted => "Account has been deleted",
            Self::TargetSuspended => "The account is suspended; reactivate it first",
            Self::TargetDeleted => "The account is deleted, which is final",
            Self::EmailExists => "Email address is already registered",
            Self::UsernameExists => "Username is already taken",
            Self::InvalidOneTimeToken => "Token not found or invalid",
            Self::OneTimeTokenExpired => "Token has expired",
            Self::InvalidAccessToken => "Access token is invalid or malformed",
            Self::AccessTokenExpired => "Access token has expired",
            Self::InvalidRefreshToken => "Refresh token is invalid or expired",
            Self::TokenRevoked | Self::AccountGone => "Token has been revoked",
            Self::MissingAuthHeader => "Authorization header is missing",
            Self::InvalidAuthFormat => "Authorization header must be: Bearer <token>",
            Self::CsrfFailed => "Request origin is not allowed",
            Self::CorsOriginNotAllowed => "Origin is not allowed to make cross-origin requests",
            Self::NotFound(what) => what,
            Self::MethodNotAllowed { .. } => "Method not allowed on this resource",
            Self::PayloadTooLarge { limit: 0 } => "Request body is too large",
            Self::PayloadTooLarge { limit } => {
                return format!("Request body exceeds {limit} bytes");
            }
            Self::UnsupportedMediaType => "Content-Type must be application/json",
            Self::RequestTimeout => "The request body was not received in time",
            Self::RateLimitExceeded { group, retry_after } => {
                return exceeded_message(group.attempts(), *retry_after);
            }
            Self::MfaRateLimited(decision) => {
                return exceeded_message("MFA attempts", retry_after_of(decision));
            }
            Self::MfaRequired { .. } => "Multi-factor authentication required",
            Self::InvalidMfaToken => "MFA token is invalid or expired",
            Self::InvalidMfaCode => "Invalid MFA code",
            Self::MfaBackupCodeUsed => "Backup code has already been used",
            Self::MfaNotEnabled => "Multi-factor authentication is not enabled",
            Self::MfaAlreadyEnabled => "Multi-factor authentication is already enabled",
            Self::MfaMethodUnavailable => "This MFA method is not available",
            Self::DeviceNotFound => "Device not found",
            Self::InsufficientPermissions => "Insufficient permissions for this action",
            Self::IpNotAllowed => "Administration is not allowed from this address",
            Self::UserNotFound => "User not found",
            Self::LastAdmin => {
                "The last active administrator cannot be suspended, deleted or demoted"
            }
            Self::ServiceBusy => "Service is busy, retry shortly",
            Self::ServiceUnavailable(_) => "Service temporarily unavailable",
            Self::Internal(_) => "An internal error occurred",
        };
        text.to_owned()
    }
}
