//! A session for an account whose credentials another use case has just proven: a
//! registration that signs in at once, a password change that replaces every session.

use super::complete::{Completion, Incomplete};
use super::{Login, LoginSuccess};
use crate::error::InfraError;
use crate::session::ClientInfo;
use crate::user::{AccountStatus, User};
use thiserror::Error;

/// Why no session was opened.
#[derive(Debug, Error)]
pub(crate) enum OpenSessionError {
    /// The account is suspended or deleted, or its password changed again since it was proven
    /// (a concurrent reset or change): it may not be signed in with what the caller holds.
    #[error("the account cannot be signed in")]
    Refused,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

impl Login {
    /// Starts a session without a password check, a verification rule or a second factor (the
    /// caller has just proven the credentials); the session limit, the token pair, the audit
    /// event (with `detail`) and the device note as for any login. `remember_me` is on (the
    /// long refresh lifetime). The session starts only while the account still holds `user`'s
    /// password hash.
    ///
    /// # Errors
    /// `Refused` for a suspended or deleted account, or one whose password changed meanwhile;
    /// `Infra`.
    pub(crate) async fn open_session(
        &self,
        user: User,
        detail: &'static str,
        client: &ClientInfo,
    ) -> Result<LoginSuccess, OpenSessionError> {
        let now = self.ports.clock.now();
        let refusal = match user.status {
            AccountStatus::Suspended => Some("account suspended"),
            AccountStatus::Deleted => Some("account deleted"),
            AccountStatus::Pending | AccountStatus::Active => None,
        };
        if let Some(refusal) = refusal {
            self.audit_failure(Some(&user), now, client, refusal).await;
            return Err(OpenSessionError::Refused);
        }
        let verified = user.password_hash.clone();
        let completion = Completion {
            rehash: None,
            remember_me: true,
            detail: Some(detail),
        };
        match self
            .complete(user, &verified, completion, now, client)
            .await
        {
            Ok(success) => Ok(success),
            Err(Incomplete::CredentialsChanged) => Err(OpenSessionError::Refused),
            Err(Incomplete::Infra(e)) => Err(e.into()),
        }
    }
}
