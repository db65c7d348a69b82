//! Reading: the user list, one user, the audit trail.

use super::{Admin, AdminError, AdminUserView};
use crate::audit::AuditEvent;
use crate::authorization::Permissions;
use crate::directory::{AuditQuery, Page, UserQuery};
use crate::error::InfraError;
use crate::ids::UserId;
use crate::token::AccessClaims;
use crate::user::{AccountStatus, User};

impl Admin {
    /// `GET /v1/admin/users`.
    ///
    /// # Errors
    /// `Infra`.
    #[tracing::instrument(skip_all)]
    pub async fn list_users(&self, query: &UserQuery) -> Result<Page<User>, AdminError> {
        Ok(self
            .ports
            .directory
            .search(query)
            .await
            .map_err(InfraError::from)?)
    }

    /// `GET /v1/admin/users/{id}`.
    ///
    /// # Errors
    /// `UserNotFound`; `Infra`.
    #[tracing::instrument(skip_all)]
    pub async fn get_user(&self, id: UserId) -> Result<AdminUserView, AdminError> {
        let user = self.find(id).await?;
        self.view(user).await
    }

    /// `GET /v1/admin/audit-events`.
    ///
    /// # Errors
    /// `Infra`.
    #[tracing::instrument(skip_all)]
    pub async fn audit_events(&self, query: &AuditQuery) -> Result<Page<AuditEvent>, AdminError> {
        Ok(self
            .ports
            .audit
            .search(query)
            .await
            .map_err(InfraError::from)?)
    }

    /// What the caller of an admin route may do, read from its stored account rather than
    /// its token: a role change or suspension cuts tokens off through the denylist, and a
    /// denial lost with Redis's data would otherwise leave a demoted administrator their power
    /// until the token expires. One read, on the low-traffic admin routes only.
    ///
    /// # Errors
    /// `CallerInactive` when the account is gone or not active; `Infra`.
    #[tracing::instrument(skip_all)]
    pub async fn authorize(&self, claims: &AccessClaims) -> Result<Permissions, AdminError> {
        let caller = self
            .ports
            .users
            .find_by_id(claims.user_id)
            .await
            .map_err(InfraError::from)?
            .filter(|u| u.status == AccountStatus::Active)
            .ok_or(AdminError::CallerInactive)?;
        Ok(self.roles.permissions_of(&caller.roles))
    }

    /// The account, or `UserNotFound`.
    pub(super) async fn find(&self, id: UserId) -> Result<User, AdminError> {
        self.ports
            .users
            .find_by_id(id)
            .await
            .map_err(InfraError::from)?
            .ok_or(AdminError::UserNotFound)
    }

    /// `user` with what its roles grant today and how many sessions it has live now.
    pub(super) async fn view(&self, user: User) -> Result<AdminUserView, AdminError> {
        let now = self.ports.clock.now();
        let active = self
            .ports
            .sessions
            .list_active(user.id, now)
            .await
            .map_err(InfraError::from)?;
        Ok(AdminUserView {
            permissions: self.roles.permissions_of(&user.roles),
            active_sessions: u64::try_from(active.len()).unwrap_or(u64::MAX),
            user,
        })
    }
}
