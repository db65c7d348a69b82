//! Changing one's password while signed in, with the current one.
//!
//! Like a reset, a change stores the new hash together with the revocation of sessions and a
//! "password changed" email in one unit of work (the port's), then denies the access tokens that
//! are still in flight. A wrong current password counts towards the lockout exactly like a failed
//! login, so the change form cannot be used to guess around the lock.

use super::shared::{
    PasswordChecker, Refusal, audit, denial_until, deny_everything_before, deny_sessions,
    hash_failure, load_usable, parse_new_password, password_changed_mail, refuse_if_locked,
};
use crate::Timestamp;
use crate::audit::{AuditEvent, AuditKind};
use crate::error::{InfraError, ValidationErrors};
use crate::ids::SessionId;
use crate::policy::lockout::LockoutPolicy;
use crate::policy::password::PasswordPolicy;
use crate::ports::{
    AuditLog, ChangePasswordStoreError, Clock, PasswordHasher, TokenDenylist, UserRepository,
};
use crate::session::ClientInfo;
use crate::token::AccessClaims;
use crate::user::User;
use crate::values::{Password, PasswordHash};
use chrono::Duration;
use secrecy::SecretString;
use std::fmt;
use std::sync::Arc;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ChangePasswordError {
    /// Includes a new password equal to the current one (on `newPassword`).
    #[error(transparent)]
    Validation(ValidationErrors),
    /// Wrong current password (counts towards the lockout).
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("account locked")]
    AccountLocked { retry_after: i64 },
    /// The account vanished or was deactivated meanwhile, or its password was reset or changed
    /// since the current one was checked (401 TOKEN_REVOKED): nothing is stored.
    #[error("account no longer usable")]
    AccountGone,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

impl From<Refusal> for ChangePasswordError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Locked { retry_after } => Self::AccountLocked { retry_after },
            Refusal::WrongPassword => Self::InvalidCredentials,
            Refusal::AccountGone => Self::AccountGone,
            Refusal::Infra(e) => Self::Infra(e),
        }
    }
}

/// The ports [`PasswordChange`] calls.
#[derive(Clone)]
pub struct PasswordChangePorts {
    pub users: Arc<dyn UserRepository>,
    pub hasher: Arc<dyn PasswordHasher>,
    pub denylist: Arc<dyn TokenDenylist>,
    pub audit: Arc<dyn AuditLog>,
    pub clock: Arc<dyn Clock>,
}

impl fmt::Debug for PasswordChangePorts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordChangePorts")
            .finish_non_exhaustive()
    }
}

/// `PUT /v1/auth/change-password`.
#[derive(Debug, Clone)]
pub struct PasswordChange {
    ports: PasswordChangePorts,
    password_policy: PasswordPolicy,
    lockout: LockoutPolicy,
    access_ttl: Duration,
}

impl PasswordChange {
    /// New passwords must satisfy `password_policy`; wrong current ones count towards
    /// `lockout`; denials hold for `access_ttl` (the access-token lifetime) plus the
    /// verification leeway.
    #[must_use]
    pub fn new(
        ports: PasswordChangePorts,
        password_policy: PasswordPolicy,
        lockout: LockoutPolicy,
        access_ttl: Duration,
    ) -> Self {
        Self {
            ports,
            password_policy,
            lockout,
            access_ttl,
        }
    }

    /// Every other session is revoked; the caller's stays. Errors name `currentPassword` /
    /// `newPassword`.
    ///
    /// # Errors
    /// `Validation` (all problems of `currentPassword` and `newPassword` at once);
    /// `InvalidCredentials` for a wrong current password; `AccountLocked` while locked or when
    /// this wrong attempt locked the account; `AccountGone`; `Infra`.
    #[tracing::instrument(skip_all, fields(session_id = %principal.session_id))]
    pub async fn change(
        &self,
        principal: &AccessClaims,
        current_password: SecretString,
        new_password: SecretString,
        client: &ClientInfo,
    ) -> Result<(), ChangePasswordError> {
        let change = self
            .checked(principal, current_password, new_password, client)
            .await?;
        let revoked = self.store(&change, Some(principal.session_id)).await?;
        let now = change.now;
        deny_sessions(
            &*self.ports.denylist,
            principal.user_id,
            &revoked,
            denial_until(self.access_ttl, now),
        )
        .await;
        self.audit_change(
            &change,
            principal,
            client,
            format!("{} other session(s) revoked", revoked.len()),
        )
        .await;
        Ok(())
    }

