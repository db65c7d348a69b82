//! Forgotten passwords: a reset link by email, then a new password with the link's token.
//!
//! Like a change, a reset stores the new hash together with the revocation of sessions and a
//! "password changed" email in one unit of work (the port's), then denies the access tokens
//! that are still in flight.

use super::email_verification::ResendError;
use super::shared::{
    MailKind, audit, denial_until, deny_everything_before, hash_failure, mail_cooldown_allows,
    parse_new_password, password_changed_mail,
};
use crate::Timestamp;
use crate::audit::{AuditEvent, AuditKind};
use crate::error::{InfraError, ValidationErrors};
use crate::ids::UserId;
use crate::notification::Notification;
use crate::policy::password::PasswordPolicy;
use crate::ports::{
    AuditLog, Clock, ConsumeError, OneTimeTokenRepository, Outbox, PasswordHasher, RateLimiter,
    TokenDenylist, TokenGenerator, UserRepository,
};
use crate::session::ClientInfo;
use crate::token::TokenPurpose;
use crate::user::{AccountStatus, User};
use crate::values::{Email, NewPassword, PasswordHash};
use chrono::Duration;
use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use std::sync::Arc;
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

/// The ports [`PasswordReset`] calls.
#[derive(Clone)]
pub struct PasswordResetPorts {
    pub users: Arc<dyn UserRepository>,
    pub one_time_tokens: Arc<dyn OneTimeTokenRepository>,
    pub outbox: Arc<dyn Outbox>,
    pub tokens: Arc<dyn TokenGenerator>,
    pub hasher: Arc<dyn PasswordHasher>,
    pub denylist: Arc<dyn TokenDenylist>,
    /// Holds the per-recipient mail cooldown (the shared rate-limit store).
    pub rate_limiter: Arc<dyn RateLimiter>,
    pub audit: Arc<dyn AuditLog>,
    pub clock: Arc<dyn Clock>,
}

impl fmt::Debug for PasswordResetPorts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordResetPorts").finish_non_exhaustive()
    }
}

/// `POST /v1/auth/forgot-password` and `POST /v1/auth/reset-password`.
#[derive(Debug, Clone)]
pub struct PasswordReset {
    ports: PasswordResetPorts,
    password_policy: PasswordPolicy,
    access_ttl: Duration,
    mail_cooldown: Duration,
}

impl PasswordReset {
    /// New passwords must satisfy `password_policy`; denials hold for `access_ttl` (the
    /// access-token lifetime) plus the verification leeway; at most one reset mail per recipient
    /// per `mail_cooldown` (`MAIL_COOLDOWN`; zero turns it off).
    #[must_use]
    pub fn new(
        ports: PasswordResetPorts,
        password_policy: PasswordPolicy,
        access_ttl: Duration,
        mail_cooldown: Duration,
    ) -> Self {
        Self {
            ports,
            password_policy,
            access_ttl,
            mail_cooldown,
        }
    }

    /// Queues a reset email when `email` belongs to a usable account that is not cooling down
    /// (`MAIL_COOLDOWN`); does nothing otherwise (no enumeration). `Validation` only for a malformed address.
    ///
    /// # Errors
    /// `Validation` on `email` for a malformed address; `Infra`.
    #[tracing::instrument(skip_all, fields(user_id = tracing::field::Empty))]
    pub async fn request(&self, email: &str, client: &ClientInfo) -> Result<(), ResendError> {
        let email = Email::parse(email, "email")
            .map_err(|e| ResendError::Validation(ValidationErrors(vec![e])))?;
        let user = self
            .ports
            .users
            .find_by_email(&email)
            .await
            .map_err(InfraError::from)?;
        // Unknown, deleted and suspended accounts all get the same silent success.
        let Some(user) =
            user.filter(|u| !matches!(u.status, AccountStatus::Deleted | AccountStatus::Suspended))
        else {
            return Ok(());
        };
        tracing::Span::current().record("user_id", tracing::field::display(user.id));
        if !mail_cooldown_allows(
            &*self.ports.rate_limiter,
            &*self.ports.tokens,
            self.mail_cooldown,
            MailKind::PasswordReset,
            &user.email,
        )
        .await
        {
            tracing::info!("reset email not sent: the recipient is cooling down");
            return Ok(());
        }
        let now = self.ports.clock.now();
        queue_reset_mail(
            &*self.ports.outbox,
            &*self.ports.audit,
            &user,
            now,
            client,
            None,
        )
        .await?;
        Ok(())
    }

