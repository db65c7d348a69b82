//! Logging in: find the account by email or username, refuse locked or unusable accounts, check
//! the password on the hashing pool, count failures, start a session under the session limit,
//! and issue the token pair. An identifier naming no account goes through the same steps (a
//! dummy check, its own failure count and lock), so that no answer tells who has an account.

use super::AuthSettings;
use super::MfaSettings;
use super::shared::{Checked, IssuedTokens, PasswordChecker, audit, hash_failure, retry_after};
use crate::Timestamp;
use crate::audit::{AuditEvent, AuditKind};
use crate::authorization::RoleCatalog;
use crate::error::InfraError;
use crate::ids::SessionId;
use crate::mfa::MfaMethod;
use crate::policy::lockout::{FailureOutcome, LockoutPolicy, LockoutState};
use crate::ports::{
    AccessTokenCodec, AuditLog, Clock, LoginAttempts, LoginTarget, MfaRepository, OneTimePasswords,
    Outbox, PasswordHasher, RateLimiter, Rehash, SecretSealer, SessionRepository, TokenDenylist,
    TokenGenerator, UserRepository,
};
use crate::session::ClientInfo;
use crate::telemetry::{LoginOutcome, Telemetry};
use crate::token::{RawToken, TokenHash};
use crate::user::{AccountStatus, User};
use crate::values::{Password, PasswordHash};
use chrono::Duration;
use complete::{Completion, Incomplete};
use identifier::Identifier;
use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use std::sync::Arc;
use thiserror::Error;

#[derive(Debug, Clone, Default)]
pub struct LoginInput {
    pub email: Option<String>,
    pub username: Option<String>,
    pub password: Option<SecretString>,
    /// Omitted means `false`.
    pub remember_me: Option<bool>,
    /// A remembered device's token (cookie `mfa_device` or body `deviceToken`): with it, an
    /// MFA account skips the second factor, and a locked one gets to the second factor.
    pub device_token: Option<SecretString>,
}

#[derive(Debug, Clone)]
pub struct LoginSuccess {
    pub tokens: IssuedTokens,
    pub session_id: SessionId,
    /// The account after the login (`last_login` is this login).
    pub user: User,
    pub permissions: crate::authorization::Permissions,
}

#[derive(Debug, Error)]
pub enum LoginError {
    /// No identifier or no password (400 MISSING_CREDENTIALS).
    #[error("missing credentials")]
    MissingCredentials,
    /// Unknown account or wrong password: the same answer, in the same time.
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("email not verified")]
    EmailNotVerified,
    /// 423 with `retryAfter` seconds.
    #[error("account locked")]
    AccountLocked { retry_after: i64 },
    #[error("account suspended")]
    AccountSuspended,
    #[error("account deleted")]
    AccountDeleted,
    /// The password was right; the second factor is next (401 `MFA_REQUIRED` with
    /// `data: {mfaToken, methods}`).
    #[error("MFA required")]
    MfaRequired {
        mfa_token: RawToken,
        methods: Vec<MfaMethod>,
    },
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// The ports [`Login`] calls.
#[derive(Clone)]
pub struct LoginPorts {
    pub attempts: Arc<dyn LoginAttempts>,
    pub users: Arc<dyn UserRepository>,
    pub sessions: Arc<dyn SessionRepository>,
    pub hasher: Arc<dyn PasswordHasher>,
    pub tokens: Arc<dyn TokenGenerator>,
    pub access_tokens: Arc<dyn AccessTokenCodec>,
    pub denylist: Arc<dyn TokenDenylist>,
    pub audit: Arc<dyn AuditLog>,
    pub clock: Arc<dyn Clock>,
    pub telemetry: Arc<dyn Telemetry>,
    pub mfa: Arc<dyn MfaRepository>,
    pub otp: Arc<dyn OneTimePasswords>,
    pub sealer: Arc<dyn SecretSealer>,
    /// The per-user limit on second-factor codes.
    pub rate_limiter: Arc<dyn RateLimiter>,
    /// The "backup code used" and "new sign-in" notices.
    pub outbox: Arc<dyn Outbox>,
    /// Which devices each account logged in from (`NEW_DEVICE_ALERTS`).
    pub known_devices: Arc<dyn crate::ports::KnownDevices>,
    /// Failed logins per address over distinct accounts (credential stuffing).
    pub failure_spread: Arc<dyn crate::ports::FailureSpread>,
    /// Browser and OS of a User-Agent, for the device fingerprint and the alert.
    pub device_names: Arc<dyn crate::ports::DeviceNames>,
    /// The place of the address in the alert, when a GeoIP database is configured.
    pub geolocator: Arc<dyn crate::ports::Geolocator>,
}

