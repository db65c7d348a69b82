//! Unlock, end every session, send a reset mail.

use super::{Actor, Admin, AdminError};
use crate::audit::{AuditEvent, AuditKind};
use crate::error::InfraError;
use crate::ids::UserId;
use crate::services::password_reset::queue_reset_mail;
use crate::services::shared::{audit, denial_until, deny_everything_before};
use crate::user::AccountStatus;

impl Admin {
    /// `POST /v1/admin/users/{id}/unlock`: clears the lock and the failure count.
    ///
    /// # Errors
    /// `UserNotFound`; `AccountDeleted`; `Infra`.
    #[tracing::instrument(skip_all)]
    pub async fn unlock(&self, actor: &Actor, id: UserId) -> Result<(), AdminError> {
        let user = self.find(id).await?;
        if user.status == AccountStatus::Deleted {
            return Err(AdminError::AccountDeleted);
        }
        let now = self.ports.clock.now();
        let cleared = self
            .ports
            .directory
            .clear_lockout(id, now)
            .await
            .map_err(InfraError::from)?;
        if !cleared {
            // Gone between the read and the write.
            return Err(AdminError::UserNotFound);
        }
        audit(
            &*self.ports.audit,
            AuditEvent::new(AuditKind::AccountUnlocked, now, Some(id), &actor.client).by(actor.id),
        )
        .await;
        Ok(())
    }

    /// `DELETE /v1/admin/users/{id}/sessions`: revokes every live session and cuts off the
    /// access tokens. Returns how many sessions were revoked.
    ///
    /// # Errors
    /// `UserNotFound`; `Infra`.
    #[tracing::instrument(skip_all)]
    pub async fn revoke_sessions(&self, actor: &Actor, id: UserId) -> Result<usize, AdminError> {
        self.find(id).await?;
        let now = self.ports.clock.now();
        let until = denial_until(self.access_ttl, now);
        let revoked = self
            .ports
            .sessions
            .revoke_all(id, now)
            .await
            .map_err(InfraError::from)?;
        // The sessions are revoked in storage, which refresh and the denylist's outage guard
        // both read: a denylist failure now would not undo that, so it is logged, not returned,
        // and the event is written either way.
        deny_everything_before(&*self.ports.denylist, id, &revoked, now, until).await;
        audit(
            &*self.ports.audit,
            AuditEvent::new(AuditKind::SessionsRevoked, now, Some(id), &actor.client)
                .by(actor.id)
                .with_detail(format!("{} session(s) revoked", revoked.len())),
        )
        .await;
        Ok(revoked.len())
    }

    /// `POST /v1/admin/users/{id}/password-reset`: queues the reset mail (its link is minted
    /// when it is sent, as for `forgot-password`).
    ///
    /// # Errors
    /// `UserNotFound`; `AccountDeleted`; `AccountSuspended`; `Infra`.
    #[tracing::instrument(skip_all)]
    pub async fn send_password_reset(&self, actor: &Actor, id: UserId) -> Result<(), AdminError> {
        let user = self.find(id).await?;
        match user.status {
            AccountStatus::Deleted => return Err(AdminError::AccountDeleted),
            // A reset would let the holder set a password they cannot use, and the mail
            // would read as if the account worked.
            AccountStatus::Suspended => return Err(AdminError::AccountSuspended),
            AccountStatus::Pending | AccountStatus::Active => {}
        }
        let now = self.ports.clock.now();
        queue_reset_mail(
            &*self.ports.outbox,
            &*self.ports.audit,
            &user,
            now,
            &actor.client,
            Some(actor.id),
        )
        .await?;
        Ok(())
    }
}
