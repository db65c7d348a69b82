//! [`JwtCodec`]: signed access tokens (RFC 9068 `at+jwt`) and the JWKS document.
//!
//! RS256 is the default: the first key signs, every key verifies and is published, so a key can
//! be rotated in before it signs and kept after it stops. HS256 with a shared secret is the
//! simple alternative; its JWKS is empty.
//!
//! Verification trusts nothing from the token it does not have to: the algorithm is pinned (so
//! `alg: none` and an HS256 token "signed" with the RSA public key both fail), the key is chosen
//! only by `kid` among our own keys (`jku`, `jwk` and `x5u` headers are never read), `typ` must be
//! `at+jwt`, and `iss`, `aud`, `exp`, `sub` and `jti` are required. The signature is checked
//! before the claims are even parsed.
//!
//! Every authenticated request verifies a token and every login or refresh signs one, so the
//! aws-lc-rs key objects are parsed once, here, and the token is built and read directly
//! (`jws`) rather than through a general JWT library that re-parses keys per call.

mod claims;
mod jws;
mod keys;
mod verified;

pub use keys::{KeyError, RsaKeyBits, RsaSigningKey};

use crate::MIN_SECRET_BYTES;
use authd_domain::Timestamp;
use authd_domain::error::PortError;
use authd_domain::ports::{AccessTokenCodec, AccessTokenError};
use authd_domain::token::{AccessClaims, JwkSet};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use claims::{ClaimRules, IncomingClaims, OutgoingClaims};
use jws::KeySet;
use std::fmt;
use thiserror::Error;
use verified::{Verified, VerifiedTokens};

/// The most clock skew between servers that verification tolerates.
pub const MAX_LEEWAY_SECS: u64 = 30;

/// Verified access tokens remembered by default (about 1 KiB each).
pub const DEFAULT_VERIFIED_CACHE: usize = 4096;

/// Far above any token we issue; refuses to parse megabytes of attacker input.
const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// What every token must say about who made it and for whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwtSettings {
    /// `iss`, written and required.
    pub issuer: String,
    /// `aud`, written and required.
    pub audience: String,
    /// Tolerated clock skew for `exp`, at most [`MAX_LEEWAY_SECS`].
    pub leeway_secs: u64,
    /// How many verified tokens are remembered so that presenting one again skips the
    /// signature check (see `verified.rs`); 0 verifies every token in full.
    pub verified_cache: usize,
}

impl JwtSettings {
    /// Settings with the largest allowed leeway (30 s) and [`DEFAULT_VERIFIED_CACHE`].
    #[must_use]
    pub fn new(issuer: impl Into<String>, audience: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
            audience: audience.into(),
            leeway_secs: MAX_LEEWAY_SECS,
            verified_cache: DEFAULT_VERIFIED_CACHE,
        }
    }
}

/// Why a [`JwtCodec`] could not be built.
#[derive(Debug, Error)]
pub enum JwtConfigError {
    #[error("RS256 needs at least one signing key")]
    NoKeys,
    #[error("two signing keys share the kid {0:?}")]
    DuplicateKid(String),
    #[error("the HS256 secret must be at least 32 bytes, got {0}")]
    SecretTooShort(usize),
    #[error("the clock leeway must be at most 30 seconds, got {0}")]
    LeewayTooLarge(u64),
}

/// Issues and verifies access tokens; see the module documentation for the rules.
pub struct JwtCodec {
    keys: KeySet,
    rules: ClaimRules,
    jwks: JwkSet,
    verified: VerifiedTokens,
}

impl JwtCodec {
    /// RS256. `keys[0]` signs; every key verifies and appears in the JWKS.
    ///
    /// # Errors
    /// No key, two keys with one `kid`, or a leeway above 30 s.
    pub fn rs256(keys: Vec<RsaSigningKey>, settings: JwtSettings) -> Result<Self, JwtConfigError> {
        if keys.is_empty() {
            return Err(JwtConfigError::NoKeys);
        }
        for (i, key) in keys.iter().enumerate() {
            if keys[..i].iter().any(|k| k.kid() == key.kid()) {
                return Err(JwtConfigError::DuplicateKid(key.kid().to_owned()));
            }
        }
        let jwks = JwkSet {
            keys: keys.iter().map(RsaSigningKey::jwk).collect(),
        };
        Self::build(KeySet::rsa(keys), jwks, settings)
    }