impl fmt::Debug for LoginPorts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginPorts").finish_non_exhaustive()
    }
}

/// What shapes a login: who may log in, how many sessions they keep, and what it issues.
#[derive(Debug, Clone)]
pub struct LoginSettings {
    pub lockout: LockoutPolicy,
    pub require_email_verification: bool,
    /// 0 = unlimited.
    pub max_sessions: usize,
    pub access_ttl: Duration,
    /// The refresh-token lifetime for `rememberMe: true`.
    pub refresh_ttl: Duration,
    /// The refresh-token lifetime for `rememberMe: false`.
    pub refresh_ttl_short: Duration,
    pub roles: std::sync::Arc<RoleCatalog>,
    /// Its `lockout` is this login's: wrong codes and wrong passwords count alike.
    pub mfa: MfaSettings,
    /// `NEW_DEVICE_ALERTS` (on): mail the holder when a login comes from a new device.
    pub new_device_alerts: bool,
    /// `STUFFING_THRESHOLD` / `STUFFING_WINDOW`.
    pub stuffing: crate::ports::SpreadLimit,
}

impl From<&AuthSettings> for LoginSettings {
    fn from(auth: &AuthSettings) -> Self {
        Self {
            lockout: auth.lockout,
            require_email_verification: auth.require_email_verification,
            max_sessions: auth.max_sessions,
            access_ttl: auth.access_ttl,
            refresh_ttl: auth.refresh_ttl,
            refresh_ttl_short: auth.refresh_ttl_short,
            roles: auth.roles.clone(),
            mfa: MfaSettings {
                lockout: auth.lockout,
                ..auth.mfa.clone()
            },
            new_device_alerts: auth.new_device_alerts,
            stuffing: auth.stuffing,
        }
    }
}

/// `POST /v1/auth/login`.
#[derive(Debug, Clone)]
pub struct Login {
    ports: LoginPorts,
    settings: LoginSettings,
}

impl Login {
    /// A login checks, counts and issues by `settings`; see [`LoginPorts`] for what it calls.
    #[must_use]
    pub fn new(ports: LoginPorts, settings: LoginSettings) -> Self {
        Self { ports, settings }
    }

    /// # Errors
    /// See [`LoginError`]; the password is checked before any status is revealed.
    #[tracing::instrument(skip_all, fields(user_id = tracing::field::Empty))]
    pub async fn login(
        &self,
        input: LoginInput,
        client: &ClientInfo,
    ) -> Result<LoginSuccess, LoginError> {
        let result = self.attempt(input, client).await;
        self.ports.telemetry.login(outcome_of(&result));
        result
    }

    /// Whether this login admits only accounts whose email is verified: a registration signing
    /// in through it must not hand a new (unverified) account the session the login would refuse.
    #[must_use]
    pub(crate) fn requires_verification(&self) -> bool {
        self.settings.require_email_verification
    }

