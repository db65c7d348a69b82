//! `/v1/auth/mfa*`: a user's own second factors, and the second step of a login with MFA. Only
//! in the route table when `ENABLE_MFA` is on. Secrets go to the client once and nowhere else:
//! no handler logs a body.

use super::auth::{Answer, logged_in};
use crate::cookies;
use crate::dto::mfa::{
    BackupCodesData, CodeFor, DisableMfaRequest, MfaChallengeRequest, MfaSetupData,
    MfaSetupRequest, MfaStatusData, MfaVerifyRequest, VerifyStep,
};
use crate::dto::requests::PasswordRequest;
use crate::dto::responses::LoginData;
use crate::dto::{Message, Success, message, success, with_cookie};
use crate::error::ApiError;
use crate::extractors::{Authenticated, CallerInfo, Json, own_account};
use crate::state::AppState;
use actix_web::HttpRequest;
use actix_web::http::StatusCode;
use actix_web::web::{Data, Path};
use authd_domain::ids::DeviceId;
use authd_domain::values::codes;
use secrecy::ExposeSecret;

/// Set up an authenticator app, email codes or SMS codes
///
/// `totp`: answers the secret (also as an `otpauth://` URL and its QR code) and 10 backup codes,
/// once. `email`: emails a 6-digit code (valid 10 minutes, single use) to the account's address
/// and answers where it went (`sentTo`, masked) and 10 backup codes. `sms`: the same by SMS to
/// `phone` (international form), or to the profile's phone when `phone` is absent. MFA is on only after the
/// first code is confirmed with `POST /v1/auth/mfa/verify {code}`; a second setup of the same
/// type before that replaces the pending one.
#[utoipa::path(
    post, path = "/v1/auth/mfa/setup", tag = "auth", operation_id = "mfaSetup",
    request_body = MfaSetupRequest,
    responses(
        (status = 200, description = "The authenticator to add, pending confirmation",
            body = Success<MfaSetupData>),
        (status = 400, description = "`MFA_METHOD_UNAVAILABLE`: `sms` without an SMS gateway; \
            `VALIDATION_ERROR`: a missing or unknown `type`, a bad `deviceName`, or no \
            international `phone` for `sms`"),
        (status = 409, description = "`MFA_ALREADY_ENABLED`: a factor of this type is confirmed \
            already (turn MFA off first)"),
        (status = 503, description = "`SERVICE_UNAVAILABLE`: storage is down"),
    )
)]
pub async fn setup(
    state: Data<AppState>,
    principal: Authenticated,
    caller: CallerInfo,
    body: Json<MfaSetupRequest>,
) -> Answer {
    let answer = state
        .services
        .mfa
        .setup(principal.0.user_id, body.0.into(), &caller.0)
        .await?;
    Ok(success(
        StatusCode::OK,
        None,
        Some(MfaSetupData::from(&answer)),
    ))
}

