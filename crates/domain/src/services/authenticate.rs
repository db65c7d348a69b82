//! Authenticating a request by its bearer access token: signature and claims, then revocation.

use super::service;
use crate::error::InfraError;
use crate::ports::AccessTokenError;
use crate::token::AccessClaims;
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

service!(
    /// Every bearer-authenticated endpoint.
    #[expect(dead_code, reason = "the hot path needs no settings; the constructor stays uniform")]
    Authenticate
);

impl Authenticate {
    /// The hot path of every authenticated request: one signature check and one denylist
    /// lookup, nothing else.
    ///
    /// # Errors
    /// `InvalidToken`, `TokenExpired`, `TokenRevoked`; `Infra` when the denylist is unreachable
    /// (failing closed: a revoked token must never pass because the denylist was down).
    #[tracing::instrument(level = "debug", skip_all, fields(user_id = tracing::field::Empty))]
    pub async fn authenticate(&self, bearer: &str) -> Result<AccessClaims, AuthenticateError> {
        let claims = self
            .ports
            .access_tokens
            .verify(bearer)
            .map_err(|e| match e {
                AccessTokenError::Expired => AuthenticateError::TokenExpired,
                AccessTokenError::Invalid => AuthenticateError::InvalidToken,
            })?;
        tracing::Span::current().record("user_id", tracing::field::display(claims.user_id));
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
