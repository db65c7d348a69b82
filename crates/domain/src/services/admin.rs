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
use crate::error::{FieldError, InfraError, ValidationErrors};
use crate::ids::UserId;
use crate::ports::{
    AccountChangeError, AuditLog, Clock, Outbox, SessionRepository, TokenDenylist, UserDirectory,
    UserRepository,
};
use crate::session::ClientInfo;
use crate::user::User;
use crate::values::codes;
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
    /// 401 TOKEN_REVOKED: the caller's own account is gone, suspended or deleted although
    /// its token still passed the denylist (a denial lost in a Redis outage).
    #[error("the caller's account can no longer act")]
    CallerInactive,
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
        full_admins(&self.roles)
    }
}

/// Who counts as a full admin under `catalog`: the active holders of a role that grants
/// `admin.roles.write`.
fn full_admins(catalog: &RoleCatalog) -> crate::directory::LastAdminGuard {
    crate::directory::LastAdminGuard {
        roles: catalog.roles_granting(crate::authorization::Permission::AdminRolesWrite),
    }
}

impl From<AccountChangeError> for AdminError {
    fn from(e: AccountChangeError) -> Self {
        match e {
            AccountChangeError::NotFound => Self::UserNotFound,
            AccountChangeError::Deleted => Self::AccountDeleted,
            AccountChangeError::LastAdmin => Self::LastAdmin,
            AccountChangeError::Port(e) => Self::Infra(e.into()),
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
    let problem =
        |code, message: String| ValidationErrors(vec![FieldError::new(field, code, message)]);
    if names.is_empty() {
        return Err(problem(
            codes::REQUIRED,
            "At least one role is required".to_owned(),
        ));
    }
    let mut roles: Vec<RoleName> = Vec::new();
    for name in names {
        match RoleName::parse(name) {
            Ok(role) if catalog.is_defined(&role) => {
                if !roles.contains(&role) {
                    roles.push(role);
                }
            }
            // The name is echoed cut to the longest a role name can be: the request is not
            // a place to store text.
            _ => {
                let shown: String = name.chars().take(RoleName::MAX_LEN).collect();
                return Err(problem(
                    UNKNOWN_ROLE,
                    format!("`{shown}` is not a configured role"),
                ));
            }
        }
    }
    Ok(roles)
}

/// The finer code of a role name that is not configured (or is no role name at all).
pub(crate) const UNKNOWN_ROLE: &str = "UNKNOWN_ROLE";

/// `user,moderator`, or `none` for no role: how the audit trail writes a list of roles.
pub(super) fn roles_text(roles: &[RoleName]) -> String {
    if roles.is_empty() {
        "none".to_owned()
    } else {
        roles
            .iter()
            .map(RoleName::as_str)
            .collect::<Vec<_>>()
            .join(",")
    }
}

#[cfg(test)]
mod tests;