    /// HS256 with a shared secret (`JWT_ACCESS_SECRET`). The JWKS is empty.
    ///
    /// # Errors
    /// A secret under 32 bytes, or a leeway above 30 s.
    pub fn hs256(secret: &[u8], settings: JwtSettings) -> Result<Self, JwtConfigError> {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(JwtConfigError::SecretTooShort(secret.len()));
        }
        Self::build(KeySet::hmac(secret), JwkSet::default(), settings)
    }

    fn build(keys: KeySet, jwks: JwkSet, settings: JwtSettings) -> Result<Self, JwtConfigError> {
        let leeway_secs = i64::try_from(settings.leeway_secs)
            .ok()
            .filter(|&secs| secs <= MAX_LEEWAY_SECS.cast_signed())
            .ok_or(JwtConfigError::LeewayTooLarge(settings.leeway_secs))?;
        Ok(Self {
            keys,
            rules: ClaimRules {
                issuer: settings.issuer,
                audience: settings.audience,
                leeway_secs,
            },
            jwks,
            verified: VerifiedTokens::new(settings.verified_cache),
        })
    }
}

impl AccessTokenCodec for JwtCodec {
    fn issue(&self, claims: &AccessClaims) -> Result<String, PortError> {
        let wire = OutgoingClaims::new(&self.rules.issuer, &self.rules.audience, claims);
        let payload = serde_json::to_vec(&wire).map_err(|e| {
            PortError::internal(format!("encoding access-token claims failed: {e}"))
        })?;
        let header = self.keys.signing_header();
        // Header, payload and a 2048-bit RSA signature, base64url-encoded, in one allocation.
        let mut token = String::with_capacity(header.len() + payload.len() * 4 / 3 + 352);
        token.push_str(header);
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(&payload, &mut token);
        let signature = self
            .keys
            .sign(token.as_bytes())
            .map_err(|_| PortError::internal("signing an access token failed"))?;
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(&signature, &mut token);
        Ok(token)
    }

    fn verify(&self, token: &str, now: Timestamp) -> Result<AccessClaims, AccessTokenError> {
        // Tokens carry whole seconds; so does every comparison with them.
        let now = now.timestamp();
        if token.len() > MAX_TOKEN_BYTES {
            return Err(AccessTokenError::Invalid);
        }
        if let Some(known) = self.verified.claims(token, &self.rules, now) {
            return known;
        }
        let parts = jws::split(token).ok_or(AccessTokenError::Invalid)?;
        if !self.keys.verifies(&parts) {
            return Err(AccessTokenError::Invalid);
        }
        let payload = URL_SAFE_NO_PAD
            .decode(parts.payload)
            .map_err(|_| AccessTokenError::Invalid)?;
        let claims: IncomingClaims<'_> =
            serde_json::from_slice(&payload).map_err(|_| AccessTokenError::Invalid)?;
        let (claims, nbf) = self.rules.check(claims, now)?;
        self.verified.remember(
            token,
            Verified {
                claims: claims.clone(),
                exp: claims.expires_at.timestamp(),
                nbf,
            },
        );
        Ok(claims)
    }

    fn jwks(&self) -> JwkSet {
        self.jwks.clone()
    }
}

impl fmt::Debug for JwtCodec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtCodec")
            .field("alg", &self.keys.alg())
            .field("kid", &self.keys.signing_kid())
            .field("issuer", &self.rules.issuer)
            .field("audience", &self.rules.audience)
            .field("leeway_secs", &self.rules.leeway_secs)
            .field("verified_cache", &self.verified.capacity())
            .finish_non_exhaustive()
    }
}
