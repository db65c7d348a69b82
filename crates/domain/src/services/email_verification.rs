//! Verifying an email address, and sending the link again.

use super::service;
use crate::error::{InfraError, ValidationErrors};
use crate::session::ClientInfo;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum VerifyEmailError {
    /// Unknown or already used (404 INVALID_TOKEN).
    #[error("invalid token")]
    InvalidToken,
    /// 410 TOKEN_EXPIRED.
    #[error("token expired")]
    TokenExpired,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

service!(
    /// `POST /v1/auth/verify-email` and `POST /v1/auth/resend-verification`.
    EmailVerification
);

impl EmailVerification {
    /// Consumes the token and activates the account.
    pub async fn verify(&self, token: &str, client: &ClientInfo) -> Result<(), VerifyEmailError> {
        todo!("{token} {client:?} {:?}", (&self.ports, &self.settings))
    }

    /// Sends a new link when `email` belongs to an unverified account; silently does nothing
    /// otherwise (no enumeration). `Validation` only for a malformed address.
    pub async fn resend(&self, email: &str, client: &ClientInfo) -> Result<(), ResendError> {
        todo!("{email} {client:?}")
    }
}

#[derive(Debug, Error)]
pub enum ResendError {
    #[error(transparent)]
    Validation(ValidationErrors),
    #[error(transparent)]
    Infra(#[from] InfraError),
}
