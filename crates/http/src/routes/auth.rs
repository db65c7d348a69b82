//! `/v1/auth/*`: register, verify, log in and out, refresh, and the password flows.

use crate::cookies;
use crate::dto::requests::{
    ChangePasswordRequest, EmailRequest, LoginRequest, LogoutRequest, RegisterRequest,
    ResetPasswordRequest, VerifyEmailRequest,
};
use crate::dto::responses::{LoginData, RefreshData, RegisterData};
use crate::dto::{message, success, with_cookie};
use crate::error::ApiError;
use crate::extractors::{Authenticated, CallerInfo, Json, OptionalJson, RefreshCredential};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::web::Data;
use actix_web::{HttpResponse, ResponseError};
use authd_domain::services::RefreshError;

type Answer = Result<HttpResponse, ApiError>;

/// The same whatever the account, so the answer reveals nothing.
const RESEND_MESSAGE: &str =
    "If the account exists and is not yet verified, a verification email has been sent";

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

pub async fn login(state: Data<AppState>, caller: CallerInfo, body: Json<LoginRequest>) -> Answer {
    let done = state.services.login.login(body.0.into(), &caller.0).await?;
    let res = success(
        StatusCode::OK,
        Some("Login successful"),
        Some(LoginData::from(&done)),
    );
    match cookies::issued_cookie(&done.tokens, state.settings.cookie_secure) {
        Some(cookie) => with_cookie(res, &cookie),
        None => Ok(res),
    }
}

pub async fn refresh(
    state: Data<AppState>,
    caller: CallerInfo,
    presented: RefreshCredential,
) -> Answer {
    let secure = state.settings.cookie_secure;
    match state
        .services
        .refresh
        .refresh(&presented.0, &caller.0)
        .await
    {
        Ok(tokens) => {
            let res = success(StatusCode::OK, None, Some(RefreshData::from(&tokens)));
            match cookies::issued_cookie(&tokens, secure) {
                Some(cookie) => with_cookie(res, &cookie),
                None => Ok(res),
            }
        }
        // A dead token in the cookie would be presented again and again: drop it.
        Err(e @ (RefreshError::InvalidRefreshToken | RefreshError::TokenRevoked)) => with_cookie(
            ApiError::from(e).error_response(),
            &cookies::cleared_cookie(secure),
        ),
        Err(e @ RefreshError::Infra(_)) => Err(e.into()),
    }
}

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
    let cleared = cookies::cleared_cookie(state.settings.cookie_secure);
    with_cookie(message("Logged out successfully"), &cleared)
}

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
