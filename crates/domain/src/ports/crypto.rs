//! Credentials and codes: password hashing, access tokens, opaque tokens, TOTP, sealed secrets
//! and QR codes. Pure computation or a thread pool: no storage.

use crate::Timestamp;
use crate::error::PortError;
use crate::mfa::{BackupCode, OtpCode, SealedSecret, TotpSecret, TotpStep};
use crate::token::{AccessClaims, JwkSet, OpaqueToken, TokenHash};
use crate::values::{Password, PasswordHash};
use async_trait::async_trait;
use thiserror::Error;

/// Password hashing, run off the async executor on a bounded pool.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    async fn hash(&self, password: &Password) -> Result<PasswordHash, HashError>;

    /// Whether `password` matches `hash`, and whether `hash` is weaker than the configured cost.
    async fn verify(
        &self,
        password: &Password,
        hash: &PasswordHash,
    ) -> Result<PasswordCheck, HashError>;

    /// Spends the same time as a real verification, for unknown users (no timing oracle).
    async fn verify_dummy(&self, password: &Password) -> Result<(), HashError>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordCheck {
    Mismatch,
    Match { needs_rehash: bool },
}

#[derive(Debug, Error)]
pub enum HashError {
    /// The hashing queue is full; answer 503 SERVICE_BUSY rather than wait.
    #[error("password hashing queue is full")]
    Busy,
    #[error("password hashing failed: {0}")]
    Failed(String),
}

/// Signs and verifies access tokens.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait AccessTokenCodec: Send + Sync {
    /// # Errors
    /// Only on a broken key; never for valid claims.
    fn issue(&self, claims: &AccessClaims) -> Result<String, PortError>;

    /// Checks signature, algorithm, `typ`, `iss`, `aud`, and `exp` and `nbf` against `now` (with
    /// the configured leeway). `now` is the [`Clock`](super::Clock)'s, so that a test (or a server whose time is
    /// not the host's) decides when a token expires.
    ///
    /// # Errors
    /// [`AccessTokenError::Expired`] for a well-formed token past `exp`, else `Invalid`.
    fn verify(&self, token: &str, now: Timestamp) -> Result<AccessClaims, AccessTokenError>;

    /// The public keys for `/.well-known/jwks.json`.
    fn jwks(&self) -> JwkSet;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum AccessTokenError {
    #[error("access token expired")]
    Expired,
    #[error("access token invalid")]
    Invalid,
}

/// Opaque random tokens and their digests.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait TokenGenerator: Send + Sync {
    /// A fresh 256-bit random token and its SHA-256.
    fn generate(&self) -> OpaqueToken;

    /// The SHA-256 of a presented token.
    fn digest(&self, raw: &str) -> TokenHash;

    /// The successor of a refresh token: an HMAC of it under a server secret, so a replay inside
    /// the grace window yields the same successor without storing any raw token.
    fn successor_of(&self, presented: &str) -> OpaqueToken;
}

/// Why an otpauth URL could not be made.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum OtpauthError {
    /// The issuer or the account label contains a `:`, which the Key URI format reserves as
    /// their separator, or the account label is empty.
    #[error("the otpauth label is invalid: {0}")]
    InvalidLabel(&'static str),
}

/// TOTP codes, new secrets and backup codes (issue 14). Pure computation and the OS RNG: no
/// storage, so no [`PortError`](crate::error::PortError).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait OneTimePasswords: Send + Sync {
    /// A fresh secret of at least 160 bits (RFC 4226 §4) from the OS RNG, for SHA-1.
    fn new_totp_secret(&self) -> TotpSecret;

    /// The 6-digit code of `secret` at `step`; `None` when the secret cannot make codes (shorter
    /// than RFC 4226's 128 bits), which the policy treats as matching nothing.
    fn totp_code(&self, secret: &TotpSecret, step: TotpStep) -> Option<OtpCode>;

    /// The `otpauth://totp/...` URL an authenticator app scans, with `issuer` and `account`
    /// percent-encoded and the secret in base32.
    ///
    /// # Errors
    /// [`OtpauthError::InvalidLabel`] for a `:` in either, or an empty account.
    fn otpauth_url(
        &self,
        secret: &TotpSecret,
        issuer: &str,
        account: &str,
    ) -> Result<String, OtpauthError>;

    /// The secret in base32 (RFC 4648, no padding), as an authenticator app takes it typed.
    fn base32(&self, secret: &TotpSecret) -> secrecy::SecretString;

    /// `n` distinct backup codes from the OS RNG.
    fn backup_codes(&self, n: usize) -> Vec<BackupCode>;

    /// The keyed digest a backup code is stored and looked up by: eight digits are only 27 bits,
    /// so a plain hash of a leaked table would be reversed in a second.
    fn digest_backup_code(&self, code: &BackupCode) -> TokenHash;

    /// The code's digest under every configured key, the current one first: what a presented
    /// code is looked up by, so that codes digested before a key rotation still work.
    fn backup_code_digests(&self, code: &BackupCode) -> Vec<TokenHash>;

    /// A fresh 6-digit code to email, uniform over the million, from the OS RNG.
    fn new_code(&self) -> OtpCode;

    /// The keyed digest an emailed code is stored by (a key of its own, not the backup codes').
    fn digest_code(&self, code: &OtpCode) -> TokenHash;

    /// The emailed code's digest under every configured key, the current one first.
    fn code_digests(&self, code: &OtpCode) -> Vec<TokenHash>;
}

/// Why a sealed secret could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum UnsealError {
    /// No configured key opens it (the key that sealed it was removed from
    /// `MFA_ENCRYPTION_KEY`), or it was tampered with.
    #[error("no configured key opens this secret")]
    NoKey,
}

/// Encrypts TOTP secrets for storage (AES-256-GCM). Of its keys, the first seals and every one
/// opens, so keys rotate: add a new key in front, and old secrets still open.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait SecretSealer: Send + Sync {
    fn seal(&self, secret: &TotpSecret) -> SealedSecret;

    /// # Errors
    /// [`UnsealError::NoKey`] when no configured key opens `sealed`.
    fn open(&self, sealed: &SealedSecret) -> Result<TotpSecret, UnsealError>;
}

/// Renders the otpauth URL as a QR code an authenticator app scans.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait QrRenderer: Send + Sync {
    /// `data:image/png;base64,...` of a QR code holding `text`.
    fn png_data_url(&self, text: &str) -> String;
}
