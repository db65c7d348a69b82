//! Verifying an email address, and sending the link again.

use super::shared::{MailKind, audit, mail_cooldown_allows};
use crate::audit::{AuditEvent, AuditKind};
use crate::error::{InfraError, ValidationErrors};
use crate::notification::Notification;
use crate::ports::{
    AuditLog, Clock, ConsumeError, OneTimeTokenRepository, Outbox, RateLimiter, TokenGenerator,
    UserRepository,
};
use crate::session::ClientInfo;
use crate::user::AccountStatus;
use crate::values::Email;
use chrono::Duration;
use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use std::sync::Arc;
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

/// The ports [`EmailVerification`] calls.
#[derive(Clone)]
pub struct EmailVerificationPorts {
    pub users: Arc<dyn UserRepository>,
    pub one_time_tokens: Arc<dyn OneTimeTokenRepository>,
    pub outbox: Arc<dyn Outbox>,
    pub tokens: Arc<dyn TokenGenerator>,
    /// Holds the per-recipient mail cooldown (the shared rate-limit store).
    pub rate_limiter: Arc<dyn RateLimiter>,
    pub audit: Arc<dyn AuditLog>,
    pub clock: Arc<dyn Clock>,
}

impl fmt::Debug for EmailVerificationPorts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmailVerificationPorts")
            .finish_non_exhaustive()
    }
}

/// `POST /v1/auth/verify-email` and `POST /v1/auth/resend-verification`.
#[derive(Debug, Clone)]
pub struct EmailVerification {
    ports: EmailVerificationPorts,
    mail_cooldown: Duration,
}

impl EmailVerification {
    /// At most one verification mail per recipient per `mail_cooldown` (`MAIL_COOLDOWN`; zero
    /// turns it off). A link's lifetime starts when the mail worker mints it
    /// ([`super::MailDelivery`]).
    #[must_use]
    pub fn new(ports: EmailVerificationPorts, mail_cooldown: Duration) -> Self {
        Self {
            ports,
            mail_cooldown,
        }
    }

    /// Consumes the token and activates the account.
    ///
    /// # Errors
    /// `InvalidToken` for an empty, unknown or used token; `TokenExpired`.
    #[tracing::instrument(skip_all, fields(user_id = tracing::field::Empty))]
    pub async fn verify(
        &self,
        token: &SecretString,
        client: &ClientInfo,
    ) -> Result<(), VerifyEmailError> {
        let token = token.expose_secret();
        // An absent field is answered MISSING_TOKEN by the HTTP layer; an empty one that gets
        // here can only be unknown.
        if token.is_empty() {
            return Err(VerifyEmailError::InvalidToken);
        }
        let hash = self.ports.tokens.digest(token);
        let now = self.ports.clock.now();
        let user_id = self
            .ports
            .one_time_tokens
            .consume_verification(&hash, now)
            .await
            .map_err(|e| match e {
                ConsumeError::NotFound => VerifyEmailError::InvalidToken,
                ConsumeError::Expired => VerifyEmailError::TokenExpired,
                ConsumeError::Port(p) => VerifyEmailError::Infra(p.into()),
            })?;
        tracing::Span::current().record("user_id", tracing::field::display(user_id));
        audit(
            &*self.ports.audit,
            AuditEvent::new(AuditKind::EmailVerified, now, Some(user_id), client),
        )
        .await;
        Ok(())
    }

    /// Sends a new link when `email` belongs to an unverified account that is not cooling down
    /// (`MAIL_COOLDOWN`); silently does nothing otherwise (no enumeration). `Validation` only for
    /// a malformed address.
    ///
    /// # Errors
    /// `Validation` for a malformed address; `Infra`.
    #[tracing::instrument(skip_all, fields(user_id = tracing::field::Empty))]
    pub async fn resend(&self, email: &str, client: &ClientInfo) -> Result<(), ResendError> {
        let email = Email::parse(email, "email")
            .map_err(|e| ResendError::Validation(ValidationErrors(vec![e])))?;
        let user = self
            .ports
            .users
            .find_by_email(&email)
            .await
            .map_err(InfraError::from)?;
        // Only a pending account has anything to verify; every other case answers the same.
        let Some(user) = user.filter(|u| u.status == AccountStatus::Pending && !u.email_verified)
        else {
            return Ok(());
        };
        tracing::Span::current().record("user_id", tracing::field::display(user.id));
        if !mail_cooldown_allows(
            &*self.ports.rate_limiter,
            &*self.ports.tokens,
            self.mail_cooldown,
            MailKind::VerifyEmail,
            &user.email,
        )
        .await
        {
            tracing::info!("verification email not sent again: the recipient is cooling down");
            return Ok(());
        }

        let now = self.ports.clock.now();
        let mail = Notification::VerifyEmail {
            user_id: user.id,
            to: user.email,
            username: user.username,
        };
        self.ports
            .outbox
            .enqueue(&mail, now)
            .await
            .map_err(InfraError::from)?;
        tracing::debug!(
            client_ip = client.ip.as_deref(),
            "verification email queued again"
        );
        Ok(())
    }
}

#[derive(Debug, Error)]
pub enum ResendError {
    #[error(transparent)]
    Validation(ValidationErrors),
    #[error(transparent)]
    Infra(#[from] InfraError),
}

#[cfg(test)]
mod tests;
