//! [`JwtCodec`]: signed access tokens (RFC 9068 `at+jwt`) and the JWKS document.
//!
//! RS256 is the default: the first key signs, every key verifies and is published, so a key can
//! be rotated in before it signs and kept after it stops. HS256 with a shared secret is the
//! simple alternative; its JWKS is empty.
//!
//! Verification trusts nothing from the token it does not have to: the algorithm is pinned (so
//! `alg: none` and an HS256 token "signed" with the RSA public key both fail), the key is chosen
//! only by `kid` among our own keys (`jku`, `jwk` and `x5u` headers are never read), `typ` must be
//! `at+jwt`, and `iss`, `aud`, `exp`, `sub` and `jti` are required. Keys and the `Validation` are
//! built once here, since every authenticated request verifies a token.

mod claims;
mod keys;

pub use keys::{KeyError, RsaSigningKey};

use crate::MIN_SECRET_BYTES;
use authd_domain::error::PortError;
use authd_domain::ports::{AccessTokenCodec, AccessTokenError};
use authd_domain::token::{AccessClaims, JwkSet};
use claims::{IncomingClaims, OutgoingClaims};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use std::fmt;
use thiserror::Error;

/// The most clock skew between servers that verification tolerates.
pub const MAX_LEEWAY_SECS: u64 = 30;

/// RFC 9068's media type for access tokens; `application/at+jwt` is the same type spelled out.
const ACCESS_TOKEN_TYPE: &str = "at+jwt";
const ACCESS_TOKEN_MEDIA_TYPE: &str = "application/at+jwt";

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
}

impl JwtSettings {
    /// Settings with the largest allowed leeway (30 s).
    #[must_use]
    pub fn new(issuer: impl Into<String>, audience: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
            audience: audience.into(),
            leeway_secs: MAX_LEEWAY_SECS,
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
    header: Header,
    signing_key: EncodingKey,
    verifying_keys: VerifyingKeys,
    validation: Validation,
    jwks: JwkSet,
    issuer: String,
    audience: String,
}

enum VerifyingKeys {
    /// HS256: one secret, no `kid` needed.
    Shared(DecodingKey),
    /// RS256: every loaded key by `kid`. A handful at most, so a scan beats a map.
    ByKid(Vec<(String, DecodingKey)>),
}

impl JwtCodec {
    /// RS256. `keys[0]` signs; every key verifies and appears in the JWKS.
    ///
    /// # Errors
    /// No key, two keys with one `kid`, or a leeway above 30 s.
    pub fn rs256(keys: Vec<RsaSigningKey>, settings: JwtSettings) -> Result<Self, JwtConfigError> {
        let Some(current) = keys.first() else {
            return Err(JwtConfigError::NoKeys);
        };
        for (i, key) in keys.iter().enumerate() {
            if keys[..i].iter().any(|k| k.kid() == key.kid()) {
                return Err(JwtConfigError::DuplicateKid(key.kid().to_owned()));
            }
        }
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(current.kid().to_owned());
        Self::build(
            header,
            current.encoding_key().clone(),
            VerifyingKeys::ByKid(
                keys.iter()
                    .map(|k| (k.kid().to_owned(), k.decoding_key()))
                    .collect(),
            ),
            JwkSet {
                keys: keys.iter().map(RsaSigningKey::jwk).collect(),
            },
            settings,
        )
    }

    /// HS256 with a shared secret (`JWT_ACCESS_SECRET`). The JWKS is empty.
    ///
    /// # Errors
    /// A secret under 32 bytes, or a leeway above 30 s.
    pub fn hs256(secret: &[u8], settings: JwtSettings) -> Result<Self, JwtConfigError> {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(JwtConfigError::SecretTooShort(secret.len()));
        }
        Self::build(
            Header::new(Algorithm::HS256),
            EncodingKey::from_secret(secret),
            VerifyingKeys::Shared(DecodingKey::from_secret(secret)),
            JwkSet::default(),
            settings,
        )
    }

    fn build(
        mut header: Header,
        signing_key: EncodingKey,
        verifying_keys: VerifyingKeys,
        jwks: JwkSet,
        settings: JwtSettings,
    ) -> Result<Self, JwtConfigError> {
        if settings.leeway_secs > MAX_LEEWAY_SECS {
            return Err(JwtConfigError::LeewayTooLarge(settings.leeway_secs));
        }
        header.typ = Some(ACCESS_TOKEN_TYPE.to_owned());
        let mut validation = Validation::new(header.alg);
        validation.leeway = settings.leeway_secs;
        validation.set_issuer(&[&settings.issuer]);
        validation.set_audience(&[&settings.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        Ok(Self {
            header,
            signing_key,
            verifying_keys,
            validation,
            jwks,
            issuer: settings.issuer,
            audience: settings.audience,
        })
    }

    fn key_for(&self, kid: Option<&str>) -> Option<&DecodingKey> {
        match &self.verifying_keys {
            VerifyingKeys::Shared(key) => Some(key),
            VerifyingKeys::ByKid(keys) => {
                let kid = kid?;
                keys.iter().find(|(k, _)| k == kid).map(|(_, key)| key)
            }
        }
    }
}

impl AccessTokenCodec for JwtCodec {
    fn issue(&self, claims: &AccessClaims) -> Result<String, PortError> {
        let wire = OutgoingClaims::new(&self.issuer, &self.audience, claims);
        jsonwebtoken::encode(&self.header, &wire, &self.signing_key)
            .map_err(|e| PortError::internal(format!("signing an access token failed: {e}")))
    }

    fn verify(&self, token: &str) -> Result<AccessClaims, AccessTokenError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(AccessTokenError::Invalid);
        }
        let header = jsonwebtoken::decode_header(token).map_err(|_| AccessTokenError::Invalid)?;
        let typ_ok = header.typ.as_deref().is_some_and(|t| {
            t.eq_ignore_ascii_case(ACCESS_TOKEN_TYPE)
                || t.eq_ignore_ascii_case(ACCESS_TOKEN_MEDIA_TYPE)
        });
        if !typ_ok {
            return Err(AccessTokenError::Invalid);
        }
        let key = self
            .key_for(header.kid.as_deref())
            .ok_or(AccessTokenError::Invalid)?;
        let data =
            jsonwebtoken::decode::<IncomingClaims>(token, key, &self.validation).map_err(|e| {
                match e.kind() {
                    ErrorKind::ExpiredSignature => AccessTokenError::Expired,
                    _ => AccessTokenError::Invalid,
                }
            })?;
        data.claims.into_domain().ok_or(AccessTokenError::Invalid)
    }

    fn jwks(&self) -> JwkSet {
        self.jwks.clone()
    }
}

impl fmt::Debug for JwtCodec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtCodec")
            .field("alg", &self.header.alg)
            .field("kid", &self.header.kid)
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("leeway_secs", &self.validation.leeway)
            .finish_non_exhaustive()
    }
}
