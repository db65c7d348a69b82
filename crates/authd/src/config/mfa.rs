//! Multi-factor authentication: whether it is offered, how an authenticator app names the
//! service, the keys that seal TOTP secrets, how long a device is remembered, and the per-user
//! limit on codes (docs/mfa.md).

use super::reader::Reader;
use super::values;
use authd_crypto::MfaKeys;
use authd_domain::policy::rate_limit::RateLimit;
use chrono::Duration;
use std::sync::Arc;

/// The longest `MFA_ISSUER`: authenticator apps show it in one line.
const MAX_ISSUER_CHARS: usize = 64;

#[derive(Debug, Clone)]
pub struct MfaConfig {
    /// `ENABLE_MFA` (true): off, every MFA route is a 404 and logins never ask for a code.
    pub enabled: bool,
    /// `MFA_ISSUER` ("authd"): the name authenticator apps show beside the account.
    pub issuer: String,
    /// `MFA_ENCRYPTION_KEY`: comma-separated keys, the first seals, all open. `None` means a key
    /// for this process only, which start-up allows on the embedded store alone.
    pub keys: Option<Arc<MfaKeys>>,
    /// `MFA_REMEMBER_DEVICE_DAYS` (30).
    pub remember_device_for: Duration,
    /// `MFA_RATE_LIMIT_MAX` (10) codes per user per `MFA_RATE_LIMIT_WINDOW` (5 minutes).
    pub verify_limit: RateLimit,
}

pub(super) fn mfa(r: &mut Reader) -> MfaConfig {
    MfaConfig {
        enabled: r.or("ENABLE_MFA", true, values::boolean),
        issuer: r.or("MFA_ISSUER", "authd".to_owned(), issuer),
        keys: r.optional("MFA_ENCRYPTION_KEY", |v| {
            MfaKeys::parse(v).map(Arc::new).map_err(|e| e.to_string())
        }),
        remember_device_for: r.or("MFA_REMEMBER_DEVICE_DAYS", Duration::days(30), |v| {
            values::integer::<i64>(v, 1..=365).map(Duration::days)
        }),
        verify_limit: super::limits::limit(
            r,
            ("MFA_RATE_LIMIT_MAX", 10),
            ("MFA_RATE_LIMIT_WINDOW", 5),
        ),
    }
}

/// The otpauth format separates issuer and account with `:`, so the issuer may not hold one.
fn issuer(raw: &str) -> Result<String, String> {
    let raw = raw.trim_matches('"');
    if raw.contains(':') {
        Err("must not contain ':' (the otpauth format's separator)".to_owned())
    } else if raw.chars().count() > MAX_ISSUER_CHARS || raw.chars().any(char::is_control) {
        Err(format!(
            "must be at most {MAX_ISSUER_CHARS} printable characters"
        ))
    } else if raw.is_empty() {
        Err("must not be empty".to_owned())
    } else {
        Ok(raw.to_owned())
    }
}
