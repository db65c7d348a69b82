//! Reading, changing and deactivating one's own account.

use super::shared::{
    PasswordChecker, Refusal, audit, denial_until, deny_everything_before, load_usable,
    refuse_if_locked,
};
use crate::audit::{AuditEvent, AuditKind};
use crate::authorization::RoleCatalog;
use crate::error::{FieldError, InfraError, ValidationErrors};
use crate::policy::lockout::LockoutPolicy;
use crate::ports::{AuditLog, Clock, PasswordHasher, TokenDenylist, UserRepository};
use crate::session::ClientInfo;
use crate::token::AccessClaims;
use crate::user::{AccountStatus, ProfileChanges, User};
use crate::values::{Password, PersonName, Phone, Preferences};
use chrono::Duration;
use secrecy::SecretString;
use std::fmt;
use std::sync::Arc;
use thiserror::Error;

/// An account with the permissions its roles grant.
#[derive(Debug, Clone)]
pub struct UserView {
    pub user: User,
    pub permissions: crate::authorization::Permissions,
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
    /// Wrong password (counts towards the lockout).
    #[error("invalid credentials")]
    InvalidCredentials,
    /// Locked, or locked by this wrong attempt: the same answer as a password change.
    #[error("account locked")]
    AccountLocked { retry_after: i64 },
    #[error("account no longer usable")]
    AccountGone,
    /// 409 LAST_ADMIN: the last active administrator cannot delete their own account either.
    #[error("the last active administrator")]
    LastAdmin,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

impl From<Refusal> for DeactivateError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Locked { retry_after } => Self::AccountLocked { retry_after },
            Refusal::WrongPassword => Self::InvalidCredentials,
            Refusal::AccountGone => Self::AccountGone,
            Refusal::Infra(e) => Self::Infra(e),
        }
    }
}

/// The ports [`Profiles`] calls.
#[derive(Clone)]
pub struct ProfilesPorts {
    pub users: Arc<dyn UserRepository>,
    /// Deactivation is a change to `deleted` under the last-admin guard.
    pub directory: Arc<dyn crate::ports::UserDirectory>,
    /// To check the password that confirms a deactivation.
    pub hasher: Arc<dyn PasswordHasher>,
    pub denylist: Arc<dyn TokenDenylist>,
    pub audit: Arc<dyn AuditLog>,
    pub clock: Arc<dyn Clock>,
}

impl fmt::Debug for ProfilesPorts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProfilesPorts").finish_non_exhaustive()
    }
}

/// `GET`, `PUT` and `DELETE /v1/users/me`.
#[derive(Debug, Clone)]
pub struct Profiles {
    ports: ProfilesPorts,
    roles: std::sync::Arc<RoleCatalog>,
    lockout: LockoutPolicy,
    access_ttl: Duration,
}

impl Profiles {
    /// Views carry the `permissions` of the account's roles; a wrong password confirming a
    /// deactivation counts towards `lockout`; denials hold for `access_ttl` (the access-token
    /// lifetime) plus the verification leeway.
    #[must_use]
    pub fn new(
        ports: ProfilesPorts,
        roles: std::sync::Arc<RoleCatalog>,
        lockout: LockoutPolicy,
        access_ttl: Duration,
    ) -> Self {
        Self {
            ports,
            roles,
            lockout,
            access_ttl,
        }
    }

    /// # Errors
    /// `AccountGone` when the account vanished or was deactivated; `Infra`.
    #[tracing::instrument(skip_all)]
    pub async fn get(&self, principal: &AccessClaims) -> Result<UserView, ProfileError> {
        let user = load_usable(&*self.ports.users, principal.user_id)
            .await?
            .ok_or(ProfileError::AccountGone)?;
        Ok(self.view(user))
    }

    /// # Errors
    /// `Validation` with every invalid field at once; `AccountGone`; `Infra`.
    #[tracing::instrument(skip_all)]
    pub async fn update(
        &self,
        principal: &AccessClaims,
        input: ProfileInput,
        client: &ClientInfo,
    ) -> Result<UserView, UpdateProfileError> {
        let changes = parse_changes(input).map_err(UpdateProfileError::Validation)?;
        let now = self.ports.clock.now();
        let user = self
            .ports
            .users
            .update_profile(principal.user_id, &changes, now)
            .await
            .map_err(InfraError::from)?
            .filter(|u| u.status != AccountStatus::Deleted)
            .ok_or(UpdateProfileError::AccountGone)?;
        audit(
            &*self.ports.audit,
            AuditEvent::new(AuditKind::ProfileUpdated, now, Some(user.id), client)
                .with_session(principal.session_id)
                .with_detail(changed_fields(&changes)),
        )
        .await;
        Ok(self.view(user))
    }

