//! Tokens: opaque random tokens (refresh, verification, reset) that are stored only as hashes,
//! and the claims of a signed access token.

use crate::Timestamp;
use crate::authorization::{Permissions, RoleName};
use crate::ids::{SessionId, TokenId, UserId};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use std::fmt;

/// The SHA-256 of an opaque token, hex-encoded. The only form in which tokens are stored.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TokenHash(String);

impl TokenHash {
    #[must_use]
    pub fn from_trusted(hex: String) -> Self {
        Self(hex)
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A prefix is enough to correlate log lines; the whole hash is not needed anywhere in logs.
        write!(f, "TokenHash({}…)", self.0.get(..8).unwrap_or(""))
    }
}

/// An opaque token as handed to a client (base64url of 256 random bits). Never logged.
#[derive(Clone)]
pub struct RawToken(SecretString);

impl RawToken {
    #[must_use]
    pub fn new(s: String) -> Self {
        Self(SecretString::from(s))
    }

    #[must_use]
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for RawToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RawToken(<redacted>)")
    }
}

/// A freshly generated opaque token: the raw value for the client and its hash for storage.
#[derive(Debug, Clone)]
pub struct OpaqueToken {
    pub raw: RawToken,
    pub hash: TokenHash,
}

/// What an access token asserts, minus `iss`/`aud`/`typ`, which the codec adds and checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessClaims {
    pub user_id: UserId,
    pub session_id: SessionId,
    pub token_id: TokenId,
    pub issued_at: Timestamp,
    pub expires_at: Timestamp,
    pub roles: Vec<RoleName>,
    /// What the roles granted when the token was signed.
    pub permissions: Permissions,
}

/// What the single-use tokens are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenPurpose {
    EmailVerification,
    PasswordReset,
    /// The self-unlock link of the "account locked" email: clears the lock and the failure
    /// count.
    AccountUnlock,
}

impl TokenPurpose {
    /// Every purpose, e.g. to read stored names back.
    pub const ALL: [Self; 3] = [
        Self::EmailVerification,
        Self::PasswordReset,
        Self::AccountUnlock,
    ];

    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::EmailVerification => "email_verification",
            Self::PasswordReset => "password_reset",
            Self::AccountUnlock => "account_unlock",
        }
    }
}

/// How long a self-unlock link works once the mail worker mints it: long enough to read the
/// mail, short enough that an old mailbox holds no working link.
pub const ACCOUNT_UNLOCK_TTL: chrono::Duration = chrono::Duration::minutes(30);

/// A stored single-use token (verification, reset or unlock).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneTimeToken {
    pub hash: TokenHash,
    pub user_id: UserId,
    pub purpose: TokenPurpose,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// The public half of a signing key, as published in the JWKS document (RFC 7517).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Jwk {
    pub kty: String,
    #[serde(rename = "use")]
    pub use_: String,
    pub alg: String,
    pub kid: String,
    pub n: String,
    pub e: String,
}

/// `GET /.well-known/jwks.json`. Empty when tokens are signed with a shared secret (HS256).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct JwkSet {
    pub keys: Vec<Jwk>,
}
