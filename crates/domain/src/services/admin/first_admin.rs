//! The first admin: `authd admin create`, `authd admin grant` and `BOOTSTRAP_ADMIN_*`.

use super::roles_text;
use crate::audit::{AuditEvent, AuditKind};
use crate::authorization::{Permissions, RoleCatalog, RoleName};
use crate::directory::AccountChange;
use crate::error::{InfraError, ValidationErrors};
use crate::ids::UserId;
use crate::policy::lockout::LockoutState;
use crate::policy::password::PasswordPolicy;
use crate::ports::{
    AccountChangeError, AuditLog, Clock, InsertAccountError, PasswordHasher, TokenDenylist,
    UserDirectory, UserRepository,
};
use crate::services::registration::parse_first_password;
use crate::services::shared::{
    audit, denial_until, deny_everything_before, hash_failure, next_whole_second,
};
use crate::session::ClientInfo;
use crate::user::{AccountStatus, Profile, User};
use crate::values::{Email, NewPassword, Username};
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
        let admin_role = self.admin_role()?;
        let valid = self.validate(input)?;
        match self.find(&valid.email).await? {
            Some(existing) => {
                refuse_inactive(&existing)?;
                if existing.roles.contains(&admin_role) {
                    Ok(AdminCreated::AlreadyAdmin(existing.id))
                } else {
                    Err(FirstAdminError::NotAnAdmin)
                }
            }
            None => self.insert(valid, admin_role).await,
        }
    }

    /// `BOOTSTRAP_ADMIN_*` at start-up: `None` when an admin exists already; otherwise the
    /// account is created, or a verified account with that email is promoted.
    ///
    /// # Errors
    /// As [`Self::create`], plus `Unverified`.
    pub async fn ensure(&self, input: NewAdmin) -> Result<Option<AdminCreated>, FirstAdminError> {
        let admin_role = self.admin_role()?;
        let guard = super::full_admins(&self.roles);
        if self
            .ports
            .directory
            .any_admin(&guard)
            .await
            .map_err(InfraError::from)?
        {
            return Ok(None);
        }
        let email = Email::parse(&input.email, "email")
            .map_err(|e| FirstAdminError::Validation(ValidationErrors(vec![e])))?;
        let Some(existing) = self.find(&email).await? else {
            let valid = self.validate(input)?;
            return self.insert(valid, admin_role).await.map(Some);
        };
        refuse_inactive(&existing)?;
        // Whoever registered an address they never verified may not own it: making that
        // account the admin could hand the service to a stranger.
        if existing.status == AccountStatus::Pending || !existing.email_verified {
            return Err(FirstAdminError::Unverified);
        }
        if existing.roles.contains(&admin_role) {
            return Ok(Some(AdminCreated::AlreadyAdmin(existing.id)));
        }
        self.add_role(&existing, admin_role).await?;
        Ok(Some(AdminCreated::Promoted(existing.id)))
    }

    /// `authd admin grant --email E ROLE`: adds `role` to the account's roles and cuts off its
    /// earlier access tokens.
    ///
    /// # Errors
    /// `NoSuchAccount`; `UnknownRole`; `Inactive` for a deleted account; `Infra`.
    pub async fn grant(&self, email: &str, role: &str) -> Result<AdminCreated, FirstAdminError> {
        let email = Email::parse(email, "email")
            .map_err(|e| FirstAdminError::Validation(ValidationErrors(vec![e])))?;
        let role = RoleName::parse(role)
            .ok()
            .filter(|r| self.roles.is_defined(r))
            .ok_or_else(|| {
                FirstAdminError::UnknownRole(role.chars().take(RoleName::MAX_LEN).collect())
            })?;
        let user = self
            .find(&email)
            .await?
            .ok_or(FirstAdminError::NoSuchAccount)?;
        if user.status == AccountStatus::Deleted {
            return Err(FirstAdminError::Inactive("deleted"));
        }
        if user.roles.contains(&role) {
            return Ok(AdminCreated::AlreadyHeld(user.id));
        }
        self.add_role(&user, role).await?;
        Ok(AdminCreated::Granted(user.id))
    }

    /// `admin` when it grants `*`, else the first role by name that does.
    fn admin_role(&self) -> Result<RoleName, FirstAdminError> {
        let granting_all: Vec<&RoleName> = self
            .roles
            .iter()
            .filter(|(_, granted)| *granted == Permissions::all())
            .map(|(role, _)| role)
            .collect();
        granting_all
            .iter()
            .find(|role| role.as_str() == "admin")
            .or(granting_all.first())
            .map(|role| (*role).clone())
            .ok_or(FirstAdminError::NoAdminRole)
    }

    /// The email, username and password as a registration checks them, the address's domain
    /// aside: the operator chooses it.
    fn validate(&self, input: NewAdmin) -> Result<ValidAdmin, FirstAdminError> {
        let mut errors = ValidationErrors::default();
        let email = Email::parse(&input.email, "email")
            .map_err(|e| errors.push(e))
            .ok();
        let username = Username::parse(&input.username, "username")
            .map_err(|e| errors.push(e))
            .ok();
        let password = parse_first_password(
            input.password,
            &self.password_policy,
            email.as_ref(),
            username.as_ref(),
        )
        .map_err(|problems| errors.0.extend(problems))
        .ok();
        match (email, username, password) {
            (Some(email), Some(username), Some(password)) if errors.is_empty() => Ok(ValidAdmin {
                email,
                username,
                password,
            }),
            _ => Err(FirstAdminError::Validation(errors)),
        }
    }

    async fn find(&self, email: &Email) -> Result<Option<User>, FirstAdminError> {
        Ok(self
            .ports
            .users
            .find_by_email(email)
            .await
            .map_err(InfraError::from)?)
    }

    /// Stores the new admin: active, verified, holding `role` alone. When the email was taken
    /// since it was looked up (another replica bootstrapping at the same moment, or a second
    /// `authd admin create`), the account that took it decides: `AlreadyAdmin` if it holds the
    /// role, else `NotAnAdmin`.
    async fn insert(
        &self,
        valid: ValidAdmin,
        role: RoleName,
    ) -> Result<AdminCreated, FirstAdminError> {
        let password_hash = self
            .ports
            .hasher
            .hash(valid.password.as_password())
            .await
            .map_err(hash_failure)?;
        let now = self.ports.clock.now();
        let user = User {
            id: UserId::new(),
            email: valid.email,
            username: valid.username,
            password_hash,
            profile: Profile::default(),
            status: AccountStatus::Active,
            email_verified: true,
            phone_verified: false,
            roles: vec![role.clone()],
            lockout: LockoutState::default(),
            mfa_enabled: false,
            last_login: None,
            created_at: now,
            updated_at: now,
        };
        match self.ports.directory.insert(&user).await {
            Ok(()) => {}
            Err(InsertAccountError::EmailTaken) => {
                return match self.find(&user.email).await? {
                    Some(taken) if taken.roles.contains(&role) => {
                        Ok(AdminCreated::AlreadyAdmin(taken.id))
                    }
                    _ => Err(FirstAdminError::NotAnAdmin),
                };
            }
            Err(InsertAccountError::UsernameTaken) => return Err(FirstAdminError::UsernameTaken),
            Err(InsertAccountError::Port(e)) => return Err(InfraError::from(e).into()),
        }
        let client = ClientInfo::default();
        audit(
            &*self.ports.audit,
            AuditEvent::new(AuditKind::UserRegistered, now, Some(user.id), &client)
                .with_detail("first admin"),
        )
        .await;
        audit(
            &*self.ports.audit,
            AuditEvent::new(AuditKind::RolesChanged, now, Some(user.id), &client)
                .with_detail(format!("none -> {}", roles_text(&user.roles))),
        )
        .await;
        Ok(AdminCreated::Created(user.id))
    }

    /// Adds `role` to `user`'s roles and, as any role change, cuts off its earlier access
    /// tokens.
    async fn add_role(&self, user: &User, role: RoleName) -> Result<(), FirstAdminError> {
        let now = self.ports.clock.now();
        let mut roles = user.roles.clone();
        roles.push(role);
        let change = AccountChange {
            roles: Some(roles),
            ..AccountChange::default()
        };
        let applied = self
            .ports
            .directory
            .apply_change(user.id, &change, &super::full_admins(&self.roles), now)
            .await
            .map_err(|e| match e {
                AccountChangeError::NotFound => FirstAdminError::NoSuchAccount,
                AccountChangeError::Deleted => FirstAdminError::Inactive("deleted"),
                // Adding a role demotes nobody.
                AccountChangeError::LastAdmin => {
                    InfraError::internal("adding a role was refused as demoting the last admin")
                        .into()
                }
                AccountChangeError::Port(e) => InfraError::from(e).into(),
            })?;
        deny_everything_before(
            &*self.ports.denylist,
            user.id,
            &[],
            next_whole_second(now),
            denial_until(self.access_ttl, now),
        )
        .await;
        audit(
            &*self.ports.audit,
            AuditEvent::new(
                AuditKind::RolesChanged,
                now,
                Some(user.id),
                &ClientInfo::default(),
            )
            .with_detail(format!(
                "{} -> {}",
                roles_text(&applied.before.roles),
                roles_text(&applied.after.roles)
            )),
        )
        .await;
        Ok(())
    }
}

/// A suspended or deleted account is made nothing of.
fn refuse_inactive(user: &User) -> Result<(), FirstAdminError> {
    match user.status {
        AccountStatus::Deleted | AccountStatus::Suspended => {
            Err(FirstAdminError::Inactive(user.status.as_str()))
        }
        AccountStatus::Pending | AccountStatus::Active => Ok(()),
    }
}

/// The new admin once every field has passed.
struct ValidAdmin {
    email: Email,
    username: Username,
    password: NewPassword,
}

#[cfg(test)]
mod tests;
