//! Listing and revoking one's own sessions.

use super::shared::{audit, denial_until, deny_sessions};
use crate::audit::{AuditEvent, AuditKind};
use crate::error::InfraError;
use crate::ids::SessionId;
use crate::ports::{AuditLog, Clock, SessionRepository, TokenDenylist};
use crate::session::{ClientInfo, Session};
use crate::token::AccessClaims;
use chrono::Duration;
use std::fmt;
use std::sync::Arc;
use thiserror::Error;

#[derive(Debug, Clone)]
pub struct SessionView {
    pub session: Session,
    /// The session of the access token that asked.
    pub is_current: bool,
}

#[derive(Debug, Error)]
pub enum RevokeSessionError {
    /// Not a live session of the caller (another user's id included): 404.
    #[error("session not found")]
    NotFound,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// The ports [`Sessions`] calls.
#[derive(Clone)]
pub struct SessionsPorts {
    pub sessions: Arc<dyn SessionRepository>,
    pub denylist: Arc<dyn TokenDenylist>,
    pub audit: Arc<dyn AuditLog>,
    pub clock: Arc<dyn Clock>,
}

impl fmt::Debug for SessionsPorts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionsPorts").finish_non_exhaustive()
    }
}

/// `GET /v1/users/me/sessions` and `DELETE /v1/users/me/sessions/{id}`.
#[derive(Debug, Clone)]
pub struct Sessions {
    ports: SessionsPorts,
    access_ttl: Duration,
}

impl Sessions {
    /// Denials hold for `access_ttl` (the access-token lifetime) plus the verification leeway.
    #[must_use]
    pub fn new(ports: SessionsPorts, access_ttl: Duration) -> Self {
        Self { ports, access_ttl }
    }

    /// The caller's live sessions, most recent first.
    ///
    /// # Errors
    /// `Infra` when storage fails.
    #[tracing::instrument(skip_all)]
    pub async fn list(&self, principal: &AccessClaims) -> Result<Vec<SessionView>, InfraError> {
        let now = self.ports.clock.now();
        let sessions = self
            .ports
            .sessions
            .list_active(principal.user_id, now)
            .await?;
        Ok(sessions
            .into_iter()
            .map(|session| SessionView {
                is_current: session.id == principal.session_id,
                session,
            })
            .collect())
    }

    /// `session_id` as given in the path; a malformed id is `NotFound`.
    ///
    /// # Errors
    /// `NotFound` unless `session_id` names a live session of the caller; `Infra`.
    #[tracing::instrument(skip_all)]
    pub async fn revoke(
        &self,
        principal: &AccessClaims,
        session_id: &str,
        client: &ClientInfo,
    ) -> Result<(), RevokeSessionError> {
        let id = SessionId::parse(session_id).ok_or(RevokeSessionError::NotFound)?;
        let now = self.ports.clock.now();
        // Ownership is settled by the port: another user's session is indistinguishable from
        // none at all, and its access tokens are never touched.
        let revoked = self
            .ports
            .sessions
            .revoke(principal.user_id, id, now)
            .await
            .map_err(InfraError::from)?;
        if !revoked {
            return Err(RevokeSessionError::NotFound);
        }
        deny_sessions(
            &*self.ports.denylist,
            principal.user_id,
            &[id],
            denial_until(self.access_ttl, now),
        )
        .await;
        audit(
            &*self.ports.audit,
            AuditEvent::new(
                AuditKind::SessionRevoked,
                now,
                Some(principal.user_id),
                client,
            )
            .with_session(id),
        )
        .await;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
