//! Registering an account: validate everything, hash the password, store the account with its
//! verification token and queue the verification email in one unit of work.

use super::service;
use crate::error::{InfraError, ValidationErrors};
use crate::session::ClientInfo;
use crate::user::User;
use thiserror::Error;

/// The request as received; every field is validated by the service.
#[derive(Debug, Clone, Default)]
pub struct RegisterInput {
    pub email: String,
    pub username: String,
    pub password: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Error)]
pub enum RegisterError {
    #[error(transparent)]
    Validation(ValidationErrors),
    #[error("email already registered")]
    EmailTaken,
    #[error("username already taken")]
    UsernameTaken,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

service!(
    /// `POST /v1/auth/register`.
    Registration
);

impl Registration {
    /// Creates a `pending` account and queues its verification email.
    ///
    /// # Errors
    /// Every invalid field at once in `Validation`; `EmailTaken` / `UsernameTaken`.
    pub async fn register(
        &self,
        input: RegisterInput,
        client: &ClientInfo,
    ) -> Result<User, RegisterError> {
        todo!(
            "{:?} {:?} {:?}",
            input,
            client,
            (&self.ports, &self.settings)
        )
    }
}
