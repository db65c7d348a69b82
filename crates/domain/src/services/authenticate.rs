//! Authenticating a request by its bearer access token: signature and claims, then revocation.

use crate::error::InfraError;
use crate::ports::{AccessTokenCodec, AccessTokenError, Clock, TokenDenylist};
use crate::token::AccessClaims;
use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use std::sync::Arc;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum AuthenticateError {
    /// 401 INVALID_TOKEN.
    #[error("invalid access token")]
    InvalidToken,
    /// 401 TOKEN_EXPIRED.
    #[error("access token expired")]
    TokenExpired,
    /// 401 TOKEN_REVOKED: logged out, session revoked, or password changed.
    #[error("access token revoked")]
    TokenRevoked,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// The ports [`Authenticate`] calls.
#[derive(Clone)]
pub struct AuthenticatePorts {
    pub access_tokens: Arc<dyn AccessTokenCodec>,
    pub denylist: Arc<dyn TokenDenylist>,
    pub clock: Arc<dyn Clock>,
}

impl fmt::Debug for AuthenticatePorts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthenticatePorts").finish_non_exhaustive()
    }
}

/// Every bearer-authenticated endpoint.
#[derive(Debug, Clone)]
pub struct Authenticate {
    ports: AuthenticatePorts,
}

impl Authenticate {
    /// The hot path needs no settings: the codec and the denylist hold their own.
    #[must_use]
    pub fn new(ports: AuthenticatePorts) -> Self {
        Self { ports }
    }

    /// The hot path of every authenticated request: one signature check (at the clock's time)
    /// and one denylist lookup, nothing else.
    ///
    /// # Errors
    /// `InvalidToken`, `TokenExpired`, `TokenRevoked`; `Infra` when the denylist is unreachable
    /// (failing closed: a revoked token must never pass because the denylist was down).
    // No `user_id` field: with this span disabled, recording one would land on the caller's
    // span, and the caller (the HTTP adapter) names the user in its request span itself. For
    // the same reason the use cases of a signed-in principal do not repeat it in theirs.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn authenticate(
        &self,
        bearer: &SecretString,
    ) -> Result<AccessClaims, AuthenticateError> {
        let now = self.ports.clock.now();
        let claims = self
            .ports
            .access_tokens
            .verify(bearer.expose_secret(), now)
            .map_err(|e| match e {
                AccessTokenError::Expired => AuthenticateError::TokenExpired,
                AccessTokenError::Invalid => AuthenticateError::InvalidToken,
            })?;
        if self
            .ports
            .denylist
            .is_denied(&claims)
            .await
            .map_err(InfraError::from)?
        {
            return Err(AuthenticateError::TokenRevoked);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests;
