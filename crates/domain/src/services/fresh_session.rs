//! Use cases that end by signing the caller in afresh: a registration that signs in at once and
//! a password change that replaces every session with a new one. The CheckInn dialect's
//! register and update-password answer a token pair; `/v1`'s do not.

use super::login::OpenSessionError;
use super::{
    ChangePasswordError, Login, LoginSuccess, PasswordChange, RegisterError, RegisterInput,
    Registration,
};
use crate::error::InfraError;
use crate::session::ClientInfo;
use crate::token::AccessClaims;
use secrecy::SecretString;

/// Registration or password change, then a new session.
#[derive(Debug, Clone)]
pub struct FreshSession {
    registration: Registration,
    password_change: PasswordChange,
    login: Login,
}

impl FreshSession {
    /// The new session starts through `login` (its session limit and token lifetimes).
    #[must_use]
    pub fn new(registration: Registration, password_change: PasswordChange, login: Login) -> Self {
        Self {
            registration,
            password_change,
            login,
        }
    }

    /// Registers (a `pending` account, its verification email queued) and signs it in.
    ///
    /// # Errors
    /// As [`Registration::register`]; nothing is signed in then. Should the new account be
    /// unusable before its session starts (an administrator's action within the same
    /// instant), `Infra`: the account exists, and a login will tell its state.
    pub async fn register(
        &self,
        input: RegisterInput,
        client: &ClientInfo,
    ) -> Result<LoginSuccess, RegisterError> {
        let user = self.registration.register(input, client).await?;
        self.login
            .open_session(user, "registration", client)
            .await
            .map_err(|e| match e {
                OpenSessionError::Refused => RegisterError::Infra(InfraError::internal(
                    "the account registered just now could not be signed in",
                )),
                OpenSessionError::Infra(e) => RegisterError::Infra(e),
            })
    }

    /// Changes the password, revokes every session (the caller's too) and signs the caller in
    /// with a new one.
    ///
    /// # Errors
    /// As [`PasswordChange::change`]; `AccountGone` also when the account was suspended or its
    /// password changed again before the new session started (every session is gone, so the
    /// caller must log in again).
    pub async fn change_password(
        &self,
        principal: &AccessClaims,
        current_password: SecretString,
        new_password: SecretString,
        client: &ClientInfo,
    ) -> Result<LoginSuccess, ChangePasswordError> {
        let user = self
            .password_change
            .change_revoking_all(principal, current_password, new_password, client)
            .await?;
        self.login
            .open_session(user, "password changed", client)
            .await
            .map_err(|e| match e {
                OpenSessionError::Refused => ChangePasswordError::AccountGone,
                OpenSessionError::Infra(e) => ChangePasswordError::Infra(e),
            })
    }
}

#[cfg(test)]
mod tests;
