//! Unlock, end every session, send a reset mail.

use super::{Actor, Admin, AdminError};
use crate::ids::UserId;

impl Admin {
    /// `POST /v1/admin/users/{id}/unlock`: clears the lock and the failure count.
    ///
    /// # Errors
    /// `UserNotFound`; `AccountDeleted`; `Infra`.
    #[tracing::instrument(skip_all)]
    pub async fn unlock(&self, actor: &Actor, id: UserId) -> Result<(), AdminError> {
        let _ = (actor, id);
        todo!("issue 15")
    }

    /// `DELETE /v1/admin/users/{id}/sessions`: revokes every live session and cuts off the
    /// access tokens. Returns how many sessions were revoked.
    ///
    /// # Errors
    /// `UserNotFound`; `Infra`.
    #[tracing::instrument(skip_all)]
    pub async fn revoke_sessions(&self, actor: &Actor, id: UserId) -> Result<usize, AdminError> {
        let _ = (actor, id);
        todo!("issue 15")
    }

    /// `POST /v1/admin/users/{id}/password-reset`: queues the reset mail (its link is minted
    /// when it is sent, as for `forgot-password`).
    ///
    /// # Errors
    /// `UserNotFound`; `AccountDeleted`; `AccountSuspended`; `Infra`.
    #[tracing::instrument(skip_all)]
    pub async fn send_password_reset(&self, actor: &Actor, id: UserId) -> Result<(), AdminError> {
        let _ = (actor, id);
        todo!("issue 15")
    }
}