    /// The same checks as [`Self::change`], but every session is revoked, the caller's too, and
    /// every access token issued until now is denied; the caller is then signed in afresh by
    /// [`super::FreshSession`]. Returns the account with its new password hash.
    ///
    /// # Errors
    /// As [`Self::change`].
    #[tracing::instrument(skip_all, fields(session_id = %principal.session_id))]
    pub(crate) async fn change_revoking_all(
        &self,
        principal: &AccessClaims,
        current_password: SecretString,
        new_password: SecretString,
        client: &ClientInfo,
    ) -> Result<User, ChangePasswordError> {
        let change = self
            .checked(principal, current_password, new_password, client)
            .await?;
        let revoked = self.store(&change, None).await?;
        let now = change.now;
        // The cut-off is `now` itself, not the next whole second: the session that replaces
        // these starts within this second, and its token must not be cut off. The revoked
        // sessions, the caller's included, are denied exactly, which covers their tokens of
        // this second; any session started after the change holds the new password.
        deny_everything_before(
            &*self.ports.denylist,
            change.user.id,
            &revoked,
            now,
            denial_until(self.access_ttl, now),
        )
        .await;
        self.audit_change(
            &change,
            principal,
            client,
            format!("all {} session(s) revoked", revoked.len()),
        )
        .await;
        let Checked { user, new_hash, .. } = change;
        Ok(User {
            password_hash: new_hash,
            updated_at: now,
            ..user
        })
    }

    /// The steps both changes share up to the new hash: the current password confirmed (or
    /// the failure counted), the new one checked against the policy and hashed.
    async fn checked(
        &self,
        principal: &AccessClaims,
        current_password: SecretString,
        new_password: SecretString,
        client: &ClientInfo,
    ) -> Result<Checked, ChangePasswordError> {
        let current = Password::parse(current_password, "currentPassword")
            .map_err(|e| ChangePasswordError::Validation(ValidationErrors(vec![e])))?;
        let now = self.ports.clock.now();
        let user = load_usable(&*self.ports.users, principal.user_id)
            .await?
            .ok_or(ChangePasswordError::AccountGone)?;
        // As at login, a locked account is refused before its password is checked.
        refuse_if_locked(&self.lockout, &user, now)?;
        let new_password =
            parse_new_password(&self.password_policy, &user, new_password, Some(&current))
                .map_err(ChangePasswordError::Validation)?;

        PasswordChecker::new(
            &self.ports.users,
            &self.ports.hasher,
            &self.ports.audit,
            self.lockout,
        )
        .confirm(&user, &current, now, client)
        .await?;

        let new_hash = self
            .ports
            .hasher
            .hash(new_password.as_password())
            .await
            .map_err(hash_failure)?;
        Ok(Checked {
            user,
            new_hash,
            now,
        })
    }

    /// Stores the new hash, revokes every session but `keep` and queues the "password changed"
    /// mail in one unit of work, only while the account still holds the hash the current
    /// password was checked against: a reset that happened meanwhile (which also revoked the
    /// caller's session) is not overwritten by what the caller knew before it. Returns the
    /// revoked sessions.
    async fn store(
        &self,
        change: &Checked,
        keep: Option<SessionId>,
    ) -> Result<Vec<SessionId>, ChangePasswordError> {
        let Checked {
            user,
            new_hash,
            now,
        } = change;
        self.ports
            .users
            .change_password(
                user.id,
                &user.password_hash,
                new_hash,
                keep,
                *now,
                &password_changed_mail(user, *now),
            )
            .await
            .map_err(|e| match e {
                ChangePasswordStoreError::CredentialsChanged => ChangePasswordError::AccountGone,
                ChangePasswordStoreError::Port(e) => InfraError::from(e).into(),
            })
    }

    async fn audit_change(
        &self,
        change: &Checked,
        principal: &AccessClaims,
        client: &ClientInfo,
        detail: String,
    ) {
        audit(
            &*self.ports.audit,
            AuditEvent::new(
                AuditKind::PasswordChanged,
                change.now,
                Some(change.user.id),
                client,
            )
            .with_session(principal.session_id)
            .with_detail(detail),
        )
        .await;
    }
}

/// A change that passed every check, its new hash ready to store.
struct Checked {
    user: User,
    new_hash: PasswordHash,
    now: Timestamp,
}

#[cfg(test)]
mod tests;
