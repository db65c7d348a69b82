//! `PUT /v1/admin/users/{id}`: profile, status, roles, verified flag.

use super::{Actor, Admin, AdminError, AdminUserView};
use crate::ids::UserId;

/// The request as sent; `None` leaves a field alone, `Some(None)` clears a profile field.
/// Validated here, each problem reported on its request field name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdminUpdate {
    pub first_name: Option<Option<String>>,
    pub last_name: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    /// `active`, `suspended` or `deleted` (`pending` only on an account still pending).
    pub status: Option<String>,
    pub roles: Option<Vec<String>>,
    pub email_verified: Option<bool>,
}

impl Admin {
    /// Applies `update` for `actor`. A role change cuts off the account's earlier access tokens
    /// (its sessions survive; the next refresh carries the new roles); suspension and deletion
    /// revoke every session and cut off every token. Each aspect changed is one audit event
    /// naming the actor.
    ///
    /// # Errors
    /// `Validation`; `InsufficientPermissions` when `roles` is given without
    /// `admin.roles.write`; `UserNotFound`; `AccountDeleted`; `LastAdmin`; `Infra`.
    #[tracing::instrument(skip_all)]
    pub async fn update_user(
        &self,
        actor: &Actor,
        id: UserId,
        update: AdminUpdate,
    ) -> Result<AdminUserView, AdminError> {
        let _ = (actor, id, update);
        todo!("issue 15")
    }
}
