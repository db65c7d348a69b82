//! `/v1/users/me*`: the caller's own account and sessions.

use crate::cookies;
use crate::dto::admin::ActivityList;
use crate::dto::requests::{PasswordRequest, UpdateProfileRequest};
use crate::dto::responses::{ProfileData, SessionData};
use crate::dto::{Message, Success, message, success, with_cookie};
use crate::error::ApiError;
use crate::extractors::{Authenticated, CallerInfo, Json, PageQuery};
use crate::state::AppState;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::web::{Data, Path};

type Answer = Result<HttpResponse, ApiError>;

/// The caller's profile
#[utoipa::path(
    get, path = "/v1/users/me", tag = "users", operation_id = "getMe",
    responses(
        (status = 200, description = "The profile", body = Success<ProfileData>, example = json!({
            "success": true,
            "data": {
                "id": "123e4567-e89b-12d3-a456-426614174000", "email": "user@example.com",
                "username": "johndoe", "firstName": "John", "lastName": "Doe",
                "phone": "+1234567890", "status": "active", "emailVerified": true,
                "phoneVerified": false, "lastLogin": "2023-12-01T10:30:00Z",
                "createdAt": "2023-11-01T09:00:00Z", "updatedAt": "2023-12-01T10:30:00Z",
                "roles": ["user"], "permissions": ["users.read"], "preferences": {}
            }
        })),
    )
)]
pub async fn get_me(state: Data<AppState>, principal: Authenticated) -> Answer {
    let view = state.services.profiles.get(&principal.0).await?;
    Ok(success(
        StatusCode::OK,
        None,
        Some(ProfileData::from(&view)),
    ))
}

/// Update the caller's profile
///
/// An absent field is left as it is; `null` clears it.
#[utoipa::path(
    put, path = "/v1/users/me", tag = "users", operation_id = "updateMe",
    request_body = UpdateProfileRequest,
    responses(
        (status = 200, description = "The updated profile", body = Success<ProfileData>, example = json!({
            "success": true, "message": "Profile updated successfully",
            "data": {
                "id": "123e4567-e89b-12d3-a456-426614174000", "email": "user@example.com",
                "username": "johndoe", "firstName": "John", "lastName": "Smith",
                "phone": "+1234567890", "status": "active", "emailVerified": true,
                "phoneVerified": false, "lastLogin": "2023-12-01T10:30:00Z",
                "createdAt": "2023-11-01T09:00:00Z", "updatedAt": "2023-12-01T10:35:00Z",
                "roles": ["user"], "permissions": ["users.read"], "preferences": {}
            }
        })),
    )
)]
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

/// Deactivate the caller's account
///
/// The account becomes `deleted`, every session is revoked and the cookie cleared.
#[utoipa::path(
    delete, path = "/v1/users/me", tag = "users", operation_id = "deactivateMe",
    request_body = PasswordRequest,
    responses(
        (status = 200, description = "Deactivated", body = Message,
            example = json!({"success": true, "message": "Account deactivated successfully"})),
        (status = 401, description = "`INVALID_CREDENTIALS`: wrong password (counts towards the lockout)"),
        (status = 409, description = "`LAST_ADMIN`: the account is the last active administrator"),
        (status = 423, description = "`ACCOUNT_LOCKED` (`retryAfter`), even for the right password"),
        (status = 503, description = "`SERVICE_BUSY`: the password-hashing queue is full"),
    )
)]
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
        .deactivate(&principal.0, Some(password), &caller.0)
        .await?;
    // Every session is gone; the browser's refresh cookie is of no further use.
    let cleared = cookies::cleared_cookie(state.settings.cookie_secure, cookies::PATH);
    with_cookie(message("Account deactivated successfully"), &cleared)
}

/// The caller's active sessions
///
/// `location` comes from the GeoIP database when one is configured, else it is `null`.
#[utoipa::path(
    get, path = "/v1/users/me/sessions", tag = "users", operation_id = "listSessions",
    responses(
        (status = 200, description = "The sessions", body = Success<Vec<SessionData>>, example = json!({
            "success": true,
            "data": [{
                "id": "0190c5e2-8a4b-7c3d-9e1f-2a3b4c5d6e7f",
                "deviceInfo": {"browser": "Chrome", "os": "Windows", "device": "Desktop"},
                "ipAddress": "203.0.113.7", "location": {"country": "VN", "city": "Hanoi"},
                "createdAt": "2023-12-01T09:00:00Z", "lastActivity": "2023-12-01T10:30:00Z",
                "isCurrent": true
            }, {
                "id": "0190c5e2-8a4b-7c3d-9e1f-2a3b4c5d6e80",
                "deviceInfo": {"browser": "Safari", "os": "iOS", "device": "Mobile"},
                "ipAddress": "192.168.1.101", "location": null,
                "createdAt": "2023-11-30T15:00:00Z", "lastActivity": "2023-11-30T15:20:00Z",
                "isCurrent": false
            }]
        })),
    )
)]
pub async fn sessions(state: Data<AppState>, principal: Authenticated) -> Answer {
    let sessions = state.services.sessions.list(&principal.0).await?;
    let geolocator = state.geolocator.as_ref();
    let data: Vec<SessionData> = sessions
        .iter()
        .map(|s| SessionData::new(s, geolocator))
        .collect();
    Ok(success(StatusCode::OK, None, Some(data)))
}

/// End one of the caller's sessions
#[utoipa::path(
    delete, path = "/v1/users/me/sessions/{session_id}", tag = "users", operation_id = "revokeSession",
    params(("session_id" = String, Path, description = "The `id` of a session of the caller")),
    responses(
        (status = 200, description = "Ended", body = Message,
            example = json!({"success": true, "message": "Session terminated successfully"})),
        (status = 404, description = "`NOT_FOUND`: unknown, or another user's session"),
    )
)]
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

/// The caller's own security events
///
/// Newest first: sign-ins (with device and address), failed logins, password and MFA changes,
/// locks, sessions ended, and what administrators did to the account (without their address or
/// User-Agent).
#[utoipa::path(
    get, path = "/v1/users/me/activity", tag = "users", operation_id = "getMyActivity",
    params(
        ("page" = Option<u32>, Query, description = "Page number, 1-100000 (default 1)", minimum = 1, maximum = 100000),
        ("limit" = Option<u32>, Query, description = "Events per page, 1-100 (default 20)", minimum = 1, maximum = 100),
    ),
    responses(
        (status = 200, description = "One page of events", body = Success<ActivityList>, example = json!({
            "success": true,
            "data": {
                "events": [{
                    "id": "0190c5e2-8a4b-7c3d-9e1f-2a3b4c5d6e7f", "type": "login_succeeded",
                    "ipAddress": "192.168.1.100",
                    "userAgent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0.0.0 Safari/537.36",
                    "device": {"browser": "Chrome", "os": "Windows", "device": "Desktop"},
                    "createdAt": "2023-12-01T10:30:00Z", "note": null
                }],
                "pagination": {"page": 1, "limit": 20, "total": 1, "pages": 1}
            }
        })),
        (status = 400, description = "`VALIDATION_ERROR`: a bad `page` or `limit`, each named in `details`"),
    )
)]
pub async fn activity(state: Data<AppState>, principal: Authenticated, page: PageQuery) -> Answer {
    let events = state
        .services
        .activity
        .own(principal.0.user_id, page.0)
        .await?;
    Ok(success(
        StatusCode::OK,
        None,
        Some(ActivityList::from(&events)),
    ))
}
