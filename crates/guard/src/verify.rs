//! [`Guard`]: one token in, a [`Principal`] or the reason it was refused out.

use crate::builder::GuardBuilder;
use crate::error::GuardError;
use crate::introspection::Introspection;
use crate::jwks::JwksCache;
use crate::principal::Principal;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// Far above any token authd issues; refuses to parse megabytes of attacker input.
const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// RFC 9068's type for access tokens, short and spelled out.
const ACCESS_TOKEN_TYPES: [&str; 2] = ["at+jwt", "application/at+jwt"];

/// Verifies authd's access tokens. Cheap to clone (one shared cache); register it with
/// `App::app_data(guard.clone())` (or as `web::Data<Guard>`) for [`Principal`] and
/// [`crate::restrict_to`] to find it.
#[derive(Clone)]
pub struct Guard {
    inner: Arc<Inner>,
}

struct Inner {
    keys: Keys,
    validation: Validation,
    issuer: String,
    audience: String,
    introspection: Option<Introspection>,
}

pub(crate) enum Keys {
    Rs256(Arc<JwksCache>),
    Hs256(DecodingKey),
}

impl fmt::Debug for Guard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys = match &self.inner.keys {
            Keys::Rs256(jwks) => format!("{jwks:?}"),
            Keys::Hs256(_) => "HS256(<redacted>)".to_owned(),
        };
        f.debug_struct("Guard")
            .field("issuer", &self.inner.issuer)
            .field("audience", &self.inner.audience)
            .field("keys", &keys)
            .field("introspection", &self.inner.introspection)
            .finish()
    }
}

/// The claims authd writes; all but `nbf` required.
#[derive(Deserialize)]
struct Claims {
    sub: Uuid,
    sid: Uuid,
    jti: Uuid,
    exp: i64,
    roles: Vec<String>,
    permissions: Vec<String>,
}

impl Guard {
    /// authd's base URL, or its JWKS URL (ending in `.json`).
    pub fn builder(url: impl Into<String>) -> GuardBuilder {
        GuardBuilder::new(url)
    }

    pub(crate) fn new(
        keys: Keys,
        issuer: String,
        audience: String,
        leeway: Duration,
        introspection: Option<Introspection>,
    ) -> Self {
        let algorithm = match keys {
            Keys::Rs256(_) => Algorithm::RS256,
            Keys::Hs256(_) => Algorithm::HS256,
        };
        let mut validation = Validation::new(algorithm);
        validation.set_issuer(&[&issuer]);
        validation.set_audience(&[&audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = leeway.as_secs();
        validation.validate_nbf = true;
        Self {
            inner: Arc::new(Inner {
                keys,
                validation,
                issuer,
                audience,
                introspection,
            }),
        }
    }

    /// Who `token` belongs to.
    ///
    /// # Errors
    /// `InvalidToken`, `TokenExpired`; `TokenRevoked` when introspection is on and authd says
    /// the token is no longer active; `Unavailable` when authd could not be asked and the
    /// answer depends on it.
    pub async fn verify(&self, token: &str) -> Result<Principal, GuardError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(GuardError::InvalidToken);
        }
        let header = jsonwebtoken::decode_header(token).map_err(|_| GuardError::InvalidToken)?;
        let typ_ok = header
            .typ
            .as_deref()
            .is_some_and(|t| ACCESS_TOKEN_TYPES.iter().any(|a| t.eq_ignore_ascii_case(a)));
        // The algorithm is pinned by configuration, never taken from the token.
        if !typ_ok || header.alg != self.inner.validation.algorithms[0] {
            return Err(GuardError::InvalidToken);
        }
        let fetched;
        let key = match &self.inner.keys {
            Keys::Hs256(key) => key,
            Keys::Rs256(jwks) => {
                let kid = header.kid.as_deref().ok_or(GuardError::InvalidToken)?;
                fetched = jwks.key(kid).await?;
                fetched.as_ref()
            }
        };
        let claims = jsonwebtoken::decode::<Claims>(token, key, &self.inner.validation)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => GuardError::TokenExpired,
                _ => GuardError::InvalidToken,
            })?
            .claims;
        let principal = Principal {
            user_id: claims.sub,
            session_id: claims.sid,
            token_id: claims.jti,
            roles: claims.roles,
            permissions: claims.permissions,
            expires_at: chrono::DateTime::from_timestamp(claims.exp, 0)
                .ok_or(GuardError::InvalidToken)?,
        };
        if let Some(introspection) = &self.inner.introspection {
            introspection.check(token, &principal).await?;
        }
        Ok(principal)
    }

    /// Fetches authd's keys now (say at start-up, so that the first request does not wait).
    /// Nothing to do with HS256.
    ///
    /// # Errors
    /// `Unavailable` when authd did not answer with a usable JWKS.
    pub async fn refresh_keys(&self) -> Result<(), GuardError> {
        match &self.inner.keys {
            Keys::Rs256(jwks) => jwks.refresh().await,
            Keys::Hs256(_) => Ok(()),
        }
    }

    /// How many times the JWKS was fetched so far (0 with HS256): for metrics and tests.
    #[must_use]
    pub fn jwks_fetches(&self) -> u64 {
        match &self.inner.keys {
            Keys::Rs256(jwks) => jwks.fetches(),
            Keys::Hs256(_) => 0,
        }
    }
}