    /// Status `deleted`, every session revoked, every access token denied. With `password`
    /// (`/v1`), only if it is right; without (the CheckInn delete-me), the access token alone
    /// suffices, and a lock, which only stops password guesses, does not stand in the way.
    ///
    /// # Errors
    /// `Validation` on `password` when it is empty; `InvalidCredentials` for a wrong password
    /// (counted towards the lockout); `AccountLocked` while locked or when this wrong attempt
    /// locked the account (both only with a password); `LastAdmin`; `AccountGone`; `Infra`.
    #[tracing::instrument(skip_all)]
    pub async fn deactivate(
        &self,
        principal: &AccessClaims,
        password: Option<SecretString>,
        client: &ClientInfo,
    ) -> Result<(), DeactivateError> {
        let password = password
            .map(|p| Password::parse(p, "password"))
            .transpose()
            .map_err(|e| DeactivateError::Validation(ValidationErrors(vec![e])))?;
        let now = self.ports.clock.now();
        let user = load_usable(&*self.ports.users, principal.user_id)
            .await?
            .ok_or(DeactivateError::AccountGone)?;
        if let Some(password) = password {
            refuse_if_locked(&self.lockout, &user, now)?;
            PasswordChecker::new(
                &self.ports.users,
                &self.ports.hasher,
                &self.ports.audit,
                self.lockout,
            )
            .confirm(&user, &password, now, client)
            .await?;
        }
        // The admin API's change to `deleted`, so that the last administrator cannot leave the
        // service without one by deleting themselves, settled in the same unit of work.
        let change = crate::directory::AccountChange {
            status: Some(crate::user::AccountStatus::Deleted),
            ..Default::default()
        };
        let guard = crate::directory::LastAdminGuard {
            roles: self
                .roles
                .roles_granting(crate::authorization::Permission::AdminRolesWrite),
        };
        let revoked = match self
            .ports
            .directory
            .apply_change(user.id, &change, &guard, now)
            .await
        {
            Ok(applied) => applied.revoked_sessions,
            Err(crate::ports::AccountChangeError::LastAdmin) => {
                return Err(DeactivateError::LastAdmin);
            }
            Err(
                crate::ports::AccountChangeError::NotFound
                | crate::ports::AccountChangeError::Deleted,
            ) => return Err(DeactivateError::AccountGone),
            Err(crate::ports::AccountChangeError::Port(e)) => {
                return Err(InfraError::from(e).into());
            }
        };
        deny_everything_before(
            &*self.ports.denylist,
            user.id,
            &revoked,
            now,
            denial_until(self.access_ttl, now),
        )
        .await;
        audit(
            &*self.ports.audit,
            AuditEvent::new(AuditKind::AccountDeactivated, now, Some(user.id), client)
                .with_session(principal.session_id)
                .with_detail(format!("{} session(s) revoked", revoked.len())),
        )
        .await;
        Ok(())
    }

    fn view(&self, user: User) -> UserView {
        let permissions = self.roles.permissions_of(&user.roles);
        UserView { user, permissions }
    }
}

/// Validates every field of the request, collecting every problem.
fn parse_changes(input: ProfileInput) -> Result<ProfileChanges, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let names_and_phone =
        parse_names_and_phone(input.first_name, input.last_name, input.phone, &mut errors);
    if let Some(Err(problems)) = input
        .preferences
        .as_ref()
        .map(|p| p.validate("preferences"))
    {
        errors.0.extend(problems);
    }
    errors.into_result()?;
    Ok(ProfileChanges {
        preferences: input.preferences,
        ..names_and_phone
    })
}

/// `firstName`, `lastName` and `phone` as a request sends them (absent, `null`, or a value),
/// each problem collected in `errors` on its request field name. The holder's own update and an
/// administrator's apply the same rules.
pub(super) fn parse_names_and_phone(
    first_name: Option<Option<String>>,
    last_name: Option<Option<String>>,
    phone: Option<Option<String>>,
    errors: &mut ValidationErrors,
) -> ProfileChanges {
    ProfileChanges {
        first_name: parse_field(first_name, errors, |s| PersonName::parse(s, "firstName")),
        last_name: parse_field(last_name, errors, |s| PersonName::parse(s, "lastName")),
        phone: parse_field(phone, errors, |s| Phone::parse(s, "phone")),
        preferences: None,
    }
}

/// Absent stays absent and `null` clears; a value must parse, else its error is collected.
fn parse_field<T>(
    value: Option<Option<String>>,
    errors: &mut ValidationErrors,
    parse: impl Fn(&str) -> Result<T, FieldError>,
) -> Option<Option<T>> {
    match value? {
        None => Some(None),
        Some(raw) => match parse(&raw) {
            Ok(parsed) => Some(Some(parsed)),
            Err(e) => {
                errors.push(e);
                None
            }
        },
    }
}

/// The names of the fields a request touches, for the audit trail (never their values).
fn changed_fields(changes: &ProfileChanges) -> String {
    let fields = [
        ("firstName", changes.first_name.is_some()),
        ("lastName", changes.last_name.is_some()),
        ("phone", changes.phone.is_some()),
        ("preferences", changes.preferences.is_some()),
    ];
    let named: Vec<&str> = fields
        .iter()
        .filter(|(_, changed)| *changed)
        .map(|(name, _)| *name)
        .collect();
    if named.is_empty() {
        "nothing".to_owned()
    } else {
        named.join(",")
    }
}

#[cfg(test)]
mod tests;
