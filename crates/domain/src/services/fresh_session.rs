//! Use cases that end by signing the caller in afresh: a registration that signs in at once and
//! a password change that replaces every session with a new one. The CheckInn dialect's
//! register and update-password answer a token pair; `/v1`'s do not.

use super::login::OpenSessionError;
use super::{
    ChangePasswordError, Login, LoginSuccess, PasswordChange, RegisterError, RegisterInput,
    Registration,
};
use crate::session::ClientInfo;
use crate::token::AccessClaims;
use crate::user::User;
use secrecy::SecretString;

/// How a registration through [`FreshSession::register`] ended: the account exists in each.
#[derive(Debug)]
pub enum SignedUp {
    /// Registered and signed in.
    SignedIn(Box<LoginSuccess>),
    /// Registered, not signed in: the login requires a verified email first (its email is
    /// queued).
    VerificationRequired(User),
    /// Registered, not signed in: the account was suspended, deleted or given another password
    /// before its session started.
    NotSignedIn(User),
}

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

    /// Registers (a `pending` account, its verification email queued) and signs it in, unless
    /// the login it signs in through requires a verified email: then the account waits for its
    /// verification, without a session.
    ///
    /// # Errors
    /// As [`Registration::register`]; nothing is signed in then.
    pub async fn register(
        &self,
        input: RegisterInput,
        client: &ClientInfo,
    ) -> Result<SignedUp, RegisterError> {
        let user = self.registration.register(input, client).await?;
        if self.login.requires_verification() {
            return Ok(SignedUp::VerificationRequired(user));
        }
        match self
            .login
            .open_session(user.clone(), "registration", client)
            .await
        {
            Ok(success) => Ok(SignedUp::SignedIn(Box::new(success))),
            // An administrator's action (or a reset) within the same instant: the account
            // exists, and a login will tell its state.
            Err(OpenSessionError::Refused) => Ok(SignedUp::NotSignedIn(user)),
            Err(OpenSessionError::Infra(e)) => Err(RegisterError::Infra(e)),
        }
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
