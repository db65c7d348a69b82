//! The emailed links: password reset and email verification.

use super::Answer;
use crate::checkinn::requests::{EmailBody, ResetPasswordBody, VerifyEmailBody};
use crate::dto::{Message, message};
use crate::extractors::{CallerInfo, Json};
use crate::state::AppState;
use actix_web::HttpRequest;
use actix_web::web::Data;
use secrecy::SecretString;

/// The same whatever the account, so the answer reveals nothing.
const RESET_SENT: &str = "Password reset email sent if account exists";
const VERIFICATION_SENT: &str =
    "If the account exists and is not yet verified, a verification email has been sent";

/// Ask for a password-reset email
///
/// The same answer whether or not the account exists.
#[utoipa::path(
    post, path = "/api/auth/forgot-password", tag = "checkinn",
    operation_id = "checkinnForgotPassword",
    request_body = EmailBody,
    responses(
        (status = 200, description = "Sent if the account exists", body = Message,
            example = json!({"success": true, "message": RESET_SENT})),
        (status = 503, description = "`SERVICE_UNAVAILABLE`: storage is down"),
    )
)]
pub async fn forgot_password(
    state: Data<AppState>,
    caller: CallerInfo,
    body: Json<EmailBody>,
) -> Answer {
    let email = body.0.into_email()?;
    state
        .services
        .password_reset
        .request(&email, &caller.0)
        .await?;
    Ok(message(RESET_SENT))
}

/// Reset the password
///
/// With the token of the reset email in the path. Revokes every session and clears a lockout.
#[utoipa::path(
    patch, path = "/api/auth/reset-password/{token}", tag = "checkinn",
    operation_id = "checkinnResetPassword",
    params(("token" = String, Path, description = "The token of the reset email")),
    request_body = ResetPasswordBody,
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
    req: HttpRequest,
    body: Json<ResetPasswordBody>,
) -> Answer {
    let password = body.0.into_password()?;
    // Read as matched, not through `Path`: its extractor logs the whole path (the token) when
    // a segment does not decode.
    let token = SecretString::from(req.match_info().query("token").trim());
    state
        .services
        .password_reset
        .reset(&token, password, &caller.0)
        .await?;
    Ok(message("Password reset successfully"))
}

/// Verify an email address
#[utoipa::path(
    post, path = "/api/auth/verify-email", tag = "checkinn", operation_id = "checkinnVerifyEmail",
    request_body = VerifyEmailBody,
    responses(
        (status = 200, description = "Verified: the account is `active`", body = Message,
            example = json!({"success": true, "message": "Email verified successfully"})),
        (status = 400, description = "`MISSING_TOKEN`: no `token` (its entry in `errors`)"),
        (status = 404, description = "`INVALID_TOKEN`: unknown or already used"),
        (status = 410, description = "`TOKEN_EXPIRED`"),
        (status = 503, description = "`SERVICE_UNAVAILABLE`: storage is down"),
    )
)]
pub async fn verify_email(
    state: Data<AppState>,
    caller: CallerInfo,
    body: Json<VerifyEmailBody>,
) -> Answer {
    let token = body.0.into_token()?;
    state
        .services
        .email_verification
        .verify(&token, &caller.0)
        .await?;
    Ok(message("Email verified successfully"))
}

/// Send the verification email again
///
/// The same answer whether or not the account exists or is verified.
#[utoipa::path(
    post, path = "/api/auth/resend-verification", tag = "checkinn",
    operation_id = "checkinnResendVerification",
    request_body = EmailBody,
    responses(
        (status = 200, description = "Sent if the account exists and is not yet verified",
            body = Message, example = json!({"success": true, "message": VERIFICATION_SENT})),
        (status = 503, description = "`SERVICE_UNAVAILABLE`: storage is down"),
    )
)]
pub async fn resend_verification(
    state: Data<AppState>,
    caller: CallerInfo,
    body: Json<EmailBody>,
) -> Answer {
    let email = body.0.into_email()?;
    state
        .services
        .email_verification
        .resend(&email, &caller.0)
        .await?;
    Ok(message(VERIFICATION_SENT))
}
