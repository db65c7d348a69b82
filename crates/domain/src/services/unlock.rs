//! Unlocking an account with the single-use link of its "account locked" email: the lock and the
//! failure count are cleared, so a stranger's wrong passwords cannot keep the owner out.

use super::shared::audit;
use crate::audit::{AuditEvent, AuditKind};
use crate::error::{FieldError, InfraError, ValidationErrors};
use crate::ports::{AuditLog, Clock, ConsumeError, OneTimeTokenRepository, TokenGenerator};
use crate::session::ClientInfo;
use crate::values::codes;
use std::fmt;
use std::sync::Arc;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum UnlockError {
    /// No token, or only blanks (400 `VALIDATION_ERROR` on `token`).
    #[error("invalid input")]
    Validation(#[from] ValidationErrors),
    /// Unknown or already used (404 `INVALID_TOKEN`).
    #[error("invalid token")]
    InvalidToken,
    /// 410 `TOKEN_EXPIRED`.
    #[error("token expired")]
    TokenExpired,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// The ports [`AccountUnlock`] calls.
#[derive(Clone)]
pub struct AccountUnlockPorts {
    pub one_time_tokens: Arc<dyn OneTimeTokenRepository>,
    pub tokens: Arc<dyn TokenGenerator>,
    pub audit: Arc<dyn AuditLog>,
    pub clock: Arc<dyn Clock>,
}

impl fmt::Debug for AccountUnlockPorts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccountUnlockPorts").finish_non_exhaustive()
    }
}

/// `POST /v1/auth/unlock {token}`.
#[derive(Debug, Clone)]
pub struct AccountUnlock {
    ports: AccountUnlockPorts,
}

impl AccountUnlock {
    /// The link's lifetime starts when the mail worker mints it ([`super::MailDelivery`]).
    #[must_use]
    pub fn new(ports: AccountUnlockPorts) -> Self {
        Self { ports }
    }

    /// Consumes the token and clears the account's lockout (lock and failure count). Nothing
    /// else changes: the sessions, the password and any second factor stay as they are.
    ///
    /// # Errors
    /// `Validation` without a token; `InvalidToken` for an unknown or used one; `TokenExpired`.
    #[tracing::instrument(skip_all, fields(user_id = tracing::field::Empty))]
    pub async fn unlock(
        &self,
        token: Option<String>,
        client: &ClientInfo,
    ) -> Result<(), UnlockError> {
        let token = token
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                ValidationErrors(vec![FieldError::new(
                    "token",
                    codes::REQUIRED,
                    "Token is required",
                )])
            })?;
        let hash = self.ports.tokens.digest(token);
        let now = self.ports.clock.now();
        let user_id = self
            .ports
            .one_time_tokens
            .consume_unlock(&hash, now)
            .await
            .map_err(|e| match e {
                ConsumeError::NotFound => UnlockError::InvalidToken,
                ConsumeError::Expired => UnlockError::TokenExpired,
                ConsumeError::Port(p) => UnlockError::Infra(p.into()),
            })?;
        tracing::Span::current().record("user_id", tracing::field::display(user_id));
        audit(
            &*self.ports.audit,
            AuditEvent::new(AuditKind::AccountUnlocked, now, Some(user_id), client),
        )
        .await;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
