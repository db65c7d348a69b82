//! Logging out one session, or every session of the user.

use super::shared::{audit, denial_until};
use crate::audit::{AuditEvent, AuditKind};
use crate::error::InfraError;
use crate::ports::{AuditLog, Clock, SessionRepository, TokenDenylist};
use crate::session::ClientInfo;
use crate::token::AccessClaims;
use chrono::Duration;
use std::fmt;
use std::sync::Arc;

/// The ports [`Logout`] calls.
#[derive(Clone)]
pub struct LogoutPorts {
    pub sessions: Arc<dyn SessionRepository>,
    pub denylist: Arc<dyn TokenDenylist>,
    pub audit: Arc<dyn AuditLog>,
    pub clock: Arc<dyn Clock>,
}

impl fmt::Debug for LogoutPorts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LogoutPorts").finish_non_exhaustive()
    }
}

/// `POST /v1/auth/logout`.
#[derive(Debug, Clone)]
pub struct Logout {
    ports: LogoutPorts,
    access_ttl: Duration,
}

impl Logout {
    /// Denials hold for `access_ttl` (the access-token lifetime) plus the verification leeway.
    #[must_use]
    pub fn new(ports: LogoutPorts, access_ttl: Duration) -> Self {
        Self { ports, access_ttl }
    }

    /// Revokes the caller's session and denies the presented access token; with `all_devices`,
    /// revokes every session and denies every access token issued until now.
    ///
    /// Logging out twice is harmless, so any failure is returned and the client may retry.
    ///
    /// # Errors
    /// `Infra` when storage or the denylist fails.
    #[tracing::instrument(skip_all, fields(session_id = %principal.session_id, all_devices = all_devices))]
    pub async fn logout(
        &self,
        principal: &AccessClaims,
        all_devices: bool,
        client: &ClientInfo,
    ) -> Result<(), InfraError> {
        let now = self.ports.clock.now();
        let user_id = principal.user_id;
        let session_id = principal.session_id;
        // Access tokens are stateless: storage alone cannot stop them before they expire.
        let until = denial_until(self.access_ttl, now);
        self.ports
            .denylist
            .deny_token(
                user_id,
                principal.token_id,
                principal.expires_at + super::MAX_ACCESS_TOKEN_LEEWAY,
            )
            .await?;
        let event = if all_devices {
            let revoked = self.ports.sessions.revoke_all(user_id, now).await?;
            // The sessions exactly, and by the cut-off anything older: `iat` has whole-second
            // precision, so the cut-off alone cannot cover tokens issued in this very second.
            self.ports
                .denylist
                .deny_sessions(user_id, &revoked, until)
                .await?;
            self.ports
                .denylist
                .deny_user_before(user_id, now, until)
                .await?;
            AuditEvent::new(AuditKind::LogoutAllDevices, now, Some(user_id), client)
                .with_session(session_id)
                .with_detail(format!("{} session(s) revoked", revoked.len()))
        } else {
            // `false` means already revoked (say, by a concurrent logout): the goal is reached.
            self.ports.sessions.revoke(user_id, session_id, now).await?;
            self.ports
                .denylist
                .deny_sessions(user_id, &[session_id], until)
                .await?;
            AuditEvent::new(AuditKind::Logout, now, Some(user_id), client).with_session(session_id)
        };
        audit(&*self.ports.audit, event).await;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
