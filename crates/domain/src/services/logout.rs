//! Logging out one session, or every session of the user.

use super::service;
use crate::error::InfraError;
use crate::session::ClientInfo;
use crate::token::AccessClaims;

service!(
    /// `POST /v1/auth/logout`.
    Logout
);

impl Logout {
    /// Revokes the caller's session and denies the presented access token; with `all_devices`,
    /// revokes every session and denies every access token issued until now.
    pub async fn logout(
        &self,
        principal: &AccessClaims,
        all_devices: bool,
        client: &ClientInfo,
    ) -> Result<(), InfraError> {
        todo!(
            "{principal:?} {all_devices} {client:?} {:?}",
            (&self.ports, &self.settings)
        )
    }
}
