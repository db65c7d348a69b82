//! Managing one's own second factors (bearer): set up and confirm a TOTP authenticator, list
//! what is set up, replace the backup codes, forget a remembered device, turn MFA off. The
//! second step of a login with MFA lives with the login (`login::mfa`).

use crate::Timestamp;
use crate::error::{InfraError, ValidationErrors};
use crate::ids::{DeviceId, FactorId};
use crate::mfa::{BackupCode, DeviceName, FactorKind, TotpPolicy};
use crate::policy::lockout::LockoutPolicy;
use crate::policy::rate_limit::{RateLimit, RateLimitDecision};
use crate::ports::{
    AuditLog, Clock, MfaRepository, OneTimePasswords, Outbox, PasswordHasher, QrRenderer,
    RateLimiter, SecretSealer, TokenGenerator, UserRepository,
};
use chrono::Duration;
use second_factor::{CodeRefusal, SecondFactor};
use secrecy::SecretString;
use std::fmt;
use std::sync::Arc;
use thiserror::Error;

/// How many backup codes a set holds (API.md: 10 codes of 8 digits).
pub const BACKUP_CODES_PER_SET: usize = 10;

/// The knobs of MFA, from configuration.
#[derive(Debug, Clone)]
pub struct MfaSettings {
    /// `ENABLE_MFA` (on): off hides every MFA route and logins never ask for a second factor.
    pub enabled: bool,
    /// `MFA_ISSUER`: the issuer an authenticator app shows (no `:`).
    pub issuer: String,
    pub totp: TotpPolicy,
    /// `MFA_REMEMBER_DEVICE_DAYS` (30).
    pub remember_device_for: Duration,
    /// `MFA_RATE_LIMIT_MAX` per `MFA_RATE_LIMIT_WINDOW` (10 per 5 minutes per user); `None` when rate limits are off.
    pub verify_limit: Option<RateLimit>,
    /// Wrong codes count towards the account's lockout.
    pub lockout: LockoutPolicy,
    /// `MAIL_COOLDOWN`: at most one code mail asked for per address (or SMS per number) in this
    /// time (zero: off).
    pub mail_cooldown: Duration,
    /// Whether an SMS gateway is configured (`SMS_WEBHOOK_URL`): without one, SMS factors
    /// cannot be set up and SMS codes cannot be asked for (`MFA_METHOD_UNAVAILABLE`).
    pub sms_available: bool,
}

impl Default for MfaSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            issuer: "authd".to_owned(),
            totp: TotpPolicy::default(),
            remember_device_for: Duration::days(30),
            verify_limit: Some(RateLimit::new(10, Duration::minutes(5))),
            lockout: LockoutPolicy::default(),
            mail_cooldown: Duration::seconds(60),
            sms_available: false,
        }
    }
}

/// `POST /v1/auth/mfa/setup`.
#[derive(Debug, Clone, Default)]
pub struct SetupInput {
    /// `type`: `totp`, `email` or `sms`.
    pub kind: Option<String>,
    pub device_name: Option<String>,
    /// A current second-factor code (or backup code), required while MFA is on: adding a factor
    /// replaces the backup codes, which a stolen access token alone must not be able to do.
    pub code: Option<String>,
    /// `phone` of an `sms` setup: the number codes go to (E.164); the profile's phone when
    /// absent.
    pub phone: Option<String>,
}

/// What a setup hands to the user, once: how the factor's codes reach them, and the backup
/// codes that take effect when the factor is confirmed. Its `Debug` shows none.
pub struct SetupAnswer {
    pub factor_id: FactorId,
    pub kind: FactorKind,
    pub delivery: SetupDelivery,
    pub backup_codes: Vec<BackupCode>,
}

/// How a new factor's codes reach its owner.
pub enum SetupDelivery {
    /// The secret in every form an authenticator takes.
    Totp {
        /// Base32, for typing into an app.
        secret: SecretString,
        otpauth_url: SecretString,
        /// `data:image/png;base64,...` of the otpauth URL.
        qr_code: SecretString,
    },
    /// A code was queued to the account's address, shown masked (`j***@example.com`).
    Email { sent_to: String },
    /// A code was queued by SMS to the factor's number, shown masked (`+84******321`).
    Sms { sent_to: String },
}

impl fmt::Debug for SetupAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SetupAnswer")
            .field("factor_id", &self.factor_id)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// One factor as its owner sees it: no secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactorView {
    pub id: FactorId,
    pub kind: FactorKind,
    pub device_name: Option<DeviceName>,
    pub confirmed: bool,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
}

/// One remembered device as its owner sees it: no token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceView {
    pub id: DeviceId,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
}