    /// Sets a new password with a reset token: revokes every session, clears the lockout and
    /// queues a notification. Errors name the field `newPassword`.
    ///
    /// # Errors
    /// `InvalidToken` for an empty, unknown or used token (or one whose account is gone);
    /// `TokenExpired`; `Validation` on `newPassword`; `Infra`.
    #[tracing::instrument(skip_all, fields(user_id = tracing::field::Empty))]
    pub async fn reset(
        &self,
        token: &SecretString,
        new_password: SecretString,
        client: &ClientInfo,
    ) -> Result<(), ResetPasswordError> {
        let token = token.expose_secret();
        if token.is_empty() {
            return Err(ResetPasswordError::InvalidToken);
        }
        let now = self.ports.clock.now();
        let hash = self.ports.tokens.digest(token);
        let record = self
            .ports
            .one_time_tokens
            .find(&hash, TokenPurpose::PasswordReset)
            .await
            .map_err(InfraError::from)?
            .ok_or(ResetPasswordError::InvalidToken)?;
        if record.expires_at <= now {
            return Err(ResetPasswordError::TokenExpired);
        }
        let user = self
            .ports
            .users
            .find_by_id(record.user_id)
            .await
            .map_err(InfraError::from)?
            .filter(|u| u.status != AccountStatus::Deleted)
            .ok_or(ResetPasswordError::InvalidToken)?;
        tracing::Span::current().record("user_id", tracing::field::display(user.id));

        let new_password = parse_new_password(&self.password_policy, &user, new_password, None)
            .map_err(ResetPasswordError::Validation)?;
        let new_hash = self.hash(&new_password).await?;
        let mail = password_changed_mail(&user, now);
        let (user_id, revoked) = self
            .ports
            .one_time_tokens
            .consume_reset(&hash, &new_hash, now, &mail)
            .await
            .map_err(|e| match e {
                ConsumeError::NotFound => ResetPasswordError::InvalidToken,
                ConsumeError::Expired => ResetPasswordError::TokenExpired,
                ConsumeError::Port(p) => ResetPasswordError::Infra(p.into()),
            })?;
        // Whoever reset the password may not be whoever holds the access tokens: all of them go.
        deny_everything_before(
            &*self.ports.denylist,
            user_id,
            &revoked,
            now,
            denial_until(self.access_ttl, now),
        )
        .await;
        audit(
            &*self.ports.audit,
            AuditEvent::new(AuditKind::PasswordReset, now, Some(user_id), client),
        )
        .await;
        Ok(())
    }

    async fn hash(&self, password: &NewPassword) -> Result<PasswordHash, InfraError> {
        self.ports
            .hasher
            .hash(password.as_password())
            .await
            .map_err(hash_failure)
    }
}

/// Queues the reset mail of `user` (its link is minted when it is sent) and audits the request,
/// naming `actor` when someone other than the holder asked (an administrator).
pub(super) async fn queue_reset_mail(
    outbox: &dyn Outbox,
    log: &dyn AuditLog,
    user: &User,
    now: Timestamp,
    client: &ClientInfo,
    actor: Option<UserId>,
) -> Result<(), InfraError> {
    let mail = Notification::PasswordReset {
        user_id: user.id,
        to: user.email.clone(),
        username: user.username.clone(),
    };
    outbox.enqueue(&mail, now).await?;
    let event = AuditEvent::new(
        AuditKind::PasswordResetRequested,
        now,
        Some(user.id),
        client,
    );
    let event = match actor {
        Some(id) => event.by(id),
        None => event,
    };
    audit(log, event).await;
    Ok(())
}

#[cfg(test)]
mod tests;
