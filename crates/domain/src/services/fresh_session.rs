//! Use cases that end by signing the caller in afresh: a registration that signs in at once and
//! a password change that replaces every session with a new one. The CheckInn dialect's
//! register and update-password answer a token pair; `/v1`'s do not.

use super::{
    ChangePasswordError, Login, LoginSuccess, PasswordChange, RegisterError, RegisterInput,
    Registration,
};
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
    /// As [`Registration::register`].
    pub async fn register(
        &self,
        input: RegisterInput,
        client: &ClientInfo,
    ) -> Result<LoginSuccess, RegisterError> {
        let _ = (&self.registration, &self.login, input, client);
        todo!("issue 16")
    }

    /// Changes the password, revokes every session (the caller's too) and signs the caller in
    /// with a new one.
    ///
    /// # Errors
    /// As [`PasswordChange::change`].
    pub async fn change_password(
        &self,
        principal: &AccessClaims,
        current_password: SecretString,
        new_password: SecretString,
        client: &ClientInfo,
    ) -> Result<LoginSuccess, ChangePasswordError> {
        let _ = (
            &self.password_change,
            principal,
            current_password,
            new_password,
            client,
        );
        todo!("issue 16")
    }
}
