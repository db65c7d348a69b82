//! Registering an account: validate everything, hash the password, store the account with its
//! verification token and queue the verification email in one unit of work.

use super::shared::{MailKind, audit, hash_failure, mail_cooldown_allows};
use crate::audit::{AuditEvent, AuditKind};
use crate::authorization::{RoleCatalog, RoleName};
use crate::error::{FieldError, InfraError, ValidationErrors};
use crate::ids::UserId;
use crate::notification::Notification;
use crate::policy::lockout::LockoutState;
use crate::policy::password::{PasswordContext, PasswordPolicy};
use crate::policy::username::derived_username;
use crate::ports::{
    AuditLog, Clock, CreateUserError, PasswordHasher, RateLimiter, TokenGenerator, UserRepository,
};
use crate::session::ClientInfo;
use crate::user::{AccountStatus, Profile, User};
use crate::values::{Email, EmailDomains, NewPassword, Password, PersonName, Phone, Username};
use chrono::Duration;
use secrecy::SecretString;
use std::fmt;
use std::sync::Arc;
use thiserror::Error;

/// The request as received; every field is validated by the service.
#[derive(Debug, Clone, Default)]
pub struct RegisterInput {
    pub email: String,
    /// `None`: the service chooses one (the CheckInn dialect registers without a username).
    pub username: Option<String>,
    pub password: SecretString,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    /// A role the registration asks for; must be in `SELF_ASSIGNABLE_ROLES` (400 on `role`
    /// otherwise, creating nothing). `None`: `DEFAULT_ROLE`.
    pub role: Option<String>,
}

#[derive(Debug, Error)]
pub enum RegisterError {
    #[error(transparent)]
    Validation(ValidationErrors),
    #[error("email already registered")]
    EmailTaken,
    #[error("username already taken")]
    UsernameTaken,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// The ports [`Registration`] calls.
#[derive(Clone)]
pub struct RegistrationPorts {
    pub users: Arc<dyn UserRepository>,
    pub hasher: Arc<dyn PasswordHasher>,
    /// Starts the verification mail's cooldown (the shared rate-limit store).
    pub rate_limiter: Arc<dyn RateLimiter>,
    /// Digests the address for the cooldown's key; the randomness of a derived username.
    pub tokens: Arc<dyn TokenGenerator>,
    pub audit: Arc<dyn AuditLog>,
    pub clock: Arc<dyn Clock>,
}

impl fmt::Debug for RegistrationPorts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegistrationPorts").finish_non_exhaustive()
    }
}

/// `POST /v1/auth/register`.
#[derive(Debug, Clone)]
pub struct Registration {
    ports: RegistrationPorts,
    roles: Arc<RoleCatalog>,
    password_policy: PasswordPolicy,
    email_domains: EmailDomains,
    mail_cooldown: Duration,
}

/// The input once every field has passed.
struct ValidRegistration {
    email: Email,
    /// `None`: derived from the address at creation ([`derived_username`]).
    username: Option<Username>,
    password: NewPassword,
    profile: Profile,
    role: RoleName,
}

/// The finer code of a role a registration may not ask for (`SELF_ASSIGNABLE_ROLES`).
pub(crate) const ROLE_NOT_ALLOWED: &str = "ROLE_NOT_ALLOWED";

/// How many times a derived username that turns out taken is replaced by another (a clash of
/// 30 random bits: a retry is all but certain to succeed).
const DERIVED_USERNAME_RETRIES: usize = 3;

impl Registration {
    /// New accounts get the role they ask for when `roles` lets registrations take it, else
    /// its default role; new passwords must satisfy `password_policy`; new addresses must have
    /// a domain `email_domains` allows. The first verification mail always goes, and starts the
    /// recipient's `mail_cooldown` (`MAIL_COOLDOWN`) so an immediate resend sends nothing.
    #[must_use]
    pub fn new(
        ports: RegistrationPorts,
        roles: Arc<RoleCatalog>,
        password_policy: PasswordPolicy,
        email_domains: EmailDomains,
        mail_cooldown: Duration,
    ) -> Self {
        Self {
            ports,
            roles,
            password_policy,
            email_domains,
            mail_cooldown,
        }
    }

    /// Creates a `pending` account and queues its verification email. Without a username, one
    /// is derived from the address, and replaced by another should it be taken.
    ///
    /// # Errors
    /// Every invalid field at once in `Validation`; `EmailTaken` / `UsernameTaken`.
    #[tracing::instrument(skip_all, fields(user_id = tracing::field::Empty))]
    pub async fn register(
        &self,
        input: RegisterInput,
        client: &ClientInfo,
    ) -> Result<User, RegisterError> {
        let valid = self.validate(input).map_err(RegisterError::Validation)?;
        let password_hash = self
            .ports
            .hasher
            .hash(valid.password.as_password())
            .await
            .map_err(hash_failure)?;

        let now = self.ports.clock.now();
        let mut user = User {
            id: UserId::new(),
            username: self.username_for(&valid),
            email: valid.email,
            password_hash,
            profile: valid.profile,
            status: AccountStatus::Pending,
            email_verified: false,
            phone_verified: false,
            roles: vec![valid.role],
            lockout: LockoutState::default(),
            mfa_enabled: false,
            last_login: None,
            created_at: now,
            updated_at: now,
        };
        tracing::Span::current().record("user_id", tracing::field::display(user.id));

        let mut retries = if valid.username.is_none() {
            DERIVED_USERNAME_RETRIES
        } else {
            0
        };
        loop {
            let mail = Notification::VerifyEmail {
                user_id: user.id,
                to: user.email.clone(),
                username: user.username.clone(),
            };
            match self.ports.users.create(&user, &mail).await {
                Ok(()) => break,
                Err(CreateUserError::UsernameTaken) if retries > 0 => {
                    retries -= 1;
                    user.username = derived_username(user.email.local_part(), &self.randomness());
                }
                Err(CreateUserError::EmailTaken) => return Err(RegisterError::EmailTaken),
                Err(CreateUserError::UsernameTaken) => return Err(RegisterError::UsernameTaken),
                Err(CreateUserError::Port(p)) => return Err(RegisterError::Infra(p.into())),
            }
        }
        // The mail is queued with the account whatever the store says; this only starts the
        // cooldown of a resend (its answer does not matter here).
        let _ = mail_cooldown_allows(
            &*self.ports.rate_limiter,
            &*self.ports.tokens,
            self.mail_cooldown,
            MailKind::VerifyEmail,
            &user.email,
        )
        .await;

        audit(
            &*self.ports.audit,
            AuditEvent::new(AuditKind::UserRegistered, now, Some(user.id), client),
        )
        .await;
        Ok(user)
    }

