//! `/v1/auth/*`: register, verify, log in and out, refresh, and the password flows.

use crate::cookies;
use crate::dto::requests::{
    ChangePasswordRequest, EmailRequest, LoginRequest, LogoutRequest, RefreshRequest,
    RegisterRequest, ResetPasswordRequest, UnlockRequest, VerifyEmailRequest,
};
use crate::dto::responses::{LoginData, RefreshData, RegisterData};
use crate::dto::{Message, Success, message, success, with_cookie};
use crate::error::ApiError;
use crate::extractors::{
    Authenticated, CallerInfo, DeviceCookie, Json, OptionalJson, RefreshCredential,
};
use crate::state::AppState;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::web::Data;
use authd_domain::services::{DeviceToken, LoginSuccess};
use secrecy::ExposeSecret as _;

pub(super) type Answer = Result<HttpResponse, ApiError>;

/// The same whatever the account, so the answer reveals nothing.
const RESEND_MESSAGE: &str =
    "If the account exists and is not yet verified, a verification email has been sent";

/// Register an account
///
/// The account starts `pending` and a verification email is sent (unless
/// `REQUIRE_EMAIL_VERIFICATION=false`, which activates it at once).
#[utoipa::path(
    post, path = "/v1/auth/register", tag = "auth", operation_id = "register",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Registered", body = Success<RegisterData>, example = json!({
            "success": true,
            "message": "User registered successfully. Please check your email for verification.",
            "data": {
                "userId": "123e4567-e89b-12d3-a456-426614174000", "email": "user@example.com",
                "username": "johndoe", "status": "pending", "emailVerified": false,
                "createdAt": "2023-12-01T09:00:00Z"
            }
        })),
        (status = 409, description = "`EMAIL_EXISTS`: the email in any case; `USERNAME_EXISTS`: \
            the username in any case, or a look-alike of it"),
        (status = 503, description = "`SERVICE_BUSY`: the password-hashing queue is full; \
            `SERVICE_UNAVAILABLE`: storage is down"),
    )
)]
pub async fn register(
    state: Data<AppState>,
    caller: CallerInfo,
    body: Json<RegisterRequest>,
) -> Answer {
    let input = body.0.into_input()?;
    let user = state
        .services
        .registration
        .register(input, &caller.0)
        .await?;
    Ok(success(
        StatusCode::CREATED,
        Some("User registered successfully. Please check your email for verification."),
        Some(RegisterData::from(&user)),
    ))
}

/// Verify an email address
#[utoipa::path(
    post, path = "/v1/auth/verify-email", tag = "auth", operation_id = "verifyEmail",
    request_body = VerifyEmailRequest,
    responses(
        (status = 200, description = "Verified: the account is `active`", body = Message,
            example = json!({"success": true, "message": "Email verified successfully"})),
        (status = 400, description = "`MISSING_TOKEN`"),
        (status = 404, description = "`INVALID_TOKEN`: unknown or already used"),
        (status = 410, description = "`TOKEN_EXPIRED`"),
        (status = 503, description = "`SERVICE_UNAVAILABLE`: storage is down"),
    )
)]
pub async fn verify_email(
    state: Data<AppState>,
    caller: CallerInfo,
    body: OptionalJson<VerifyEmailRequest>,
) -> Answer {
    let token = body.0.into_token()?;
    state
        .services
        .email_verification
        .verify(&token, &caller.0)
        .await?;
    Ok(message("Email verified successfully"))
}

/// Unlock an account with the link of its "account locked" email
///
/// The link works once, within 30 minutes of the email; it ends the lock and clears the failed
/// attempts, so that the owner need not wait out a lock that someone else's guesses caused.
#[utoipa::path(
    post, path = "/v1/auth/unlock", tag = "auth", operation_id = "unlockAccount",
    request_body = UnlockRequest,
    responses(
        (status = 200, description = "Unlocked: the password works again at once", body = Message,
            example = json!({"success": true, "message": "Account unlocked successfully"})),
        (status = 400, description = "`MISSING_TOKEN`"),
        (status = 404, description = "`INVALID_TOKEN`: unknown or already used"),
        (status = 410, description = "`TOKEN_EXPIRED`"),
        (status = 503, description = "`SERVICE_UNAVAILABLE`: storage is down"),
    )
)]
pub async fn unlock(
    state: Data<AppState>,
    caller: CallerInfo,
    body: OptionalJson<UnlockRequest>,
) -> Answer {
    let token = body.0.into_token()?;
    state
        .services
        .unlock
        .unlock(Some(token.expose_secret().to_owned()), &caller.0)
        .await?;
    Ok(message("Account unlocked successfully"))
}

