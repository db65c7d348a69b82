//! Listing and revoking one's own sessions.

use super::service;
use crate::error::InfraError;
use crate::session::{ClientInfo, Session};
use crate::token::AccessClaims;
use thiserror::Error;

#[derive(Debug, Clone)]
pub struct SessionView {
    pub session: Session,
    /// The session of the access token that asked.
    pub is_current: bool,
}

#[derive(Debug, Error)]
pub enum RevokeSessionError {
    /// Not a live session of the caller (another user's id included): 404.
    #[error("session not found")]
    NotFound,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

service!(
    /// `GET /v1/users/me/sessions` and `DELETE /v1/users/me/sessions/{id}`.
    Sessions
);

impl Sessions {
    pub async fn list(&self, principal: &AccessClaims) -> Result<Vec<SessionView>, InfraError> {
        todo!("{principal:?} {:?}", (&self.ports, &self.settings))
    }

    /// `session_id` as given in the path; a malformed id is `NotFound`.
    pub async fn revoke(
        &self,
        principal: &AccessClaims,
        session_id: &str,
        client: &ClientInfo,
    ) -> Result<(), RevokeSessionError> {
        todo!("{principal:?} {session_id} {client:?}")
    }
}