    /// Every problem [`Self::register`] would report of `input`'s fields, none if it has none;
    /// nothing is stored, hashed or sent. For a dialect whose own form checks found problems
    /// first, so that all of them come at once.
    #[must_use]
    pub fn problems(&self, input: &RegisterInput) -> Vec<FieldError> {
        self.validate(input.clone())
            .err()
            .map(|e| e.0)
            .unwrap_or_default()
    }

    /// Checks every field and reports every problem, so the form is fixed in one round trip.
    fn validate(&self, input: RegisterInput) -> Result<ValidRegistration, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let email = keep(
            &mut errors,
            Email::parse(&input.email, "email").and_then(|email| {
                email.check_domain(self.email_domains, "email")?;
                Ok(email)
            }),
        );
        let username = input
            .username
            .as_deref()
            .and_then(|raw| keep(&mut errors, Username::parse(raw, "username")));
        let first_name = optional(&mut errors, input.first_name.as_deref(), |s| {
            PersonName::parse(s, "firstName")
        });
        let last_name = optional(&mut errors, input.last_name.as_deref(), |s| {
            PersonName::parse(s, "lastName")
        });
        let phone = optional(&mut errors, input.phone.as_deref(), |s| {
            Phone::parse(s, "phone")
        });
        let password = parse_first_password(
            input.password,
            &self.password_policy,
            email.as_ref(),
            username.as_ref(),
        )
        .map_err(|problems| errors.0.extend(problems))
        .ok();
        let role = keep(&mut errors, self.asked_role(input.role.as_deref()));

        match (email, username, password, role) {
            // A username that failed is in `errors`; a missing one is derived.
            (Some(email), username, Some(password), Some(role)) if errors.is_empty() => {
                Ok(ValidRegistration {
                    email,
                    username,
                    password,
                    profile: Profile {
                        first_name,
                        last_name,
                        phone,
                        preferences: crate::values::Preferences::default(),
                    },
                    role,
                })
            }
            _ => Err(errors),
        }
    }
}

impl Registration {
    /// The username asked for, or one derived from the address.
    fn username_for(&self, valid: &ValidRegistration) -> Username {
        valid
            .username
            .clone()
            .unwrap_or_else(|| derived_username(valid.email.local_part(), &self.randomness()))
    }

    /// Fresh randomness for a derived username's suffix.
    fn randomness(&self) -> String {
        self.ports.tokens.generate().raw.expose().to_owned()
    }

    /// The role asked for, if `SELF_ASSIGNABLE_ROLES` lists it; none asked (or blank): the
    /// default role. An unknown name is refused the same way as a known one not offered, so
    /// the answer does not tell which roles exist.
    fn asked_role(&self, asked: Option<&str>) -> Result<RoleName, FieldError> {
        let Some(asked) = asked.filter(|s| !s.trim().is_empty()) else {
            return Ok(self.roles.default_role().clone());
        };
        RoleName::parse(asked)
            .ok()
            .filter(|role| self.roles.is_self_assignable(role))
            .ok_or_else(|| {
                FieldError::new(
                    "role",
                    ROLE_NOT_ALLOWED,
                    "This role cannot be chosen at registration",
                )
            })
    }
}

/// The first password of an account, checked against `policy` in the context of its address
/// and username (when they parsed); every problem on `password`. Registration and the first
/// admin apply the same rules.
pub(super) fn parse_first_password(
    raw: SecretString,
    policy: &PasswordPolicy,
    email: Option<&Email>,
    username: Option<&Username>,
) -> Result<NewPassword, Vec<FieldError>> {
    let raw = Password::parse(raw, "password").map_err(|e| vec![e])?;
    let context = PasswordContext {
        username: username.map(Username::as_str),
        email_local_part: email.map(Email::local_part),
        mfa_enabled: false,
    };
    NewPassword::parse(raw, policy, &context, "password")
}

fn keep<T>(errors: &mut ValidationErrors, parsed: Result<T, FieldError>) -> Option<T> {
    parsed.map_err(|e| errors.push(e)).ok()
}

/// An optional field left blank counts as absent: forms send `""` for fields nobody filled in.
fn optional<T>(
    errors: &mut ValidationErrors,
    raw: Option<&str>,
    parse: impl FnOnce(&str) -> Result<T, FieldError>,
) -> Option<T> {
    let raw = raw.filter(|s| !s.trim().is_empty())?;
    keep(errors, parse(raw))
}

#[cfg(test)]
mod tests;
