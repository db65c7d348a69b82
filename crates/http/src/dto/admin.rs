//! The bodies of `/v1/admin/*`: accounts as administrators see them (seed sections 15-17), the
//! audit trail, and the pages they come in.

mod events;
mod update;

pub use events::{ActivityList, AuditEventList};
pub use update::AdminUpdateRequest;

use super::rfc3339;
use authd_domain::authorization::{Permissions, RoleName};
use authd_domain::directory::Page;
use authd_domain::services::AdminUserView;
use authd_domain::user::User;
use serde::Serialize;
use utoipa::ToSchema;

fn first_name(u: &User) -> Option<String> {
    u.profile.first_name.as_ref().map(|n| n.as_str().to_owned())
}

fn last_name(u: &User) -> Option<String> {
    u.profile.last_name.as_ref().map(|n| n.as_str().to_owned())
}

fn phone(u: &User) -> Option<String> {
    u.profile.phone.as_ref().map(|p| p.as_str().to_owned())
}

/// `pagination` of a listing.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"page": 1, "limit": 20, "total": 150, "pages": 8}))]
pub struct Pagination {
    page: u32,
    limit: u32,
    /// Items in the whole listing.
    total: u64,
    /// `ceil(total / limit)`; 0 for an empty listing.
    pages: u64,
}

impl<T> From<&Page<T>> for Pagination {
    fn from(p: &Page<T>) -> Self {
        Self {
            page: p.request.page(),
            limit: p.request.limit(),
            total: p.total,
            pages: p.pages(),
        }
    }
}

/// One account of `GET /v1/admin/users`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AdminUserSummary {
    #[schema(format = Uuid)]
    id: String,
    email: String,
    username: String,
    #[schema(required)]
    first_name: Option<String>,
    #[schema(required)]
    last_name: Option<String>,
    #[schema(schema_with = super::schemas::account_status)]
    status: &'static str,
    email_verified: bool,
    #[schema(required, format = DateTime)]
    last_login: Option<String>,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(schema_with = super::schemas::roles)]
    roles: Vec<RoleName>,
}

impl From<&User> for AdminUserSummary {
    fn from(u: &User) -> Self {
        Self {
            id: u.id.to_string(),
            email: u.email.as_str().to_owned(),
            username: u.username.as_str().to_owned(),
            first_name: first_name(u),
            last_name: last_name(u),
            status: u.status.as_str(),
            email_verified: u.email_verified,
            last_login: u.last_login.as_ref().map(rfc3339),
            created_at: rfc3339(&u.created_at),
            roles: u.roles.clone(),
        }
    }
}

/// `GET /v1/admin/users`.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserList {
    users: Vec<AdminUserSummary>,
    pagination: Pagination,
}

impl From<&Page<User>> for UserList {
    fn from(page: &Page<User>) -> Self {
        Self {
            users: page.items.iter().map(AdminUserSummary::from).collect(),
            pagination: Pagination::from(page),
        }
    }
}

/// `GET /v1/admin/users/{userId}`: seed section 16, plus `mfaEnabled` and `activeSessions`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AdminUserDetail {
    #[schema(format = Uuid)]
    id: String,
    email: String,
    username: String,
    #[schema(required)]
    first_name: Option<String>,
    #[schema(required)]
    last_name: Option<String>,
    #[schema(required)]
    phone: Option<String>,
    #[schema(schema_with = super::schemas::account_status)]
    status: &'static str,
    email_verified: bool,
    phone_verified: bool,
    #[schema(required, format = DateTime)]
    last_login: Option<String>,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
    #[schema(schema_with = super::schemas::roles)]
    roles: Vec<RoleName>,
    /// What the roles grant under the current configuration.
    #[schema(schema_with = super::schemas::permissions)]
    permissions: Permissions,
    /// Wrong passwords counted towards the lockout since the last success or unlock.
    failed_login_attempts: u32,
    #[schema(required, format = DateTime)]
    last_failed_login: Option<String>,
    /// While in the future, logins answer `ACCOUNT_LOCKED`.
    #[schema(required, format = DateTime)]
    account_locked_until: Option<String>,
    mfa_enabled: bool,
    /// Sessions neither revoked nor expired.
    active_sessions: u64,
}

impl From<&AdminUserView> for AdminUserDetail {
    fn from(v: &AdminUserView) -> Self {
        let u = &v.user;
        Self {
            id: u.id.to_string(),
            email: u.email.as_str().to_owned(),
            username: u.username.as_str().to_owned(),
            first_name: first_name(u),
            last_name: last_name(u),
            phone: phone(u),
            status: u.status.as_str(),
            email_verified: u.email_verified,
            phone_verified: u.phone_verified,
            last_login: u.last_login.as_ref().map(rfc3339),
            created_at: rfc3339(&u.created_at),
            updated_at: rfc3339(&u.updated_at),
            roles: u.roles.clone(),
            permissions: v.permissions,
            failed_login_attempts: u.lockout.failed_attempts,
            last_failed_login: u.lockout.last_failed_at.as_ref().map(rfc3339),
            account_locked_until: u.lockout.locked_until.as_ref().map(rfc3339),
            mfa_enabled: u.mfa_enabled,
            active_sessions: v.active_sessions,
        }
    }
}

/// `PUT /v1/admin/users/{userId}`: seed section 17.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdatedUser {
    #[schema(format = Uuid)]
    id: String,
    email: String,
    username: String,
    #[schema(required)]
    first_name: Option<String>,
    #[schema(required)]
    last_name: Option<String>,
    #[schema(schema_with = super::schemas::account_status)]
    status: &'static str,
    #[schema(schema_with = super::schemas::roles)]
    roles: Vec<RoleName>,
    #[schema(format = DateTime)]
    updated_at: String,
}

impl From<&User> for UpdatedUser {
    fn from(u: &User) -> Self {
        Self {
            id: u.id.to_string(),
            email: u.email.as_str().to_owned(),
            username: u.username.as_str().to_owned(),
            first_name: first_name(u),
            last_name: last_name(u),
            status: u.status.as_str(),
            roles: u.roles.clone(),
            updated_at: rfc3339(&u.updated_at),
        }
    }
}

/// `DELETE /v1/admin/users/{userId}/sessions`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RevokedSessions {
    /// Live sessions this request ended (0 when there were none).
    revoked_sessions: usize,
}

impl RevokedSessions {
    #[must_use]
    pub fn new(revoked_sessions: usize) -> Self {
        Self { revoked_sessions }
    }
}

#[cfg(test)]
mod tests;
