//! Administration: listing and reading accounts, changing them (profile, status, roles),
//! unlocking them, ending their sessions, sending them a reset mail, and reading the audit
//! trail. The HTTP adapter has already checked the caller's permission for the route; the
//! service checks what depends on the request's content (`roles` needs `admin.roles.write`).

mod actions;
mod first_admin;
mod update;
mod views;

pub use first_admin::{AdminCreated, FirstAdmin, FirstAdminError, FirstAdminPorts, NewAdmin};
pub use update::AdminUpdate;

use crate::authorization::{Permissions, RoleCatalog, RoleName};
use crate::error::{InfraError, ValidationErrors};
use crate::ids::UserId;
use crate::ports::{
    AuditLog, Clock, Outbox, SessionRepository, TokenDenylist, UserDirectory, UserRepository,
};
use crate::session::ClientInfo;
use crate::user::User;
use chrono::Duration;
use std::fmt;
use std::sync::Arc;
use thiserror::Error;

/// Who acts: the administrator's account, what their token's roles grant, and where the
/// request came from (for the audit trail).
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: UserId,
    pub permissions: Permissions,
    pub client: ClientInfo,
}

/// An account as `GET /v1/admin/users/{id}` shows it.
#[derive(Debug, Clone)]
pub struct AdminUserView {
    pub user: User,
    /// What the account's roles grant under the current configuration.
    pub permissions: Permissions,
    /// Live sessions (neither revoked nor expired).
    pub active_sessions: u64,
}

#[derive(Debug, Error)]
pub enum AdminError {
    /// 400 VALIDATION_ERROR, per field (`firstName`, `status`, `roles`, ...).
    #[error(transparent)]
    Validation(ValidationErrors),
    /// 404 USER_NOT_FOUND.
    #[error("user not found")]
    UserNotFound,
    /// 409 ACCOUNT_DELETED: `deleted` is final.
    #[error("the account is deleted")]
    AccountDeleted,
    /// 409 ACCOUNT_SUSPENDED: the action needs an account that is not suspended (a reset mail).
    #[error("the account is suspended")]
    AccountSuspended,
    /// 409 LAST_ADMIN.
    #[error("the last active administrator cannot be suspended, deleted or demoted")]
    LastAdmin,
    /// 403 INSUFFICIENT_PERMISSIONS: the change needs a permission the actor lacks
    /// (`roles` needs `admin.roles.write`).
    #[error("insufficient permissions")]
    InsufficientPermissions,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// The ports [`Admin`] calls.
#[derive(Clone)]
pub struct AdminPorts {
    pub users: Arc<dyn UserRepository>,
    pub directory: Arc<dyn UserDirectory>,
    pub sessions: Arc<dyn SessionRepository>,
    /// The reset mail of `POST /v1/admin/users/{id}/password-reset`.
    pub outbox: Arc<dyn Outbox>,
    pub denylist: Arc<dyn TokenDenylist>,
    pub audit: Arc<dyn AuditLog>,
    pub clock: Arc<dyn Clock>,
}

impl fmt::Debug for AdminPorts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AdminPorts").finish_non_exhaustive()
    }
}

/// `/v1/admin/*`.
#[derive(Debug, Clone)]
pub struct Admin {
    ports: AdminPorts,
    roles: Arc<RoleCatalog>,
    /// Denials of cut-off access tokens hold this long (plus the verification leeway).
    access_ttl: Duration,
}

impl Admin {
    #[must_use]
    pub fn new(ports: AdminPorts, roles: Arc<RoleCatalog>, access_ttl: Duration) -> Self {
        Self {
            ports,
            roles,
            access_ttl,
        }
    }

    fn guard(&self) -> crate::directory::LastAdminGuard {
        crate::directory::LastAdminGuard {
            roles: self
                .roles
                .roles_granting(crate::authorization::Permission::AdminRolesWrite),
        }
    }
}

/// Roles as a request names them: each must be configured; duplicates collapse.
///
/// # Errors
/// A field error on `field` naming the first unknown or malformed role.
pub(crate) fn known_roles(
    catalog: &RoleCatalog,
    field: &'static str,
    names: &[String],
) -> Result<Vec<RoleName>, ValidationErrors> {
    let _ = (catalog, field, names);
    todo!("issue 15")
}

#[cfg(test)]
mod tests;
