//! The first admin: `authd admin create`, `authd admin grant` and `BOOTSTRAP_ADMIN_*`.

use crate::authorization::RoleCatalog;
use crate::error::{InfraError, ValidationErrors};
use crate::ids::UserId;
use crate::policy::password::PasswordPolicy;
use crate::ports::{AuditLog, Clock, PasswordHasher, TokenDenylist, UserDirectory, UserRepository};
use chrono::Duration;
use secrecy::SecretString;
use std::fmt;
use std::sync::Arc;
use thiserror::Error;

/// An administrator account to create.
#[derive(Debug)]
pub struct NewAdmin {
    pub email: String,
    pub username: String,
    pub password: SecretString,
}

/// What [`FirstAdmin`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminCreated {
    Created(UserId),
    /// The account already existed and already held the admin role: nothing changed.
    AlreadyAdmin(UserId),
    /// A verified account with that email existed and was given the admin role (bootstrap
    /// only; its password was left alone).
    Promoted(UserId),
    /// `grant`: the role was added.
    Granted(UserId),
    /// `grant`: the account already held the role.
    AlreadyHeld(UserId),
}

#[derive(Debug, Error)]
pub enum FirstAdminError {
    #[error(transparent)]
    Validation(ValidationErrors),
    /// `create`: an account with this email exists and is no admin; `authd admin grant` is
    /// the way to make it one.
    #[error("an account with this email exists and is not an admin (use `authd admin grant`)")]
    NotAnAdmin,
    /// The username belongs to another account.
    #[error("the username is taken by another account")]
    UsernameTaken,
    /// Bootstrap: the account with this email never verified it, so whoever registered it may
    /// not own the address; it is not promoted.
    #[error("the account with this email is not verified; verify it or use `authd admin grant`")]
    Unverified,
    /// `grant`: no account has this email.
    #[error("no account has this email")]
    NoSuchAccount,
    /// The account is deleted or suspended.
    #[error("the account is {0}")]
    Inactive(&'static str),
    /// `grant`: the role is not configured in ROLE_PERMISSIONS.
    #[error("role `{0}` is not defined in ROLE_PERMISSIONS")]
    UnknownRole(String),
    /// No configured role grants every permission, so there is no admin role to give.
    #[error("no role in ROLE_PERMISSIONS grants `*`")]
    NoAdminRole,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// The ports [`FirstAdmin`] calls.
#[derive(Clone)]
pub struct FirstAdminPorts {
    pub users: Arc<dyn UserRepository>,
    pub directory: Arc<dyn UserDirectory>,
    pub hasher: Arc<dyn PasswordHasher>,
    /// A grant cuts off the account's earlier access tokens, like any role change.
    pub denylist: Arc<dyn TokenDenylist>,
    pub audit: Arc<dyn AuditLog>,
    pub clock: Arc<dyn Clock>,
}

impl fmt::Debug for FirstAdminPorts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FirstAdminPorts").finish_non_exhaustive()
    }
}

/// Makes administrators outside the API: the admin role is `admin` when it grants `*`, else
/// the first role (by name) that does (`Admin` in a CheckInn deployment).
#[derive(Debug, Clone)]
pub struct FirstAdmin {
    ports: FirstAdminPorts,
    roles: Arc<RoleCatalog>,
    password_policy: PasswordPolicy,
    access_ttl: Duration,
}

impl FirstAdmin {
    #[must_use]
    pub fn new(
        ports: FirstAdminPorts,
        roles: Arc<RoleCatalog>,
        password_policy: PasswordPolicy,
        access_ttl: Duration,
    ) -> Self {
        Self {
            ports,
            roles,
            password_policy,
            access_ttl,
        }
    }

    /// `authd admin create`: an active, verified account with the admin role. Idempotent:
    /// `AlreadyAdmin` when the email already belongs to an admin.
    ///
    /// # Errors
    /// `Validation` (email, username, password by the password policy for privileged
    /// accounts); `NotAnAdmin`; `UsernameTaken`; `NoAdminRole`; `Infra`.
    pub async fn create(&self, input: NewAdmin) -> Result<AdminCreated, FirstAdminError> {
        let _ = input;
        todo!("issue 15")
    }

    /// `BOOTSTRAP_ADMIN_*` at start-up: `None` when an admin exists already; otherwise the
    /// account is created, or a verified account with that email is promoted.
    ///
    /// # Errors
    /// As [`Self::create`], plus `Unverified`.
    pub async fn ensure(&self, input: NewAdmin) -> Result<Option<AdminCreated>, FirstAdminError> {
        let _ = input;
        todo!("issue 15")
    }

    /// `authd admin grant --email E ROLE`: adds `role` to the account's roles and cuts off its
    /// earlier access tokens.
    ///
    /// # Errors
    /// `NoSuchAccount`; `UnknownRole`; `Inactive` for a deleted account; `Infra`.
    pub async fn grant(&self, email: &str, role: &str) -> Result<AdminCreated, FirstAdminError> {
        let _ = (email, role);
        todo!("issue 15")
    }
}