    async fn attempt(
        &self,
        input: LoginInput,
        client: &ClientInfo,
    ) -> Result<LoginSuccess, LoginError> {
        let present = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
        let raw_password = input
            .password
            .filter(|p| !p.expose_secret().is_empty())
            .ok_or(LoginError::MissingCredentials)?;
        let identifier = match (present(input.email), present(input.username)) {
            (Some(email), _) => Identifier::email(&email),
            (None, Some(username)) => Identifier::username(&username),
            (None, None) => return Err(LoginError::MissingCredentials),
        };
        // Only absurdly long input fails here; no account can have such a password, and
        // answering before any lookup reveals nothing about which accounts exist.
        let password = Password::parse(raw_password, "password")
            .map_err(|_| LoginError::InvalidCredentials)?;
        let now = self.ports.clock.now();

        // One lookup finds the account or, failing that, the identifier's own lockout, so both
        // paths reach their first answer after the same single round trip.
        let key = identifier.key(&*self.ports.tokens);
        let user = match self
            .ports
            .attempts
            .find_for_login(&identifier.name, &key)
            .await
            .map_err(InfraError::from)?
        {
            LoginTarget::Account(user) => *user,
            LoginTarget::Unknown(lockout) => {
                return Err(self.unknown(&key, &lockout, &password, now, client).await);
            }
        };
        tracing::Span::current().record("user_id", tracing::field::display(user.id));

        // A locked account is refused before its password is checked: otherwise the lock would
        // still let an attacker learn whether a guess is right. See `refuse_if_locked` for the
        // one way past it.
        let bypassing = self
            .refuse_if_locked(&user, input.device_token.as_ref(), now, client)
            .await?;
        let lock_bypass = bypassing.is_some();

        let checked = PasswordChecker::new(
            &self.ports.users,
            &self.ports.hasher,
            &self.ports.audit,
            self.settings.lockout,
        )
        .check(&user, &password, now, client, "wrong password")
        .await?;
        let needs_rehash = match checked {
            Checked::Wrong(outcome) => {
                self.count_failure_spread(&key, now, client).await;
                if let Some(device) = bypassing {
                    self.forget_bypassing_device(&user, device, now, client)
                        .await;
                }
                return Err(self.wrong_password(outcome, now));
            }
            Checked::Right { needs_rehash } => needs_rehash,
        };

        // Statuses are revealed only to someone who knows the password.
        if let Err((e, detail)) = self.check_status(&user) {
            self.audit_failure(Some(&user), now, client, detail).await;
            return Err(e);
        }

        let remember_me = input.remember_me.unwrap_or(false);
        let mut detail = None;
        if self.settings.mfa.enabled && user.mfa_enabled {
            // A locked account never skips the second factor, even from a remembered device
            // (whose use `passes_lock` has already recorded).
            if lock_bypass
                || self
                    .remembered(&user, input.device_token.as_ref(), now)
                    .await?
                    .is_none()
            {
                // The failure count is not cleared: only the second step completes the login, or
                // the password alone would buy endless code guesses. Nor is a weak hash upgraded
                // (the second step has no password to hash); an MFA account's hash is upgraded
                // at a login from a remembered device, which takes the path below, or when the
                // password changes.
                let challenge = self.challenge(&user, remember_me, lock_bypass, now, client);
                return Err(challenge.await?);
            }
            detail = Some("remembered device");
        }

        let rehash = if needs_rehash {
            self.rehash(&password).await.map(|replacement| Rehash {
                verified: user.password_hash.clone(),
                replacement,
            })
        } else {
            None
        };
        let completion = Completion {
            rehash,
            remember_me,
            detail,
        };
        let verified = user.password_hash.clone();
        match self
            .complete(user, &verified, completion, now, client)
            .await
        {
            Ok(success) => Ok(success),
            Err(Incomplete::CredentialsChanged) => Err(LoginError::InvalidCredentials),
            Err(Incomplete::Infra(e)) => Err(e.into()),
        }
    }

    /// A login naming no account, answered step by step as a wrong password on an account: a
    /// lock refuses it before any check, otherwise the (dummy) check runs and the failure is
    /// counted under the identifier's key, and the failure that reaches the limit locks it. No
    /// account is created and no mail is sent; the audit trail names no address.
    async fn unknown(
        &self,
        key: &TokenHash,
        lockout: &LockoutState,
        password: &Password,
        now: Timestamp,
        client: &ClientInfo,
    ) -> LoginError {
        if let Some(until) = self.settings.lockout.locked_until(lockout, now) {
            self.audit_failure(None, now, client, "unknown user").await;
            return LoginError::AccountLocked {
                retry_after: retry_after(until, now),
            };
        }
        if let Err(e) = self.ports.hasher.verify_dummy(password).await {
            return hash_failure(e).into();
        }
        let outcome = match self
            .ports
            .attempts
            .record_unknown_failure(key, now, &self.settings.lockout)
            .await
        {
            Ok(outcome) => outcome,
            Err(e) => return InfraError::from(e).into(),
        };
        self.audit_failure(None, now, client, "unknown user").await;
        self.count_failure_spread(key, now, client).await;
        if let FailureOutcome::NewlyLocked { .. } = outcome {
            // As an account's lock is audited, so that both paths write the same events.
            audit(
                &*self.ports.audit,
                AuditEvent::new(AuditKind::AccountLocked, now, None, client)
                    .with_detail("unknown user"),
            )
            .await;
        }
        self.wrong_password(Some(outcome), now)
    }

