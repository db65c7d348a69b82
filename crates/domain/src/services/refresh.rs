//! Exchanging a refresh token for a new token pair, with rotation and reuse detection.

use super::AuthSettings;
use super::shared::{Grant, IssuedTokens, audit, denial_until, issue_tokens};
use crate::Timestamp;
use crate::audit::{AuditEvent, AuditKind};
use crate::authorization::RoleCatalog;
use crate::error::InfraError;
use crate::notification::Notification;
use crate::policy::rotation::RotationPolicy;
use crate::ports::{
    AccessTokenCodec, AuditLog, Clock, Outbox, RotateOutcome, SessionRepository, TokenDenylist,
    TokenGenerator, UserRepository,
};
use crate::session::{ClientInfo, Session};
use crate::telemetry::Telemetry;
use crate::token::RawToken;
use crate::user::{AccountStatus, User};
use chrono::Duration;
use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use std::sync::Arc;
use thiserror::Error;

pub type RefreshSuccess = IssuedTokens;

#[derive(Debug, Error)]
pub enum RefreshError {
    /// Unknown, malformed or expired (401 INVALID_REFRESH_TOKEN).
    #[error("invalid refresh token")]
    InvalidRefreshToken,
    /// The family was revoked, now or before (401 TOKEN_REVOKED).
    #[error("refresh token revoked")]
    TokenRevoked,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// The ports [`Refresh`] calls.
#[derive(Clone)]
pub struct RefreshPorts {
    pub sessions: Arc<dyn SessionRepository>,
    pub tokens: Arc<dyn TokenGenerator>,
    pub access_tokens: Arc<dyn AccessTokenCodec>,
    pub denylist: Arc<dyn TokenDenylist>,
    /// To warn the owner of a stolen family.
    pub users: Arc<dyn UserRepository>,
    pub outbox: Arc<dyn Outbox>,
    pub audit: Arc<dyn AuditLog>,
    pub clock: Arc<dyn Clock>,
    pub telemetry: Arc<dyn Telemetry>,
}

impl fmt::Debug for RefreshPorts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshPorts").finish_non_exhaustive()
    }
}

/// What shapes a refresh: rotation, its grace window, and the lifetimes of what it issues.
#[derive(Debug, Clone)]
pub struct RefreshSettings {
    pub rotate_refresh_tokens: bool,
    /// How long a rotated token may come back without counting as reuse.
    pub reuse_grace: Duration,
    pub access_ttl: Duration,
    /// The refresh-token lifetime for `rememberMe: true`.
    pub refresh_ttl: Duration,
    /// The refresh-token lifetime for `rememberMe: false`.
    pub refresh_ttl_short: Duration,
    pub roles: std::sync::Arc<RoleCatalog>,
}

impl From<&AuthSettings> for RefreshSettings {
    fn from(auth: &AuthSettings) -> Self {
        Self {
            rotate_refresh_tokens: auth.rotate_refresh_tokens,
            reuse_grace: auth.reuse_grace,
            access_ttl: auth.access_ttl,
            refresh_ttl: auth.refresh_ttl,
            refresh_ttl_short: auth.refresh_ttl_short,
            roles: auth.roles.clone(),
        }
    }
}

/// `POST /v1/auth/refresh`.
#[derive(Debug, Clone)]
pub struct Refresh {
    ports: RefreshPorts,
    settings: RefreshSettings,
}

/// 256 random bits in unpadded base64url.
const REFRESH_TOKEN_LEN: usize = 43;

/// An accepted presentation: the family, its account, and the refresh token to hand out.
struct Granted {
    session: Session,
    account: User,
    refresh_token: Option<RawToken>,
    refresh_expires_at: Timestamp,
}

impl Refresh {
    /// A refresh rotates and issues by `settings`; see [`RefreshPorts`] for what it calls.
    #[must_use]
    pub fn new(ports: RefreshPorts, settings: RefreshSettings) -> Self {
        Self { ports, settings }
    }

