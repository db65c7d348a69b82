//! Listing and revoking one's own sessions.

use super::password::deny_sessions;
use super::service;
use super::tokens::audit;
use crate::audit::{AuditEvent, AuditKind};
use crate::error::InfraError;
use crate::ids::SessionId;
use crate::session::{ClientInfo, Session};
use crate::token::AccessClaims;
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

service!(
    /// `GET /v1/users/me/sessions` and `DELETE /v1/users/me/sessions/{id}`.
    Sessions
);

impl Sessions {
    /// The caller's live sessions, most recent first.
    ///
    /// # Errors
    /// `Infra` when storage fails.
    #[tracing::instrument(skip_all, fields(user_id = %principal.user_id))]
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
    #[tracing::instrument(skip_all, fields(user_id = %principal.user_id))]
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
        deny_sessions(&self.ports, &[id], self.settings.denial_until(now)).await;
        audit(
            &self.ports,
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
