//! What an administrator does to an account besides changing it: unlock it, end its sessions,
//! send it a reset mail.

use super::Answer;
use crate::dto::admin::RevokedSessions;
use crate::dto::{Message, Success, message, success};
use crate::extractors::{Acting, TargetUser};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::web::Data;

/// Unlock an account
///
/// Clears the lock and the count of wrong passwords.
#[utoipa::path(
    post, path = "/v1/admin/users/{userId}/unlock", tag = "admin", operation_id = "adminUnlockUser",
    params(("userId" = String, Path, format = Uuid, description = "The account's `id`")),
    responses(
        (status = 200, description = "Unlocked (also when it was not locked)", body = Message,
            example = json!({"success": true, "message": "Account unlocked successfully"})),
        (status = 400, description = "`VALIDATION_ERROR`: `userId` is not a UUID"),
        (status = 404, description = "`USER_NOT_FOUND`: no such account"),
        (status = 409, description = "`ACCOUNT_DELETED`: the account is deleted"),
    )
)]
pub async fn unlock(state: Data<AppState>, actor: Acting, target: TargetUser) -> Answer {
    state.services.admin.unlock(&actor.0, target.0).await?;
    Ok(message("Account unlocked successfully"))
}

/// End every session of an account
///
/// Revokes every live session and cuts off their access tokens at once.
#[utoipa::path(
    delete, path = "/v1/admin/users/{userId}/sessions", tag = "admin",
    operation_id = "adminRevokeSessions",
    params(("userId" = String, Path, format = Uuid, description = "The account's `id`")),
    responses(
        (status = 200, description = "Ended", body = Success<RevokedSessions>, example = json!({
            "success": true, "message": "All sessions revoked successfully",
            "data": {"revokedSessions": 2}
        })),
        (status = 400, description = "`VALIDATION_ERROR`: `userId` is not a UUID"),
        (status = 404, description = "`USER_NOT_FOUND`: no such account"),
    )
)]
pub async fn revoke_sessions(state: Data<AppState>, actor: Acting, target: TargetUser) -> Answer {
    let revoked = state
        .services
        .admin
        .revoke_sessions(&actor.0, target.0)
        .await?;
    Ok(success(
        StatusCode::OK,
        Some("All sessions revoked successfully"),
        Some(RevokedSessions::new(revoked)),
    ))
}

/// Send an account a password reset email
///
/// The email of `forgot-password`, with a link valid for the reset lifetime.
#[utoipa::path(
    post, path = "/v1/admin/users/{userId}/password-reset", tag = "admin",
    operation_id = "adminSendPasswordReset",
    params(("userId" = String, Path, format = Uuid, description = "The account's `id`")),
    responses(
        (status = 200, description = "Queued for delivery", body = Message,
            example = json!({"success": true, "message": "Password reset email sent"})),
        (status = 400, description = "`VALIDATION_ERROR`: `userId` is not a UUID"),
        (status = 404, description = "`USER_NOT_FOUND`: no such account"),
        (status = 409, description = "`ACCOUNT_DELETED`: the account is deleted; \
            `ACCOUNT_SUSPENDED`: the account is suspended (reactivate it first)"),
    )
)]
pub async fn password_reset(state: Data<AppState>, actor: Acting, target: TargetUser) -> Answer {
    state
        .services
        .admin
        .send_password_reset(&actor.0, target.0)
        .await?;
    Ok(message("Password reset email sent"))
}
