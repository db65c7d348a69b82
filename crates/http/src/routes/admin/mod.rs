//! `/v1/admin/*`: accounts as administrators see and change them, and the audit trail. The route
//! table declares each route `Access::Admin(permission)`: by the time a handler runs, the
//! address is inside `ADMIN_ALLOWED_IPS` and the caller's roles grant the permission. What
//! depends on the request's content (`roles` needs `admin.roles.write`) the service checks.

mod actions;
mod audit;

pub use actions::{__path_password_reset, __path_revoke_sessions, __path_unlock};
pub use actions::{password_reset, revoke_sessions, unlock};
pub use audit::{__path_audit_events, audit_events};

use crate::dto::admin::{AdminUpdateRequest, AdminUserDetail, UpdatedUser, UserList};
use crate::dto::{Success, success};
use crate::error::ApiError;
use crate::extractors::{Acting, Json, TargetUser, UsersQuery};
use crate::state::AppState;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::web::Data;

type Answer = Result<HttpResponse, ApiError>;

/// List accounts
///
/// Newest first unless `sort` says otherwise; ties by id, so pages never overlap.
#[utoipa::path(
    get, path = "/v1/admin/users", tag = "admin", operation_id = "adminListUsers",
    params(
        ("page" = Option<u32>, Query, description = "Page number, 1-100000 (default 1)", minimum = 1, maximum = 100000),
        ("limit" = Option<u32>, Query, description = "Accounts per page, 1-100 (default 20)", minimum = 1, maximum = 100),
        ("status" = Option<String>, Query, description = "Only accounts with this status: pending, active, suspended or deleted"),
        ("search" = Option<String>, Query, description = "1-100 characters found in the email or the username, whatever their case", max_length = 100),
        ("role" = Option<String>, Query, description = "Only accounts holding this role"),
        ("sort" = Option<String>, Query, description = "-createdAt (default), createdAt, email, -email, username, -username, -lastLogin or lastLogin"),
    ),
    responses(
        (status = 200, description = "One page of accounts", body = Success<UserList>, example = json!({
            "success": true,
            "data": {
                "users": [{
                    "id": "123e4567-e89b-12d3-a456-426614174000", "email": "user@example.com",
                    "username": "johndoe", "firstName": "John", "lastName": "Doe",
                    "status": "active", "emailVerified": true,
                    "lastLogin": "2023-12-01T10:30:00Z", "createdAt": "2023-11-01T09:00:00Z",
                    "roles": ["user"]
                }],
                "pagination": {"page": 1, "limit": 20, "total": 150, "pages": 8}
            }
        })),
        (status = 400, description = "`VALIDATION_ERROR`: a bad query parameter, each named in `details`"),
    )
)]
pub async fn list_users(state: Data<AppState>, query: UsersQuery) -> Answer {
    let page = state.services.admin.list_users(&query.0).await?;
    Ok(success(StatusCode::OK, None, Some(UserList::from(&page))))
}

/// One account
#[utoipa::path(
    get, path = "/v1/admin/users/{userId}", tag = "admin", operation_id = "adminGetUser",
    params(("userId" = String, Path, format = Uuid, description = "The account's `id`")),
    responses(
        (status = 200, description = "The account", body = Success<AdminUserDetail>, example = json!({
            "success": true,
            "data": {
                "id": "123e4567-e89b-12d3-a456-426614174000", "email": "user@example.com",
                "username": "johndoe", "firstName": "John", "lastName": "Doe",
                "phone": "+1234567890", "status": "active", "emailVerified": true,
                "phoneVerified": false, "lastLogin": "2023-12-01T10:30:00Z",
                "createdAt": "2023-11-01T09:00:00Z", "updatedAt": "2023-12-01T10:30:00Z",
                "roles": ["user"], "permissions": ["users.read"], "failedLoginAttempts": 0,
                "lastFailedLogin": null, "accountLockedUntil": null, "mfaEnabled": false,
                "activeSessions": 2
            }
        })),
        (status = 400, description = "`VALIDATION_ERROR`: `userId` is not a UUID"),
        (status = 404, description = "`USER_NOT_FOUND`: no such account"),
    )
)]
pub async fn get_user(state: Data<AppState>, target: TargetUser) -> Answer {
    let view = state.services.admin.get_user(target.0).await?;
    Ok(success(
        StatusCode::OK,
        None,
        Some(AdminUserDetail::from(&view)),
    ))
}

/// Change an account
///
/// An absent field is left as it is; `null` clears a profile field. Changing `roles` needs the
/// `admin.roles.write` permission and cuts off the account's earlier access tokens (its
/// sessions survive; the next refresh carries the new roles). `suspended` and `deleted` end
/// every session and cut off every access token at once; `deleted` is final.
#[utoipa::path(
    put, path = "/v1/admin/users/{userId}", tag = "admin", operation_id = "adminUpdateUser",
    params(("userId" = String, Path, format = Uuid, description = "The account's `id`")),
    request_body = AdminUpdateRequest,
    responses(
        (status = 200, description = "Updated", body = Success<UpdatedUser>, example = json!({
            "success": true, "message": "User updated successfully",
            "data": {
                "id": "123e4567-e89b-12d3-a456-426614174000", "email": "user@example.com",
                "username": "johndoe", "firstName": "John", "lastName": "Smith",
                "status": "active", "roles": ["user", "moderator"],
                "updatedAt": "2023-12-01T10:40:00Z"
            }
        })),
        (status = 400, description = "`VALIDATION_ERROR`: `userId` is not a UUID, or a field is \
            invalid (`roles` naming a role that is not configured, a `status` the account \
            cannot take), each named in `details`"),
        (status = 403, description = "`INSUFFICIENT_PERMISSIONS`: the caller's roles lack \
            admin.users.write, or the body changes `roles` without admin.roles.write"),
        (status = 404, description = "`USER_NOT_FOUND`: no such account"),
        (status = 409, description = "`ACCOUNT_DELETED`: the account is deleted, which is final; \
            `LAST_ADMIN`: the change would leave no active administrator"),
    )
)]
pub async fn update_user(
    state: Data<AppState>,
    actor: Acting,
    target: TargetUser,
    body: Json<AdminUpdateRequest>,
) -> Answer {
    let user = state
        .services
        .admin
        .update_user(&actor.0, target.0, body.0.into())
        .await?;
    Ok(success(
        StatusCode::OK,
        Some("User updated successfully"),
        Some(UpdatedUser::from(&user)),
    ))
}