/// Send the verification email again
///
/// The same answer whether or not the account exists or is verified.
#[utoipa::path(
    post, path = "/v1/auth/resend-verification", tag = "auth", operation_id = "resendVerification",
    request_body = EmailRequest,
    responses(
        (status = 200, description = "Sent if the account exists and is not yet verified", body = Message,
            example = json!({"success": true, "message": RESEND_MESSAGE})),
        (status = 503, description = "`SERVICE_UNAVAILABLE`: storage is down"),
    )
)]
pub async fn resend_verification(
    state: Data<AppState>,
    caller: CallerInfo,
    body: Json<EmailRequest>,
) -> Answer {
    let email = body.0.into_email()?;
    state
        .services
        .email_verification
        .resend(&email, &caller.0)
        .await?;
    Ok(message(RESEND_MESSAGE))
}

/// Log in
///
/// With `email` or `username`, and `password`. The refresh token is also set as the HttpOnly
/// `refresh_token` cookie. For an account with MFA, the answer is 401 `MFA_REQUIRED` with
/// `data: {mfaToken, methods}`, to be completed at `POST /v1/auth/mfa/verify`, unless a
/// remembered device is presented (`deviceToken`, else the `mfa_device` cookie).
#[utoipa::path(
    post, path = "/v1/auth/login", tag = "auth", operation_id = "login",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = Success<LoginData>, example = json!({
            "success": true, "message": "Login successful",
            "data": {
                "accessToken": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...",
                "refreshToken": "def502004e6a0b5c9df6e5...", "expiresIn": 900,
                "tokenType": "Bearer",
                "user": {
                    "id": "123e4567-e89b-12d3-a456-426614174000", "email": "user@example.com",
                    "username": "johndoe", "firstName": "John", "lastName": "Doe",
                    "status": "active", "emailVerified": true, "roles": ["user"],
                    "permissions": ["users.read"], "lastLogin": "2023-12-01T10:30:00Z",
                    "mfaEnabled": false
                }
            }
        })),
        (status = 400, description = "`MISSING_CREDENTIALS`: no email or username, or no password"),
        (status = 401, description = "`INVALID_CREDENTIALS`: wrong email/username or password; \
            `EMAIL_NOT_VERIFIED`; `MFA_REQUIRED`: the password was right, the second factor is \
            next (`data: {mfaToken, methods}`)"),
        (status = 403, description = "`ACCOUNT_SUSPENDED`, `ACCOUNT_DELETED`"),
        (status = 423, description = "`ACCOUNT_LOCKED`: too many failed attempts (`retryAfter`)"),
        (status = 503, description = "`SERVICE_BUSY`: the password-hashing queue is full; \
            `SERVICE_UNAVAILABLE`: storage is down"),
    )
)]
pub async fn login(
    state: Data<AppState>,
    caller: CallerInfo,
    device: DeviceCookie,
    body: Json<LoginRequest>,
) -> Answer {
    let input = body.0.into_input(device.0);
    let done = state.services.login.login(input, &caller.0).await?;
    logged_in(&state, &done, None)
}

/// The answer of a completed login, password alone or with the second factor: the tokens, the
/// refresh cookie, and a remembered device's token and cookie when one was just remembered.
pub(super) fn logged_in(
    state: &AppState,
    done: &LoginSuccess,
    device: Option<&DeviceToken>,
) -> Answer {
    let secure = state.settings.cookie_secure;
    let data = LoginData::from(done).with_device_token(device.map(|d| d.raw.expose()));
    let mut res = success(StatusCode::OK, Some("Login successful"), Some(data));
    if let Some(cookie) = cookies::issued_cookie(&done.tokens, secure) {
        res = with_cookie(res, &cookie)?;
    }
    if let Some(device) = device {
        let max_age = (device.expires_at - state.clock.now()).num_seconds();
        res = with_cookie(
            res,
            &cookies::device_cookie(device.raw.expose(), max_age, secure),
        )?;
    }
    Ok(res)
}

/// Refresh the access token
///
/// With the refresh token of the body, or else of the `refresh_token` cookie. The refresh token
/// is rotated when `REFRESH_TOKEN_ROTATION` is on; presenting a rotated one again revokes its
/// whole family.
#[utoipa::path(
    post, path = "/v1/auth/refresh", tag = "auth", operation_id = "refresh",
    request_body(content = Option<RefreshRequest>, description = "Optional: an empty body uses the cookie"),
    responses(
        (status = 200, description = "New tokens", body = Success<RefreshData>, example = json!({
            "success": true,
            "data": {
                "accessToken": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...", "expiresIn": 900,
                "tokenType": "Bearer"
            }
        })),
        (status = 400, description = "`MISSING_REFRESH_TOKEN`: none in the body nor the cookie"),
        (status = 401, description = "`INVALID_REFRESH_TOKEN`: unknown or expired; \
            `TOKEN_REVOKED`: family revoked, or reuse detected"),
        (status = 403, description = "`CSRF_FAILED`: the cookie sent with a foreign `Origin`"),
        (status = 503, description = "`SERVICE_UNAVAILABLE`: storage is down"),
    ),
    security((), ("refreshCookie" = []))
)]
pub async fn refresh(
    state: Data<AppState>,
    caller: CallerInfo,
    presented: RefreshCredential,
) -> Answer {
    let outcome = state
        .services
        .refresh
        .refresh(&presented.token, &caller.0)
        .await;
    let secure = state.settings.cookie_secure;
    cookies::refresh_answer(outcome, secure, cookies::PATH, |tokens| {
        let res = success(StatusCode::OK, None, Some(RefreshData::from(tokens)));
        (res, cookies::issued_cookie(tokens, secure))
    })
}