impl fmt::Debug for SetupDelivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Totp { .. } => f.write_str("Totp(..)"),
            Self::Email { sent_to } => f.debug_struct("Email").field("sent_to", sent_to).finish(),
            Self::Sms { sent_to } => f.debug_struct("Sms").field("sent_to", sent_to).finish(),
        }
    }
}

/// `GET /v1/auth/mfa`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MfaStatus {
    pub enabled: bool,
    pub factors: Vec<FactorView>,
    pub backup_codes_left: u32,
    pub devices: Vec<DeviceView>,
}

#[derive(Debug, Error)]
pub enum MfaError {
    #[error("invalid input")]
    Validation(#[from] ValidationErrors),
    /// A `type` this server cannot set up (400 `MFA_METHOD_UNAVAILABLE`).
    #[error("MFA method unavailable")]
    MethodUnavailable,
    /// 409 `MFA_ALREADY_ENABLED`.
    #[error("MFA already enabled")]
    AlreadyEnabled,
    /// Nothing to confirm, or no MFA to manage (400 `MFA_NOT_ENABLED`).
    #[error("MFA not enabled")]
    NotEnabled,
    /// 401 `INVALID_MFA_CODE`.
    #[error("invalid MFA code")]
    InvalidCode,
    /// 401 `MFA_BACKUP_CODE_USED`.
    #[error("backup code already used")]
    BackupCodeUsed,
    /// The current password was wrong (401 `INVALID_CREDENTIALS`; counts towards the lockout).
    #[error("invalid credentials")]
    InvalidCredentials,
    /// 423 with `retryAfter` seconds.
    #[error("account locked")]
    AccountLocked { retry_after: i64 },
    /// 429: more than `verify_limit` codes from this user.
    #[error("too many MFA attempts")]
    RateLimited(RateLimitDecision),
    /// No such remembered device of this user (404 `DEVICE_NOT_FOUND`).
    #[error("device not found")]
    DeviceNotFound,
    /// The caller's account is gone (401 `USER_NOT_FOUND`, as `/users/me`).
    #[error("user not found")]
    UserNotFound,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// The ports [`Mfa`] calls.
#[derive(Clone)]
pub struct MfaPorts {
    pub users: Arc<dyn UserRepository>,
    pub mfa: Arc<dyn MfaRepository>,
    pub otp: Arc<dyn OneTimePasswords>,
    pub sealer: Arc<dyn SecretSealer>,
    pub qr: Arc<dyn QrRenderer>,
    pub hasher: Arc<dyn PasswordHasher>,
    /// Keys the mail cooldown by a digest of the address.
    pub tokens: Arc<dyn TokenGenerator>,
    pub rate_limiter: Arc<dyn RateLimiter>,
    /// The "backup code used" notice.
    pub outbox: Arc<dyn Outbox>,
    pub audit: Arc<dyn AuditLog>,
    pub clock: Arc<dyn Clock>,
}

impl fmt::Debug for MfaPorts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MfaPorts").finish_non_exhaustive()
    }
}

/// `/v1/auth/mfa/*` for a signed-in user.
#[derive(Debug, Clone)]
pub struct Mfa {
    ports: MfaPorts,
    settings: MfaSettings,
}

impl Mfa {
    #[must_use]
    pub fn new(ports: MfaPorts, settings: MfaSettings) -> Self {
        Self { ports, settings }
    }

    /// Whether MFA is on at all (`ENABLE_MFA`).
    #[must_use]
    pub fn enabled(&self) -> bool {
        self.settings.enabled
    }
}

impl Mfa {
    /// The code checker over this service's ports.
    fn second_factor(&self) -> SecondFactor<'_> {
        SecondFactor {
            users: &*self.ports.users,
            mfa: &*self.ports.mfa,
            otp: &*self.ports.otp,
            sealer: &*self.ports.sealer,
            rate_limiter: &*self.ports.rate_limiter,
            outbox: &*self.ports.outbox,
            audit: &*self.ports.audit,
            settings: &self.settings,
        }
    }
}

impl From<CodeRefusal> for MfaError {
    fn from(refusal: CodeRefusal) -> Self {
        match refusal {
            CodeRefusal::Wrong => Self::InvalidCode,
            CodeRefusal::BackupCodeUsed => Self::BackupCodeUsed,
            CodeRefusal::Locked { retry_after } => Self::AccountLocked { retry_after },
            CodeRefusal::RateLimited(decision) => Self::RateLimited(decision),
            CodeRefusal::Infra(e) => Self::Infra(e),
        }
    }
}

mod manage;
pub(super) mod second_factor;
pub(super) mod sent_code;
mod setup;
mod step_up;
#[cfg(test)]
mod tests;
