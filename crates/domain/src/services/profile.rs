//! Reading, changing and deactivating one's own account.

use super::service;
use crate::error::{InfraError, ValidationErrors};
use crate::session::ClientInfo;
use crate::token::AccessClaims;
use crate::user::User;
use crate::values::Preferences;
use thiserror::Error;

/// An account with the permissions its roles grant.
#[derive(Debug, Clone)]
pub struct UserView {
    pub user: User,
    pub permissions: Vec<String>,
}

/// `PUT /v1/users/me`: absent fields are left alone; `Some(None)` (JSON `null`) clears a field.
#[derive(Debug, Clone, Default)]
pub struct ProfileInput {
    pub first_name: Option<Option<String>>,
    pub last_name: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub preferences: Option<Preferences>,
}

#[derive(Debug, Error)]
pub enum ProfileError {
    /// The account no longer exists or was deactivated (401 TOKEN_REVOKED).
    #[error("account no longer usable")]
    AccountGone,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

#[derive(Debug, Error)]
pub enum UpdateProfileError {
    #[error(transparent)]
    Validation(ValidationErrors),
    #[error("account no longer usable")]
    AccountGone,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

#[derive(Debug, Error)]
pub enum DeactivateError {
    #[error(transparent)]
    Validation(ValidationErrors),
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("account no longer usable")]
    AccountGone,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

service!(
    /// `GET`, `PUT` and `DELETE /v1/users/me`.
    Profiles
);

impl Profiles {
    pub async fn get(&self, principal: &AccessClaims) -> Result<UserView, ProfileError> {
        todo!("{principal:?} {:?}", (&self.ports, &self.settings))
    }

    pub async fn update(
        &self,
        principal: &AccessClaims,
        input: ProfileInput,
        client: &ClientInfo,
    ) -> Result<UserView, UpdateProfileError> {
        todo!("{principal:?} {input:?} {client:?}")
    }

    /// Status `deleted`, every session revoked, every access token denied. Needs the password.
    pub async fn deactivate(
        &self,
        principal: &AccessClaims,
        password: String,
        client: &ClientInfo,
    ) -> Result<(), DeactivateError> {
        todo!("{principal:?} {} {client:?}", password.len())
    }
}