/// Verify an MFA code
///
/// With `mfaToken` (no bearer token): the second step of a login; answers the login's body and
/// refresh cookie, plus `deviceToken` and the `mfa_device` cookie with `rememberDevice: true`.
/// Without `mfaToken`, `Authorization: Bearer` is required (else `MISSING_AUTH_HEADER`,
/// `INVALID_AUTH_FORMAT`, `INVALID_TOKEN`, `TOKEN_EXPIRED`, `TOKEN_REVOKED`) and the code confirms
/// the authenticator just set up, which turns MFA on (with MFA already on, it checks a code: a
/// step-up check). Wrong codes count towards the lockout; codes are limited per user
/// (`RATE_LIMIT_EXCEEDED`).
#[utoipa::path(
    post, path = "/v1/auth/mfa/verify", tag = "auth", operation_id = "mfaVerify",
    request_body = MfaVerifyRequest,
    responses(
        (status = 200, description = "With `mfaToken`: logged in (`Success<LoginData>`, \
            `message` \"Login successful\"); with a bearer token: `{success, message: \"MFA \
            verified successfully\"}`", body = Success<LoginData>),
        (status = 400, description = "`MFA_NOT_ENABLED`: nothing to confirm; \
            `VALIDATION_ERROR`: a missing or malformed `code`"),
        (status = 401, description = "`INVALID_MFA_CODE`: a wrong or replayed code; \
            `MFA_BACKUP_CODE_USED`; `INVALID_MFA_TOKEN`: unknown, used, expired, or dead after 5 \
            wrong codes; `INVALID_CREDENTIALS`: the password changed since the first step; \
            `MISSING_AUTH_HEADER`, `INVALID_AUTH_FORMAT`, `INVALID_TOKEN`, `TOKEN_EXPIRED`, \
            `TOKEN_REVOKED`: without `mfaToken`, the bearer token"),
        (status = 403, description = "`ACCOUNT_SUSPENDED`, `ACCOUNT_DELETED`"),
        (status = 423, description = "`ACCOUNT_LOCKED`: too many failed attempts (`retryAfter`)"),
        (status = 429, description = "`RATE_LIMIT_EXCEEDED`: too many codes for this user, or \
            from this address (`Retry-After`, `X-RateLimit-*`)"),
        (status = 503, description = "`SERVICE_UNAVAILABLE`: storage is down"),
    )
)]
pub async fn verify(
    req: HttpRequest,
    state: Data<AppState>,
    caller: CallerInfo,
    body: Json<MfaVerifyRequest>,
) -> Answer {
    match body.0.into_step()? {
        VerifyStep::Login(input) => {
            let done = state.services.login.verify_mfa(input, &caller.0).await?;
            logged_in(&state, &done.login, done.device.as_ref())
        }
        VerifyStep::Confirm(code) => {
            let principal = own_account(&req).await?;
            let code = Some(code.expose_secret().to_owned());
            state
                .services
                .mfa
                .confirm(principal.user_id, code, &caller.0)
                .await?;
            Ok(message("MFA verified successfully"))
        }
    }
}

/// Email or text a new MFA code
///
/// With `mfaToken` (no bearer token): a new code for that login's challenge, while it is live,
/// for a user with a confirmed factor of `method` (`email` or `sms`; a user whose only factor is
/// one of them gets one at the password step already). Without `mfaToken`,
/// `Authorization: Bearer` is required and the code is for the caller's factor of `method` (the
/// code `verify {code}` and `DELETE /v1/auth/mfa` take). A new code replaces the earlier one. At
/// most one code per address or number per `MAIL_COOLDOWN`: within it the answer is the same
/// and nothing is sent (the earlier code still works).
#[utoipa::path(
    post, path = "/v1/auth/mfa/challenge", tag = "auth", operation_id = "mfaChallenge",
    request_body = MfaChallengeRequest,
    responses(
        (status = 200, description = "`{success, message: \"Verification code sent\"}`",
            body = Message),
        (status = 400, description = "`MFA_METHOD_UNAVAILABLE`: `sms` without an SMS gateway; \
            `MFA_NOT_ENABLED`: no factor of that method; `VALIDATION_ERROR`: a missing or \
            unknown `method`"),
        (status = 401, description = "`INVALID_MFA_TOKEN`: unknown, used, expired, or dead \
            after 5 wrong codes; `MISSING_AUTH_HEADER`, `INVALID_AUTH_FORMAT`, `INVALID_TOKEN`, \
            `TOKEN_EXPIRED`, `TOKEN_REVOKED`: without `mfaToken`, the bearer token"),
        (status = 429, description = "`RATE_LIMIT_EXCEEDED`: too many requests from this \
            address (`Retry-After`, `X-RateLimit-*`)"),
        (status = 503, description = "`SERVICE_UNAVAILABLE`: storage is down"),
    )
)]
pub async fn challenge(
    req: HttpRequest,
    state: Data<AppState>,
    body: Json<MfaChallengeRequest>,
) -> Answer {
    match body.0.into_target() {
        CodeFor::Login(request) => state.services.login.send_mfa_code(request).await?,
        CodeFor::Bearer(method) => {
            let principal = own_account(&req).await?;
            state
                .services
                .mfa
                .send_code(principal.user_id, method)
                .await?;
        }
    }
    Ok(message("Verification code sent"))
}

/// The caller's MFA settings
///
/// Factors (never their secrets), the number of unused backup codes, and remembered devices.
#[utoipa::path(
    get, path = "/v1/auth/mfa", tag = "auth", operation_id = "mfaStatus",
    responses(
        (status = 200, description = "The MFA settings", body = Success<MfaStatusData>),
    )
)]
pub async fn status(state: Data<AppState>, principal: Authenticated) -> Answer {
    let status = state.services.mfa.status(principal.0.user_id).await?;
    Ok(success(
        StatusCode::OK,
        None,
        Some(MfaStatusData::from(&status)),
    ))
}

