//! Authenticating a request by its bearer access token: signature and claims, then revocation.

use super::service;
use crate::error::InfraError;
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
    Authenticate
);

impl Authenticate {
    pub async fn authenticate(&self, bearer: &str) -> Result<AccessClaims, AuthenticateError> {
        todo!("{} {:?}", bearer.len(), (&self.ports, &self.settings))
    }
}
