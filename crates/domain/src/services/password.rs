//! Forgotten and changed passwords.

use super::service;
use crate::error::{InfraError, ValidationErrors};
use crate::session::ClientInfo;
use crate::token::AccessClaims;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ResetPasswordError {
    #[error(transparent)]
    Validation(ValidationErrors),
    /// Unknown or used (404 INVALID_TOKEN).
    #[error("invalid token")]
    InvalidToken,
    /// 410 TOKEN_EXPIRED.
    #[error("token expired")]
    TokenExpired,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

#[derive(Debug, Error)]
pub enum ChangePasswordError {
    /// Includes a new password equal to the current one (on `newPassword`).
    #[error(transparent)]
    Validation(ValidationErrors),
    /// Wrong current password (counts towards the lockout).
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("account locked")]
    AccountLocked { retry_after: i64 },
    /// The account vanished or was deactivated meanwhile (401 TOKEN_REVOKED).
    #[error("account no longer usable")]
    AccountGone,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

service!(
    /// `POST /v1/auth/forgot-password` and `POST /v1/auth/reset-password`.
    PasswordReset
);

impl PasswordReset {
    /// Queues a reset email when `email` belongs to a usable account; does nothing otherwise
    /// (no enumeration). `Validation` only for a malformed address.
    pub async fn request(
        &self,
        email: &str,
        client: &ClientInfo,
    ) -> Result<(), super::email_verification::ResendError> {
        todo!("{email} {client:?} {:?}", (&self.ports, &self.settings))
    }

    /// Sets a new password with a reset token: revokes every session, clears the lockout and
    /// queues a notification. Errors name the field `newPassword`.
    pub async fn reset(
        &self,
        token: &str,
        new_password: String,
        client: &ClientInfo,
    ) -> Result<(), ResetPasswordError> {
        todo!("{token} {} {client:?}", new_password.len())
    }
}

service!(
    /// `PUT /v1/auth/change-password`.
    PasswordChange
);

impl PasswordChange {
    /// Every other session is revoked; the caller's stays. Errors name `currentPassword` /
    /// `newPassword`.
    pub async fn change(
        &self,
        principal: &AccessClaims,
        current_password: String,
        new_password: String,
        client: &ClientInfo,
    ) -> Result<(), ChangePasswordError> {
        todo!(
            "{principal:?} {} {} {client:?} {:?}",
            current_password.len(),
            new_password.len(),
            (&self.ports, &self.settings)
        )
    }
}