    /// Whether the account may log in; the error comes with its audit detail.
    fn check_status(&self, user: &User) -> Result<(), (LoginError, &'static str)> {
        match user.status {
            AccountStatus::Deleted => Err((LoginError::AccountDeleted, "account deleted")),
            AccountStatus::Suspended => Err((LoginError::AccountSuspended, "account suspended")),
            AccountStatus::Pending | AccountStatus::Active
                if self.settings.require_email_verification
                    && (user.status == AccountStatus::Pending || !user.email_verified) =>
            {
                Err((LoginError::EmailNotVerified, "email not verified"))
            }
            AccountStatus::Pending | AccountStatus::Active => Ok(()),
        }
    }

    /// A stronger hash is an improvement, not a condition of logging in: on failure the old hash
    /// stays and the next login tries again.
    async fn rehash(&self, password: &Password) -> Option<PasswordHash> {
        match self.ports.hasher.hash(password).await {
            Ok(hash) => Some(hash),
            Err(e) => {
                tracing::warn!(error = %e, "password re-hash failed; keeping the old hash");
                None
            }
        }
    }

    async fn audit_failure(
        &self,
        user: Option<&User>,
        now: Timestamp,
        client: &ClientInfo,
        detail: &'static str,
    ) {
        audit(
            &*self.ports.audit,
            AuditEvent::new(AuditKind::LoginFailed, now, user.map(|u| u.id), client)
                .with_detail(detail),
        )
        .await;
    }
}

impl Login {
    /// The answer to a wrong password once it is counted: a lock only when there is one.
    fn wrong_password(&self, outcome: Option<FailureOutcome>, now: Timestamp) -> LoginError {
        if let Some(FailureOutcome::NewlyLocked { .. }) = outcome {
            self.ports.telemetry.locked_out();
        }
        wrong_password(outcome, now)
    }
}

/// How operators count a login's answer.
fn outcome_of(result: &Result<LoginSuccess, LoginError>) -> LoginOutcome {
    match result {
        Ok(_) => LoginOutcome::Success,
        Err(LoginError::MissingCredentials) => LoginOutcome::MissingCredentials,
        Err(LoginError::InvalidCredentials) => LoginOutcome::InvalidCredentials,
        Err(LoginError::EmailNotVerified) => LoginOutcome::EmailNotVerified,
        Err(LoginError::AccountLocked { .. }) => LoginOutcome::Locked,
        Err(LoginError::AccountSuspended | LoginError::AccountDeleted) => {
            LoginOutcome::AccountDisabled
        }
        Err(LoginError::MfaRequired { .. }) => LoginOutcome::MfaRequired,
        Err(LoginError::Infra(InfraError::Busy)) => LoginOutcome::Busy,
        Err(LoginError::Infra(_)) => LoginOutcome::Error,
    }
}

fn wrong_password(outcome: Option<FailureOutcome>, now: Timestamp) -> LoginError {
    match outcome {
        // The account vanished between lookup and count: it is unknown now.
        None | Some(FailureOutcome::Counted { .. }) => LoginError::InvalidCredentials,
        Some(FailureOutcome::NewlyLocked { until } | FailureOutcome::AlreadyLocked { until }) => {
            LoginError::AccountLocked {
                retry_after: retry_after(until, now),
            }
        }
    }
}

mod alerts;
mod challenge;
mod complete;
mod identifier;
mod mfa;
mod open_session;
mod send_code;
pub use mfa::{DeviceToken, MfaLoginError, MfaLoginInput, MfaLoginSuccess};
pub(crate) use open_session::OpenSessionError;
pub(super) use send_code::parse_method;
pub use send_code::{MfaCodeRequest, SendCodeError};
#[cfg(test)]
mod tests;