/// Replace the backup codes
///
/// 10 new codes; the earlier ones stop working.
#[utoipa::path(
    post, path = "/v1/auth/mfa/backup-codes", tag = "auth", operation_id = "mfaBackupCodes",
    request_body = PasswordRequest,
    responses(
        (status = 200, description = "The new codes", body = Success<BackupCodesData>),
        (status = 400, description = "`MFA_NOT_ENABLED`"),
        (status = 401, description = "`INVALID_CREDENTIALS`: wrong password (counts towards \
            the lockout)"),
        (status = 423, description = "`ACCOUNT_LOCKED` (`retryAfter`)"),
        (status = 503, description = "`SERVICE_BUSY`: the password-hashing queue is full; \
            `SERVICE_UNAVAILABLE`: storage is down"),
    )
)]
pub async fn backup_codes(
    state: Data<AppState>,
    principal: Authenticated,
    caller: CallerInfo,
    body: Json<PasswordRequest>,
) -> Answer {
    let password = body.0.into_password()?;
    let codes = state
        .services
        .mfa
        .regenerate_backup_codes(principal.0.user_id, Some(password), &caller.0)
        .await?;
    let data = BackupCodesData {
        backup_codes: codes.iter().map(|c| c.as_str().to_owned()).collect(),
    };
    Ok(success(StatusCode::OK, None, Some(data)))
}

/// Turn MFA off
///
/// With the password and a current code (or a backup code). Removes every factor, backup code
/// and remembered device, and clears the `mfa_device` cookie.
#[utoipa::path(
    delete, path = "/v1/auth/mfa", tag = "auth", operation_id = "mfaDisable",
    request_body = DisableMfaRequest,
    responses(
        (status = 200, description = "MFA is off", body = Message,
            example = json!({"success": true, "message": "MFA disabled successfully"})),
        (status = 400, description = "`MFA_NOT_ENABLED`"),
        (status = 401, description = "`INVALID_CREDENTIALS`: wrong password; \
            `INVALID_MFA_CODE`; `MFA_BACKUP_CODE_USED` (both count towards the lockout)"),
        (status = 423, description = "`ACCOUNT_LOCKED` (`retryAfter`)"),
        (status = 429, description = "`RATE_LIMIT_EXCEEDED`: too many codes for this user, or \
            requests from this address"),
        (status = 503, description = "`SERVICE_BUSY`: the password-hashing queue is full; \
            `SERVICE_UNAVAILABLE`: storage is down"),
    )
)]
pub async fn disable(
    state: Data<AppState>,
    principal: Authenticated,
    caller: CallerInfo,
    body: Json<DisableMfaRequest>,
) -> Answer {
    let (password, code) = body.0.into_parts()?;
    state
        .services
        .mfa
        .disable(principal.0.user_id, Some(password), Some(code), &caller.0)
        .await?;
    // Every remembered device is forgotten; this browser's cookie is of no further use.
    let cleared = cookies::cleared_device_cookie(state.settings.cookie_secure);
    with_cookie(message("MFA disabled successfully"), &cleared)
}

/// Forget a remembered device
///
/// Its next login asks for the second factor again.
#[utoipa::path(
    delete, path = "/v1/auth/mfa/devices/{id}", tag = "auth", operation_id = "mfaForgetDevice",
    params(("id" = String, Path, description = "The `id` of a remembered device of the caller")),
    responses(
        (status = 200, description = "Forgotten", body = Message,
            example = json!({"success": true, "message": "Device removed successfully"})),
        (status = 400, description = "`VALIDATION_ERROR`: `id` is not a UUID"),
        (status = 404, description = "`DEVICE_NOT_FOUND`: unknown, or another user's device"),
    )
)]
pub async fn forget_device(
    state: Data<AppState>,
    principal: Authenticated,
    caller: CallerInfo,
    id: Path<String>,
) -> Answer {
    let id = DeviceId::parse(&id)
        .ok_or_else(|| ApiError::field("id", codes::INVALID_FORMAT, "Device id must be a UUID"))?;
    state
        .services
        .mfa
        .forget_device(principal.0.user_id, id, &caller.0)
        .await?;
    Ok(message("Device removed successfully"))
}
