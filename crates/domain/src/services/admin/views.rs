//! Reading: the user list, one user, the audit trail.

use super::{Admin, AdminError, AdminUserView};
use crate::audit::AuditEvent;
use crate::directory::{AuditQuery, Page, UserQuery};
use crate::ids::UserId;
use crate::user::User;

impl Admin {
    /// `GET /v1/admin/users`.
    ///
    /// # Errors
    /// `Infra`.
    #[tracing::instrument(skip_all)]
    pub async fn list_users(&self, query: &UserQuery) -> Result<Page<User>, AdminError> {
        let _ = query;
        todo!("issue 15")
    }

    /// `GET /v1/admin/users/{id}`.
    ///
    /// # Errors
    /// `UserNotFound`; `Infra`.
    #[tracing::instrument(skip_all)]
    pub async fn get_user(&self, id: UserId) -> Result<AdminUserView, AdminError> {
        let _ = id;
        todo!("issue 15")
    }

    /// `GET /v1/admin/audit-events`.
    ///
    /// # Errors
    /// `Infra`.
    #[tracing::instrument(skip_all)]
    pub async fn audit_events(&self, query: &AuditQuery) -> Result<Page<AuditEvent>, AdminError> {
        let _ = query;
        todo!("issue 15")
    }
}