    /// # Errors
    /// `InvalidRefreshToken` for a malformed, unknown or expired token; `TokenRevoked` for a
    /// revoked family, including one revoked just now because a rotated token came back.
    #[tracing::instrument(skip_all, fields(user_id = tracing::field::Empty, session_id = tracing::field::Empty))]
    pub async fn refresh(
        &self,
        presented: &SecretString,
        client: &ClientInfo,
    ) -> Result<RefreshSuccess, RefreshError> {
        let presented = presented.expose_secret();
        // Anything the generator could not have made is refused without touching storage.
        if !is_well_formed(presented) {
            return Err(RefreshError::InvalidRefreshToken);
        }
        let now = self.ports.clock.now();
        let hash = self.ports.tokens.digest(presented);

        let (outcome, successor) = if self.settings.rotate_refresh_tokens {
            let successor = self.ports.tokens.successor_of(presented);
            let policy = RotationPolicy {
                grace: self.settings.reuse_grace,
                ttl_remembered: self.settings.refresh_ttl,
                ttl_short: self.settings.refresh_ttl_short,
            };
            let outcome = self
                .ports
                .sessions
                .rotate(&hash, &successor.hash, now, &policy)
                .await
                .map_err(InfraError::from)?;
            (outcome, Some(successor.raw))
        } else {
            let outcome = self
                .ports
                .sessions
                .touch(&hash, now)
                .await
                .map_err(InfraError::from)?;
            (outcome, None)
        };

        match outcome {
            RotateOutcome::Rotated {
                session,
                account,
                expires_at,
            } => {
                let granted = Granted {
                    session,
                    account,
                    refresh_token: successor,
                    refresh_expires_at: expires_at,
                };
                self.grant(granted, now, client, None).await
            }
            RotateOutcome::Replayed {
                session,
                account,
                expires_at,
            } => {
                let granted = Granted {
                    session,
                    account,
                    refresh_token: successor,
                    refresh_expires_at: expires_at,
                };
                let detail = Some("replay within the grace window");
                self.grant(granted, now, client, detail).await
            }
            RotateOutcome::ReuseDetected { session } => {
                self.ports.telemetry.refresh_reuse_detected();
                self.on_reuse(&session, now, client).await;
                Err(RefreshError::TokenRevoked)
            }
            RotateOutcome::Revoked => Err(RefreshError::TokenRevoked),
            RotateOutcome::Invalid => Err(RefreshError::InvalidRefreshToken),
        }
    }

    /// Issues the new pair for an accepted token. The roles are the account's as read with the
    /// family, so a role change reaches the next access token; an account that can no longer
    /// log in gets nothing.
    async fn grant(
        &self,
        granted: Granted,
        now: Timestamp,
        client: &ClientInfo,
        detail: Option<&'static str>,
    ) -> Result<RefreshSuccess, RefreshError> {
        let Granted {
            session,
            account,
            refresh_token,
            refresh_expires_at,
        } = granted;
        let span = tracing::Span::current();
        span.record("user_id", tracing::field::display(session.user_id));
        span.record("session_id", tracing::field::display(session.id));
        if matches!(
            account.status,
            AccountStatus::Deleted | AccountStatus::Suspended
        ) {
            return Err(RefreshError::TokenRevoked);
        }
        let tokens = issue_tokens(
            &*self.ports.access_tokens,
            self.settings.access_ttl,
            &self.settings.roles,
            Grant {
                user_id: account.id,
                session_id: session.id,
                roles: &account.roles,
                now,
                refresh_token,
                refresh_expires_at,
                remember_me: session.remember_me,
            },
        )?;
        let mut event = AuditEvent::new(AuditKind::TokenRefreshed, now, Some(account.id), client)
            .with_session(session.id);
        if let Some(detail) = detail {
            event = event.with_detail(detail);
        }
        audit(&*self.ports.audit, event).await;
        self.ports.telemetry.refreshed();
        Ok(tokens)
    }

    /// The family is already revoked in storage when this runs, and a retry would only see
    /// `Revoked`: so every step here is attempted once, and a failure is logged rather than
    /// returned, since returning it would lose the steps after it for good.
    async fn on_reuse(&self, session: &Session, now: Timestamp, client: &ClientInfo) {
        tracing::warn!(
            user_id = %session.user_id,
            session_id = %session.id,
            "rotated refresh token reused after the grace window; session revoked"
        );
        let until = denial_until(self.settings.access_ttl, now);
        if let Err(e) = self
            .ports
            .denylist
            .deny_sessions(session.user_id, &[session.id], until)
            .await
        {
            tracing::error!(error = %e, "could not deny the access tokens of a stolen session");
        }
        audit(
            &*self.ports.audit,
            AuditEvent::new(
                AuditKind::RefreshTokenReuse,
                now,
                Some(session.user_id),
                client,
            )
            .with_session(session.id),
        )
        .await;
        let user = match self.ports.users.find_by_id(session.user_id).await {
            Ok(Some(user)) => user,
            Ok(None) => return,
            Err(e) => {
                tracing::error!(error = %e, "could not load the user to warn of token reuse");
                return;
            }
        };
        let mail = Notification::RefreshTokenReuse {
            to: user.email,
            username: user.username,
            at: now,
            ip: client.ip.clone(),
        };
        if let Err(e) = self.ports.outbox.enqueue(&mail, now).await {
            tracing::error!(error = %e, "could not queue the token reuse email");
        }
    }
}

fn is_well_formed(token: &str) -> bool {
    token.len() == REFRESH_TOKEN_LEN
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests;
