//! `/v1/users/me*`: the caller's own account and sessions.

use crate::cookies;
use crate::dto::requests::{PasswordRequest, UpdateProfileRequest};
use crate::dto::responses::{ProfileData, SessionData};
use crate::dto::{message, success, with_cookie};
use crate::error::ApiError;
use crate::extractors::{Authenticated, CallerInfo, Json};
use crate::state::AppState;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::web::{Data, Path};

type Answer = Result<HttpResponse, ApiError>;

pub async fn get_me(state: Data<AppState>, principal: Authenticated) -> Answer {
    let view = state.services.profiles.get(&principal.0).await?;
    Ok(success(
        StatusCode::OK,
        None,
        Some(ProfileData::from(&view)),
    ))
}

pub async fn update_me(
    state: Data<AppState>,
    principal: Authenticated,
    caller: CallerInfo,
    body: Json<UpdateProfileRequest>,
) -> Answer {
    let view = state
        .services
        .profiles
        .update(&principal.0, body.0.into(), &caller.0)
        .await?;
    Ok(success(
        StatusCode::OK,
        Some("Profile updated successfully"),
        Some(ProfileData::from(&view)),
    ))
}

pub async fn deactivate_me(
    state: Data<AppState>,
    principal: Authenticated,
    caller: CallerInfo,
    body: Json<PasswordRequest>,
) -> Answer {
    let password = body.0.into_password()?;
    state
        .services
        .profiles
        .deactivate(&principal.0, password, &caller.0)
        .await?;
    // Every session is gone; the browser's refresh cookie is of no further use.
    let cleared = cookies::cleared_cookie(state.settings.cookie_secure);
    with_cookie(message("Account deactivated successfully"), &cleared)
}

pub async fn sessions(state: Data<AppState>, principal: Authenticated) -> Answer {
    let sessions = state.services.sessions.list(&principal.0).await?;
    let data: Vec<SessionData> = sessions.iter().map(SessionData::from).collect();
    Ok(success(StatusCode::OK, None, Some(data)))
}

pub async fn revoke_session(
    state: Data<AppState>,
    principal: Authenticated,
    caller: CallerInfo,
    session_id: Path<String>,
) -> Answer {
    state
        .services
        .sessions
        .revoke(&principal.0, &session_id, &caller.0)
        .await?;
    Ok(message("Session terminated successfully"))
}