/// Log out
///
/// Revokes the caller's session (or every session) and its access token, and clears the cookie.
#[utoipa::path(
    post, path = "/v1/auth/logout", tag = "auth", operation_id = "logout",
    request_body(content = Option<LogoutRequest>, description = "Optional"),
    responses(
        (status = 200, description = "Logged out", body = Message,
            example = json!({"success": true, "message": "Logged out successfully"})),
    )
)]
pub async fn logout(
    state: Data<AppState>,
    principal: Authenticated,
    caller: CallerInfo,
    body: OptionalJson<LogoutRequest>,
) -> Answer {
    let all_devices = body.0.logout_all_devices.unwrap_or(false);
    state
        .services
        .logout
        .logout(&principal.0, all_devices, &caller.0)
        .await?;
    let cleared = cookies::cleared_cookie(state.settings.cookie_secure, cookies::PATH);
    with_cookie(message("Logged out successfully"), &cleared)
}

/// Ask for a password-reset email
///
/// The same answer whether or not the account exists.
#[utoipa::path(
    post, path = "/v1/auth/forgot-password", tag = "auth", operation_id = "forgotPassword",
    request_body = EmailRequest,
    responses(
        (status = 200, description = "Sent if the account exists", body = Message,
            example = json!({"success": true, "message": "Password reset email sent if account exists"})),
        (status = 503, description = "`SERVICE_UNAVAILABLE`: storage is down"),
    )
)]
pub async fn forgot_password(
    state: Data<AppState>,
    caller: CallerInfo,
    body: Json<EmailRequest>,
) -> Answer {
    let email = body.0.into_email()?;
    state
        .services
        .password_reset
        .request(&email, &caller.0)
        .await?;
    Ok(message("Password reset email sent if account exists"))
}

/// Reset the password
///
/// With the token of the reset email. Revokes every session and clears a lockout.
#[utoipa::path(
    post, path = "/v1/auth/reset-password", tag = "auth", operation_id = "resetPassword",
    request_body = ResetPasswordRequest,
    responses(
        (status = 200, description = "Reset", body = Message,
            example = json!({"success": true, "message": "Password reset successfully"})),
        (status = 404, description = "`INVALID_TOKEN`: unknown or already used"),
        (status = 410, description = "`TOKEN_EXPIRED`"),
        (status = 503, description = "`SERVICE_BUSY`: the password-hashing queue is full; \
            `SERVICE_UNAVAILABLE`: storage is down"),
    )
)]
pub async fn reset_password(
    state: Data<AppState>,
    caller: CallerInfo,
    body: Json<ResetPasswordRequest>,
) -> Answer {
    let (token, new_password) = body.0.into_parts()?;
    state
        .services
        .password_reset
        .reset(&token, new_password, &caller.0)
        .await?;
    Ok(message("Password reset successfully"))
}

/// Change the password
///
/// Revokes every other session.
#[utoipa::path(
    put, path = "/v1/auth/change-password", tag = "auth", operation_id = "changePassword",
    request_body = ChangePasswordRequest,
    responses(
        (status = 200, description = "Changed", body = Message,
            example = json!({"success": true, "message": "Password changed successfully"})),
        (status = 401, description = "`INVALID_CREDENTIALS`: wrong current password (counts \
            towards the lockout)"),
        (status = 423, description = "`ACCOUNT_LOCKED` (`retryAfter`)"),
        (status = 503, description = "`SERVICE_BUSY`: the password-hashing queue is full; \
            `SERVICE_UNAVAILABLE`: storage is down"),
    )
)]
pub async fn change_password(
    state: Data<AppState>,
    principal: Authenticated,
    caller: CallerInfo,
    body: Json<ChangePasswordRequest>,
) -> Answer {
    let (current, new) = body.0.into_parts()?;
    state
        .services
        .password_change
        .change(&principal.0, current, new, &caller.0)
        .await?;
    Ok(message("Password changed successfully"))
}
