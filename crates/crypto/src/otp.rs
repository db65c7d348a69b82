//! [`OneTimePasswords`] with totp-rs: TOTP codes (RFC 6238), otpauth URLs, backup codes.
//!
//! Secrets and backup codes come from aws-lc-rs's system RNG, the one every other token of authd
//! uses, rather than totp-rs's `gen_secret` (which would add `rand` to the tree). Backup codes
//! are digested with HMAC-SHA-256 under a key derived from `MFA_ENCRYPTION_KEY` ([`MfaKeys`]):
//! eight digits are 27 bits, which a plain hash would not protect in a leaked table.

use crate::mfa_keys::{DerivedKey, MfaKeys};
use authd_domain::mfa::{BackupCode, OtpCode, TotpAlgorithm, TotpSecret, TotpStep};
use authd_domain::ports::{OneTimePasswords, OtpauthError};
use authd_domain::token::TokenHash;
use aws_lc_rs::hmac;
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use secrecy::zeroize::Zeroizing;
use std::collections::HashSet;
use std::fmt::Write as _;
use std::sync::Arc;
use totp_rs::{Algorithm, Builder, Totp, TotpError};

/// 160 bits: RFC 4226 §4's recommendation, and what authenticator apps expect for SHA-1.
const SECRET_BYTES: usize = 20;
/// The step length authenticator apps assume, the one the domain's policy counts in.
const STEP_SECS: u64 = authd_domain::mfa::TOTP_STEP_SECS;
/// Codes users type.
const USER_DIGITS: u8 = 6;

/// TOTP and backup codes.
pub struct OtpCodes {
    keys: Arc<MfaKeys>,
    rng: SystemRandom,
}

impl OtpCodes {
    /// `keys` key the backup-code digests: every instance sharing a database needs the same
    /// list, and a code digested under a key stops working once that key leaves the list.
    #[must_use]
    pub fn new(keys: Arc<MfaKeys>) -> Self {
        Self {
            keys,
            rng: SystemRandom::new(),
        }
    }

    /// # Panics
    /// If the OS RNG fails: no secret may be issued then, and the port has no error for it.
    fn fill(&self, bytes: &mut [u8]) {
        if self.rng.fill(bytes).is_err() {
            panic!("the system random number generator failed");
        }
    }

    /// A uniform number below `bound`, by rejection so that no code is likelier than another.
    fn below(&self, bound: u32) -> u32 {
        let zone = u32::MAX - (u32::MAX % bound);
        loop {
            let mut bytes = [0_u8; 4];
            self.fill(&mut bytes);
            let n = u32::from_be_bytes(bytes);
            if n < zone {
                return n % bound;
            }
        }
    }
}

impl std::fmt::Debug for OtpCodes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OtpCodes").finish_non_exhaustive()
    }
}

/// The code of `secret` at `step` with `digits` digits: the one path for users' 6-digit codes
/// and the RFC's 8-digit test vectors.
pub(crate) fn code_at(secret: &TotpSecret, step: TotpStep, digits: u8) -> Option<String> {
    let totp = totp(secret, digits).ok()?;
    let time = step.checked_mul(STEP_SECS)?;
    Some(totp.generate(time).to_string())
}

fn totp(secret: &TotpSecret, digits: u8) -> Result<Totp, TotpError> {
    builder(secret, digits).build()
}

fn builder(secret: &TotpSecret, digits: u8) -> Builder {
    Builder::new()
        .with_algorithm(algorithm(secret.algorithm()))
        .with_digits(digits)
        .with_step_duration(STEP_SECS)
        .with_secret(secret.expose_bytes())
}

fn algorithm(algorithm: TotpAlgorithm) -> Algorithm {
    match algorithm {
        TotpAlgorithm::Sha1 => Algorithm::SHA1,
        TotpAlgorithm::Sha256 => Algorithm::SHA256,
        TotpAlgorithm::Sha512 => Algorithm::SHA512,
    }
}

impl OneTimePasswords for OtpCodes {
    /// # Panics
    /// If the OS RNG fails.
    fn new_totp_secret(&self) -> TotpSecret {
        let mut bytes = vec![0_u8; SECRET_BYTES];
        self.fill(&mut bytes);
        TotpSecret::new(bytes, TotpAlgorithm::Sha1)
    }

    fn totp_code(&self, secret: &TotpSecret, step: TotpStep) -> Option<OtpCode> {
        let text = Zeroizing::new(code_at(secret, step, USER_DIGITS)?);
        OtpCode::from_digits(&text)
    }

    fn otpauth_url(
        &self,
        secret: &TotpSecret,
        issuer: &str,
        account: &str,
    ) -> Result<String, OtpauthError> {
        if issuer.contains(':') {
            return Err(OtpauthError::InvalidLabel("the issuer contains ':'"));
        }
        if account.is_empty() || account.contains(':') {
            return Err(OtpauthError::InvalidLabel(
                "the account is empty or contains ':'",
            ));
        }
        let issuer = (!issuer.is_empty()).then_some(issuer);
        builder(secret, USER_DIGITS)
            .with_issuer(issuer)
            .with_account_name(account)
            .build()
            .and_then(|totp| totp.to_url())
            .map_err(|_| OtpauthError::InvalidLabel("the secret or label was refused"))
    }

    /// # Panics
    /// If the OS RNG fails.
    fn backup_codes(&self, n: usize) -> Vec<BackupCode> {
        // More distinct codes than eight digits spell would never finish drawing.
        let n = n.min(BackupCode::SPACE as usize);
        let mut seen = HashSet::with_capacity(n);
        let mut codes = Vec::with_capacity(n);
        while codes.len() < n {
            let number = self.below(BackupCode::SPACE);
            if seen.insert(number)
                && let Some(code) = BackupCode::from_number(number)
            {
                codes.push(code);
            }
        }
        codes
    }

    fn digest_backup_code(&self, code: &BackupCode) -> TokenHash {
        digest(self.keys.current(), code)
    }

    fn backup_code_digests(&self, code: &BackupCode) -> Vec<TokenHash> {
        self.keys.keys.iter().map(|key| digest(key, code)).collect()
    }

    fn base32(&self, secret: &TotpSecret) -> secrecy::SecretString {
        secrecy::SecretString::from(totp_rs::Secret::from(secret.expose_bytes()).to_base32())
    }

    /// # Panics
    /// If the OS RNG fails.
    fn new_code(&self) -> OtpCode {
        let number = self.below(1_000_000);
        OtpCode::from_digits(&format!("{number:06}"))
            .unwrap_or_else(|| unreachable!("six digits below a million"))
    }

    fn digest_code(&self, code: &OtpCode) -> TokenHash {
        keyed(&self.keys.current().email_codes, code.as_str())
    }

    fn code_digests(&self, code: &OtpCode) -> Vec<TokenHash> {
        self.keys
            .keys
            .iter()
            .map(|key| keyed(&key.email_codes, code.as_str()))
            .collect()
    }
}

fn digest(key: &DerivedKey, code: &BackupCode) -> TokenHash {
    keyed(&key.backup_codes, code.as_str())
}

fn keyed(key: &hmac::Key, code: &str) -> TokenHash {
    let tag = hmac::sign(key, code.as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in tag.as_ref() {
        let _ = write!(hex, "{byte:02x}");
    }
    TokenHash::from_trusted(hex)
}

#[cfg(test)]
mod tests;
