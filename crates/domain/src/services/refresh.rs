//! Exchanging a refresh token for a new token pair, with rotation and reuse detection.

use super::service;
use super::tokens::IssuedTokens;
use crate::error::InfraError;
use crate::session::ClientInfo;
use thiserror::Error;

pub type RefreshSuccess = IssuedTokens;

#[derive(Debug, Error)]
pub enum RefreshError {
    /// Unknown, malformed or expired (401 INVALID_REFRESH_TOKEN).
    #[error("invalid refresh token")]
    InvalidRefreshToken,
    /// The family was revoked, now or before (401 TOKEN_REVOKED).
    #[error("refresh token revoked")]
    TokenRevoked,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

service!(
    /// `POST /v1/auth/refresh`.
    Refresh
);

impl Refresh {
    pub async fn refresh(
        &self,
        presented: &str,
        client: &ClientInfo,
    ) -> Result<RefreshSuccess, RefreshError> {
        todo!(
            "{client:?} {} {:?}",
            presented.len(),
            (&self.ports, &self.settings)
        )
    }
}
