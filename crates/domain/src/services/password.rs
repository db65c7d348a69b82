//! Forgotten and changed passwords.
//!
//! Both end the same way: the new hash is stored together with the revocation of sessions and a
//! "password changed" email in one unit of work (the port's), then the access tokens that are
//! still in flight are denied. A wrong current password counts towards the lockout exactly like a
//! failed login, so the change form cannot be used to guess around the lock.

use super::service;
use super::tokens::{audit, hash_failure};
use crate::Timestamp;
use crate::audit::{AuditEvent, AuditKind};
use crate::error::{FieldError, InfraError, ValidationErrors};
use crate::ids::{SessionId, UserId};
use crate::notification::Notification;
use crate::policy::lockout::FailureOutcome;
use crate::policy::password::PasswordContext;
use crate::ports::{ConsumeError, PasswordCheck};
use crate::session::ClientInfo;
use crate::token::{AccessClaims, TokenPurpose};
use crate::user::{AccountStatus, User};
use crate::values::{Email, NewPassword, Password, PasswordHash, codes};
use secrecy::{ExposeSecret, SecretString};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ResetPasswordError {
    #[error(transparent)]
    Validation(ValidationErrors),
    /// Unknown or used (404 INVALID_TOKEN).
    #[error("invalid token")]
    InvalidToken,
    /// 410 TOKEN_EXPIRED.
    #[error("token expired")]
    TokenExpired,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

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
    /// The account vanished or was deactivated meanwhile (401 TOKEN_REVOKED).
    #[error("account no longer usable")]
    AccountGone,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

service!(
    /// `POST /v1/auth/forgot-password` and `POST /v1/auth/reset-password`.
    PasswordReset
);

impl PasswordReset {
    /// Queues a reset email when `email` belongs to a usable account; does nothing otherwise
    /// (no enumeration). `Validation` only for a malformed address.
    ///
    /// # Errors
    /// `Validation` on `email` for a malformed address; `Infra`.
    #[tracing::instrument(skip_all, fields(user_id = tracing::field::Empty))]
    pub async fn request(
        &self,
        email: &str,
        client: &ClientInfo,
    ) -> Result<(), super::email_verification::ResendError> {
        use super::email_verification::ResendError;
        let email = Email::parse(email, "email")
            .map_err(|e| ResendError::Validation(ValidationErrors(vec![e])))?;
        let user = self
            .ports
            .users
            .find_by_email(&email)
            .await
            .map_err(InfraError::from)?;
        // Unknown, deleted and suspended accounts all get the same silent success.
        let Some(user) =
            user.filter(|u| !matches!(u.status, AccountStatus::Deleted | AccountStatus::Suspended))
        else {
            return Ok(());
        };
        tracing::Span::current().record("user_id", tracing::field::display(user.id));
        let now = self.ports.clock.now();
        let mail = Notification::PasswordReset {
            user_id: user.id,
            to: user.email.clone(),
            username: user.username.clone(),
        };
        self.ports
            .outbox
            .enqueue(&mail, now)
            .await
            .map_err(InfraError::from)?;
        audit(
            &self.ports,
            AuditEvent::new(
                AuditKind::PasswordResetRequested,
                now,
                Some(user.id),
                client,
            ),
        )
        .await;
        Ok(())
    }

    /// Sets a new password with a reset token: revokes every session, clears the lockout and
    /// queues a notification. Errors name the field `newPassword`.
    ///
    /// # Errors
    /// `InvalidToken` for an empty, unknown or used token (or one whose account is gone);
    /// `TokenExpired`; `Validation` on `newPassword`; `Infra`.
    #[tracing::instrument(skip_all, fields(user_id = tracing::field::Empty))]
    pub async fn reset(
        &self,
        token: &SecretString,
        new_password: SecretString,
        client: &ClientInfo,
    ) -> Result<(), ResetPasswordError> {
        let token = token.expose_secret();
        if token.is_empty() {
            return Err(ResetPasswordError::InvalidToken);
        }
        let now = self.ports.clock.now();
        let hash = self.ports.tokens.digest(token);
        let record = self
            .ports
            .one_time_tokens
            .find(&hash, TokenPurpose::PasswordReset)
            .await
            .map_err(InfraError::from)?
            .ok_or(ResetPasswordError::InvalidToken)?;
        if record.expires_at <= now {
            return Err(ResetPasswordError::TokenExpired);
        }
        let user = self
            .ports
            .users
            .find_by_id(record.user_id)
            .await
            .map_err(InfraError::from)?
            .filter(|u| u.status != AccountStatus::Deleted)
            .ok_or(ResetPasswordError::InvalidToken)?;
        tracing::Span::current().record("user_id", tracing::field::display(user.id));

        let new_password = parse_new_password(&self.settings, &user, new_password, None)
            .map_err(ResetPasswordError::Validation)?;
        let new_hash = self.hash(&new_password).await?;
        let mail = password_changed_mail(&user, now);
        let (user_id, revoked) = self
            .ports
            .one_time_tokens
            .consume_reset(&hash, &new_hash, now, &mail)
            .await
            .map_err(|e| match e {
                ConsumeError::NotFound => ResetPasswordError::InvalidToken,
                ConsumeError::Expired => ResetPasswordError::TokenExpired,
                ConsumeError::Port(p) => ResetPasswordError::Infra(p.into()),
            })?;
        // Whoever reset the password may not be whoever holds the access tokens: all of them go.
        deny_everything_before(
            &self.ports,
            user_id,
            &revoked,
            now,
            self.settings.denial_until(now),
        )
        .await;
        audit(
            &self.ports,
            AuditEvent::new(AuditKind::PasswordReset, now, Some(user_id), client),
        )
        .await;
        Ok(())
    }

    async fn hash(&self, password: &NewPassword) -> Result<PasswordHash, InfraError> {
        self.ports
            .hasher
            .hash(password.as_password())
            .await
            .map_err(hash_failure)
    }
}

service!(
    /// `PUT /v1/auth/change-password`.
    PasswordChange
);

impl PasswordChange {
    /// Every other session is revoked; the caller's stays. Errors name `currentPassword` /
    /// `newPassword`.
    ///
    /// # Errors
    /// `Validation` (all problems of `currentPassword` and `newPassword` at once);
    /// `InvalidCredentials` for a wrong current password; `AccountLocked` while locked or when
    /// this wrong attempt locked the account; `AccountGone`; `Infra`.
    #[tracing::instrument(skip_all, fields(user_id = %principal.user_id, session_id = %principal.session_id))]
    pub async fn change(
        &self,
        principal: &AccessClaims,
        current_password: SecretString,
        new_password: SecretString,
        client: &ClientInfo,
    ) -> Result<(), ChangePasswordError> {
        let current = Password::parse(current_password, "currentPassword")
            .map_err(|e| ChangePasswordError::Validation(ValidationErrors(vec![e])))?;
        let now = self.ports.clock.now();
        let user = load_usable(&self.ports, principal.user_id)
            .await?
            .ok_or(ChangePasswordError::AccountGone)?;
        // As at login, a locked account is refused before its password is checked.
        if let Some(until) = self.settings.lockout.locked_until(&user.lockout, now) {
            return Err(ChangePasswordError::AccountLocked {
                retry_after: retry_after(until, now),
            });
        }
        let new_password = parse_new_password(&self.settings, &user, new_password, Some(&current))
            .map_err(ChangePasswordError::Validation)?;

        let check = self
            .ports
            .hasher
            .verify(&current, &user.password_hash)
            .await
            .map_err(hash_failure)?;
        if check == PasswordCheck::Mismatch {
            let outcome =
                count_wrong_password(&self.ports, &self.settings, &user, now, client).await?;
            return Err(match outcome {
                None => ChangePasswordError::AccountGone,
                Some(FailureOutcome::Counted { .. }) => ChangePasswordError::InvalidCredentials,
                Some(
                    FailureOutcome::NewlyLocked { until } | FailureOutcome::AlreadyLocked { until },
                ) => ChangePasswordError::AccountLocked {
                    retry_after: retry_after(until, now),
                },
            });
        }

        let new_hash = self
            .ports
            .hasher
            .hash(new_password.as_password())
            .await
            .map_err(hash_failure)?;
        let revoked = self
            .ports
            .users
            .change_password(
                user.id,
                &new_hash,
                Some(principal.session_id),
                now,
                &password_changed_mail(&user, now),
            )
            .await
            .map_err(InfraError::from)?;
        deny_sessions(&self.ports, &revoked, self.settings.denial_until(now)).await;
        audit(
            &self.ports,
            AuditEvent::new(AuditKind::PasswordChanged, now, Some(user.id), client)
                .with_session(principal.session_id)
                .with_detail(format!("{} other session(s) revoked", revoked.len())),
        )
        .await;
        Ok(())
    }
}

/// Checks a new password against the policy in the context of its account; with `current`, it
/// must also differ from it. Every problem is reported, on `newPassword`.
fn parse_new_password(
    settings: &super::AuthSettings,
    user: &User,
    raw: SecretString,
    current: Option<&Password>,
) -> Result<NewPassword, ValidationErrors> {
    const FIELD: &str = "newPassword";
    let password = Password::parse(raw, FIELD).map_err(|e| ValidationErrors(vec![e]))?;
    let mut errors = ValidationErrors::default();
    if current.is_some_and(|c| c.expose() == password.expose()) {
        errors.push(FieldError::new(
            FIELD,
            codes::INVALID_PASSWORD,
            "New password must differ from the current password",
        ));
    }
    let context = PasswordContext {
        username: Some(user.username.as_str()),
        email_local_part: Some(user.email.local_part()),
        mfa_enabled: false,
    };
    match NewPassword::parse(password, &settings.password_policy, &context, FIELD) {
        Ok(parsed) if errors.is_empty() => Ok(parsed),
        Ok(_) => Err(errors),
        Err(violations) => {
            errors.0.extend(violations);
            Err(errors)
        }
    }
}

/// The account behind an access token, unless it has vanished or been deactivated.
pub(super) async fn load_usable(
    ports: &super::Ports,
    id: UserId,
) -> Result<Option<User>, InfraError> {
    let user = ports.users.find_by_id(id).await?;
    Ok(user.filter(|u| u.status != AccountStatus::Deleted))
}

/// Counts a wrong password typed by a signed-in user towards the lockout, exactly as a failed
/// login; `None` when the account no longer exists.
pub(super) async fn count_wrong_password(
    ports: &super::Ports,
    settings: &super::AuthSettings,
    user: &User,
    now: Timestamp,
    client: &ClientInfo,
) -> Result<Option<FailureOutcome>, InfraError> {
    let policy = &settings.lockout;
    let lock_mail = Notification::AccountLocked {
        to: user.email.clone(),
        username: user.username.clone(),
        until: now + policy.duration,
    };
    let outcome = ports
        .users
        .record_login_failure(user.id, now, policy, &lock_mail)
        .await?;
    audit(
        ports,
        AuditEvent::new(AuditKind::LoginFailed, now, Some(user.id), client)
            .with_detail("wrong current password"),
    )
    .await;
    if let Some(FailureOutcome::NewlyLocked { .. }) = outcome {
        audit(
            ports,
            AuditEvent::new(AuditKind::AccountLocked, now, Some(user.id), client),
        )
        .await;
    }
    Ok(outcome)
}

fn password_changed_mail(user: &User, now: Timestamp) -> Notification {
    Notification::PasswordChanged {
        to: user.email.clone(),
        username: user.username.clone(),
        at: now,
    }
}

/// Denies every access token of the user issued until `now`: those of the sessions just revoked
/// (exactly), and by the user cut-off any older one (an access token's `iat` has whole-second
/// precision, so the cut-off alone could not tell a token of this second from one issued just
/// after it).
///
/// The change that calls for it (new password, deactivation) is already stored with its session
/// revocations, so refresh tokens are dead. Failing the request now would not undo it and would
/// tell the user it did not happen; a denylist outage only lets the access tokens in flight live
/// out their short lifetime, so it is logged loudly instead.
pub(super) async fn deny_everything_before(
    ports: &super::Ports,
    user_id: UserId,
    revoked: &[SessionId],
    now: Timestamp,
    until: Timestamp,
) {
    deny_sessions(ports, revoked, until).await;
    if let Err(e) = ports.denylist.deny_user_before(user_id, now, until).await {
        tracing::error!(error = %e, "could not deny the user's access tokens; they live until they expire");
    }
}

/// Denies the access tokens of sessions that were just revoked; see [`deny_everything_before`]
/// for why a failure is logged rather than returned.
pub(super) async fn deny_sessions(ports: &super::Ports, ids: &[SessionId], until: Timestamp) {
    if ids.is_empty() {
        return;
    }
    if let Err(e) = ports.denylist.deny_sessions(ids, until).await {
        tracing::error!(error = %e, sessions = ids.len(),
            "could not deny the access tokens of revoked sessions; they live until they expire");
    }
}

/// Whole seconds until `until`, rounded up and at least 1.
fn retry_after(until: Timestamp, now: Timestamp) -> i64 {
    let millis = (until - now).num_milliseconds();
    ((millis + 999) / 1000).max(1)
}
