//! Logging in: find the account by email or username, refuse locked or unusable accounts, check
//! the password on the hashing pool (a dummy check for unknown users), count failures, start a
//! session under the session limit, and issue the token pair.

use super::service;
use super::tokens::IssuedTokens;
use crate::error::InfraError;
use crate::ids::SessionId;
use crate::session::ClientInfo;
use crate::user::User;
use thiserror::Error;

#[derive(Debug, Clone, Default)]
pub struct LoginInput {
    pub email: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
    /// Omitted means `false`.
    pub remember_me: Option<bool>,
}

#[derive(Debug, Clone)]
pub struct LoginSuccess {
    pub tokens: IssuedTokens,
    pub session_id: SessionId,
    /// The account after the login (`last_login` is this login).
    pub user: User,
    pub permissions: Vec<String>,
}

#[derive(Debug, Error)]
pub enum LoginError {
    /// No identifier or no password (400 MISSING_CREDENTIALS).
    #[error("missing credentials")]
    MissingCredentials,
    /// Unknown account or wrong password: the same answer, in the same time.
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("email not verified")]
    EmailNotVerified,
    /// 423 with `retryAfter` seconds.
    #[error("account locked")]
    AccountLocked { retry_after: i64 },
    #[error("account suspended")]
    AccountSuspended,
    #[error("account deleted")]
    AccountDeleted,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

service!(
    /// `POST /v1/auth/login`.
    Login
);

impl Login {
    pub async fn login(
        &self,
        input: LoginInput,
        client: &ClientInfo,
    ) -> Result<LoginSuccess, LoginError> {
        todo!("{input:?} {client:?} {:?}", (&self.ports, &self.settings))
    }
}
