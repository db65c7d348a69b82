//! The second step of a login with MFA: `POST /v1/auth/mfa/verify {mfaToken, code,
//! rememberDevice?}` turns the challenge of an `MFA_REQUIRED` answer into a session.

use super::{Login, LoginSuccess};
use crate::Timestamp;
use crate::error::{InfraError, ValidationErrors};
use crate::policy::rate_limit::RateLimitDecision;
use crate::session::ClientInfo;
use crate::token::RawToken;
use thiserror::Error;

#[derive(Debug, Clone, Default)]
pub struct MfaLoginInput {
    pub mfa_token: Option<String>,
    /// A 6-digit TOTP code or an 8-digit backup code.
    pub code: Option<String>,
    /// Omitted means `false`.
    pub remember_device: Option<bool>,
}

/// A remembered device's token, for the client only (cookie `mfa_device` and `deviceToken`).
#[derive(Debug, Clone)]
pub struct DeviceToken {
    pub raw: RawToken,
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct MfaLoginSuccess {
    pub login: LoginSuccess,
    /// With `rememberDevice: true`.
    pub device: Option<DeviceToken>,
}

#[derive(Debug, Error)]
pub enum MfaLoginError {
    #[error("invalid input")]
    Validation(#[from] ValidationErrors),
    /// Unknown, used, expired or dead `mfaToken` (401 `INVALID_MFA_TOKEN`).
    #[error("invalid MFA token")]
    InvalidMfaToken,
    /// 401 `INVALID_MFA_CODE`.
    #[error("invalid MFA code")]
    InvalidCode,
    /// 401 `MFA_BACKUP_CODE_USED`.
    #[error("backup code already used")]
    BackupCodeUsed,
    /// 423 with `retryAfter` seconds.
    #[error("account locked")]
    AccountLocked { retry_after: i64 },
    /// 429.
    #[error("too many MFA attempts")]
    RateLimited(RateLimitDecision),
    #[error("account suspended")]
    AccountSuspended,
    #[error("account deleted")]
    AccountDeleted,
    /// The password changed (or the account went away) between the two steps: the login is
    /// over (401 `INVALID_CREDENTIALS`).
    #[error("credentials changed during login")]
    CredentialsChanged,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

// SKELETON: written by the MFA services work.
impl Login {
    /// `POST /v1/auth/mfa/verify` with an `mfaToken` (no bearer).
    ///
    /// # Errors
    /// See [`MfaLoginError`].
    pub async fn verify_mfa(
        &self,
        input: MfaLoginInput,
        client: &ClientInfo,
    ) -> Result<MfaLoginSuccess, MfaLoginError> {
        let _ = (input, client, &self.ports);
        todo!("skeleton")
    }
}
