//! The caller's own account: read, update, change its password, deactivate it.

use super::Answer;
use super::sign_in::signed_in;
use crate::checkinn::cookie;
use crate::checkinn::requests::{DeleteMeBody, UpdateMeBody, UpdatePasswordBody};
use crate::checkinn::responses::{AuthAnswer, ProfileAnswer};
use crate::dto::{Message, message};
use crate::extractors::{Authenticated, CallerInfo, Json, OptionalJson};
use crate::state::AppState;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::web::Data;

/// The caller's profile
#[utoipa::path(
    get, path = "/api/auth/me", tag = "checkinn", operation_id = "checkinnMe",
    responses(
        (status = 200, description = "The profile", body = ProfileAnswer),
    )
)]
pub async fn me(state: Data<AppState>, principal: Authenticated) -> Answer {
    let view = state.services.profiles.get(&principal.0).await?;
    Ok(HttpResponse::Ok().json(ProfileAnswer::new(None, &view.user)))
}

/// Update the caller's profile
///
/// An absent field is left as it is; `phone: null` clears the phone. `name`'s last word is the
/// last name.
#[utoipa::path(
    patch, path = "/api/auth/update-me", tag = "checkinn", operation_id = "checkinnUpdateMe",
    request_body = UpdateMeBody,
    responses(
        (status = 200, description = "The updated profile", body = ProfileAnswer),
    )
)]
pub async fn update_me(
    state: Data<AppState>,
    principal: Authenticated,
    caller: CallerInfo,
    body: Json<UpdateMeBody>,
) -> Answer {
    let input = body.0.into_input()?;
    let view = state
        .services
        .profiles
        .update(&principal.0, input, &caller.0)
        .await?;
    let answer = ProfileAnswer::new(Some("Profile updated successfully"), &view.user);
    Ok(HttpResponse::Ok().json(answer))
}

/// Change the password
///
/// Every session ends, the caller's too (its access token is refused from now on); the answer
/// carries the token pair of a new session.
#[utoipa::path(
    patch, path = "/api/auth/update-password", tag = "checkinn",
    operation_id = "checkinnUpdatePassword",
    request_body = UpdatePasswordBody,
    responses(
        (status = 200, description = "Changed, and signed in afresh", body = AuthAnswer),
        (status = 401, description = "`INVALID_CREDENTIALS`: wrong current password (counts \
            towards the lockout)"),
        (status = 423, description = "`ACCOUNT_LOCKED` (`retryAfter`)"),
        (status = 503, description = "`SERVICE_BUSY`: the password-hashing queue is full; \
            `SERVICE_UNAVAILABLE`: storage is down"),
    )
)]
pub async fn update_password(
    state: Data<AppState>,
    principal: Authenticated,
    caller: CallerInfo,
    body: Json<UpdatePasswordBody>,
) -> Answer {
    let (current, new) = body.0.into_parts()?;
    let done = state
        .services
        .fresh_session
        .change_password(&principal.0, current, new, &caller.0)
        .await?;
    signed_in(
        &state,
        StatusCode::OK,
        "Password updated successfully",
        &done,
    )
}

/// Deactivate the caller's account
///
/// The bearer token alone suffices, as the CheckInn document has it; a `password`, when sent,
/// is checked. With `CHECKINN_DELETE_ME_REQUIRES_PASSWORD=true` the `password` is required (a
/// stolen access token alone then cannot delete the account). The account becomes `deleted`,
/// every session ends and the cookie is cleared.
#[utoipa::path(
    delete, path = "/api/auth/delete-me", tag = "checkinn", operation_id = "checkinnDeleteMe",
    request_body(content = Option<DeleteMeBody>, description = "Optional"),
    responses(
        (status = 200, description = "Deactivated", body = Message,
            example = json!({"success": true, "message": "Account deactivated successfully"})),
        (status = 400, description = "`VALIDATION_ERROR`: no `password` while \
            CHECKINN_DELETE_ME_REQUIRES_PASSWORD is on"),
        (status = 401, description = "`INVALID_CREDENTIALS`: a wrong password (counts towards \
            the lockout)"),
        (status = 409, description = "`LAST_ADMIN`: the account is the last active administrator"),
        (status = 423, description = "`ACCOUNT_LOCKED` (`retryAfter`), when a password is sent"),
        (status = 503, description = "`SERVICE_BUSY`: the password-hashing queue is full; \
            `SERVICE_UNAVAILABLE`: storage is down"),
    )
)]
pub async fn delete_me(
    state: Data<AppState>,
    principal: Authenticated,
    caller: CallerInfo,
    body: OptionalJson<DeleteMeBody>,
) -> Answer {
    let password = body
        .0
        .into_password(state.settings.checkinn_delete_requires_password)?;
    state
        .services
        .profiles
        .deactivate(&principal.0, password, &caller.0)
        .await?;
    cookie::cleared(message("Account deactivated successfully"), &state.settings)
}
