//! Reading, changing and deactivating one's own account.

use super::password::{count_wrong_password, deny_everything_before, load_usable};
use super::service;
use super::tokens::{audit, hash_failure};
use crate::audit::{AuditEvent, AuditKind};
use crate::error::{FieldError, InfraError, ValidationErrors};
use crate::ports::PasswordCheck;
use crate::session::ClientInfo;
use crate::token::AccessClaims;
use crate::user::{AccountStatus, ProfileChanges, User};
use crate::values::{Password, PersonName, Phone, Preferences};
use secrecy::SecretString;
use thiserror::Error;

/// An account with the permissions its roles grant.
#[derive(Debug, Clone)]
pub struct UserView {
    pub user: User,
    pub permissions: Vec<String>,
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
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("account no longer usable")]
    AccountGone,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

service!(
    /// `GET`, `PUT` and `DELETE /v1/users/me`.
    Profiles
);

impl Profiles {
    /// # Errors
    /// `AccountGone` when the account vanished or was deactivated; `Infra`.
    #[tracing::instrument(skip_all, fields(user_id = %principal.user_id))]
    pub async fn get(&self, principal: &AccessClaims) -> Result<UserView, ProfileError> {
        let user = load_usable(&self.ports, principal.user_id)
            .await?
            .ok_or(ProfileError::AccountGone)?;
        Ok(self.view(user))
    }

    /// # Errors
    /// `Validation` with every invalid field at once; `AccountGone`; `Infra`.
    #[tracing::instrument(skip_all, fields(user_id = %principal.user_id))]
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
            &self.ports,
            AuditEvent::new(AuditKind::ProfileUpdated, now, Some(user.id), client)
                .with_session(principal.session_id)
                .with_detail(changed_fields(&changes)),
        )
        .await;
        Ok(self.view(user))
    }

    /// Status `deleted`, every session revoked, every access token denied. Needs the password.
    ///
    /// # Errors
    /// `Validation` on `password` when it is empty; `InvalidCredentials` for a wrong password
    /// (counted towards the lockout) and while the account is locked; `AccountGone`; `Infra`.
    #[tracing::instrument(skip_all, fields(user_id = %principal.user_id))]
    pub async fn deactivate(
        &self,
        principal: &AccessClaims,
        password: SecretString,
        client: &ClientInfo,
    ) -> Result<(), DeactivateError> {
        let password = Password::parse(password, "password")
            .map_err(|e| DeactivateError::Validation(ValidationErrors(vec![e])))?;
        let now = self.ports.clock.now();
        let user = load_usable(&self.ports, principal.user_id)
            .await?
            .ok_or(DeactivateError::AccountGone)?;
        // A locked account's password is not checked at all, or a stolen access token would let
        // its holder keep guessing past the lock. There is no "locked" answer here, so it is the
        // same answer as a wrong guess.
        if self
            .settings
            .lockout
            .locked_until(&user.lockout, now)
            .is_some()
        {
            return Err(DeactivateError::InvalidCredentials);
        }
        let check = self
            .ports
            .hasher
            .verify(&password, &user.password_hash)
            .await
            .map_err(hash_failure)?;
        if check == PasswordCheck::Mismatch {
            let outcome =
                count_wrong_password(&self.ports, &self.settings, &user, now, client).await?;
            return Err(match outcome {
                None => DeactivateError::AccountGone,
                Some(_) => DeactivateError::InvalidCredentials,
            });
        }
        let revoked = self
            .ports
            .users
            .deactivate(user.id, now)
            .await
            .map_err(InfraError::from)?;
        deny_everything_before(
            &self.ports,
            user.id,
            &revoked,
            now,
            self.settings.denial_until(now),
        )
        .await;
        audit(
            &self.ports,
            AuditEvent::new(AuditKind::AccountDeactivated, now, Some(user.id), client)
                .with_session(principal.session_id)
                .with_detail(format!("{} session(s) revoked", revoked.len())),
        )
        .await;
        Ok(())
    }

    fn view(&self, user: User) -> UserView {
        let permissions = self.settings.permissions.for_roles(&user.roles);
        UserView { user, permissions }
    }
}

/// Validates every field of the request, collecting every problem.
fn parse_changes(input: ProfileInput) -> Result<ProfileChanges, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let first_name = parse_field(input.first_name, &mut errors, |s| {
        PersonName::parse(s, "firstName")
    });
    let last_name = parse_field(input.last_name, &mut errors, |s| {
        PersonName::parse(s, "lastName")
    });
    let phone = parse_field(input.phone, &mut errors, |s| Phone::parse(s, "phone"));
    if let Some(Err(problems)) = input
        .preferences
        .as_ref()
        .map(|p| p.validate("preferences"))
    {
        errors.0.extend(problems);
    }
    errors.into_result()?;
    Ok(ProfileChanges {
        first_name,
        last_name,
        phone,
        preferences: input.preferences,
    })
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
