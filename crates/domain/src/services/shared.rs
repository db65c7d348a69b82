//! The steps several use cases share, written once so that they cannot drift apart: issuing the
//! token pair (login, refresh), checking a password the user typed and counting a wrong one
//! (login, password change, deactivation), denying the access tokens of revoked sessions,
//! writing the audit trail on a best-effort basis, validating a new password, and the small
//! translations between them (`retry_after`, hashing failures).
//!
//! Each helper takes only the ports it calls, lent by the service that calls it.

use super::MAX_ACCESS_TOKEN_LEEWAY;
use crate::Timestamp;
use crate::audit::{AuditEvent, AuditKind};
use crate::authorization::{RoleCatalog, RoleName};
use crate::error::{FieldError, InfraError, ValidationErrors};
use crate::ids::{SessionId, TokenId, UserId};
use crate::notification::Notification;
use crate::policy::lockout::{FailureOutcome, LockoutPolicy};
use crate::policy::password::{PasswordContext, PasswordPolicy};
use crate::policy::rate_limit::RateLimit;
use crate::ports::{
    AccessTokenCodec, AuditLog, HashError, PasswordCheck, PasswordHasher, RateLimiter,
    TokenDenylist, TokenGenerator, UserRepository,
};
use crate::session::ClientInfo;
use crate::token::{AccessClaims, RawToken};
use crate::user::{AccountStatus, User};
use crate::values::{Email, NewPassword, Password, codes};
use chrono::Duration;
use secrecy::SecretString;
use std::sync::Arc;

/// What a successful login or refresh hands to the client. Its `Debug` shows no token.
#[derive(Clone)]
pub struct IssuedTokens {
    pub access_token: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// `None` on a refresh with rotation turned off.
    pub refresh_token: Option<RawToken>,
    /// Seconds until the refresh token expires (for the cookie's `Max-Age`).
    pub refresh_expires_in: i64,
    /// `false`: the refresh cookie is a session cookie.
    pub remember_me: bool,
}

impl std::fmt::Debug for IssuedTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedTokens")
            .field("access_token", &"<redacted>")
            .field("expires_in", &self.expires_in)
            .field("refresh_token", &self.refresh_token)
            .field("refresh_expires_in", &self.refresh_expires_in)
            .field("remember_me", &self.remember_me)
            .finish()
    }
}

/// Everything an access token and its refresh companion are made from.
pub(super) struct Grant<'a> {
    pub user_id: UserId,
    pub session_id: SessionId,
    pub roles: &'a [RoleName],
    pub now: Timestamp,
    pub refresh_token: Option<RawToken>,
    pub refresh_expires_at: Timestamp,
    pub remember_me: bool,
}

/// Signs a fresh access token for `grant`, living `access_ttl` and carrying the permissions of
/// its roles, and pairs it with the refresh token.
pub(super) fn issue_tokens(
    codec: &dyn AccessTokenCodec,
    access_ttl: Duration,
    roles: &RoleCatalog,
    grant: Grant<'_>,
) -> Result<IssuedTokens, InfraError> {
    let claims = AccessClaims {
        user_id: grant.user_id,
        session_id: grant.session_id,
        token_id: TokenId::new(),
        issued_at: grant.now,
        expires_at: grant.now + access_ttl,
        roles: grant.roles.to_vec(),
        permissions: roles.permissions_of(grant.roles),
    };
    let access_token = codec.issue(&claims)?;
    Ok(IssuedTokens {
        access_token,
        expires_in: access_ttl.num_seconds(),
        refresh_token: grant.refresh_token,
        refresh_expires_in: (grant.refresh_expires_at - grant.now).num_seconds().max(0),
        remember_me: grant.remember_me,
    })
}

/// Checks a password typed by the holder of an account, at login or to confirm a change while
/// signed in. A wrong one counts towards the lockout the same way wherever it was typed, so no
/// form can be used to guess around the lock.
pub(super) struct PasswordChecker<'a> {
    users: &'a dyn UserRepository,
    hasher: &'a dyn PasswordHasher,
    audit: &'a dyn AuditLog,
    lockout: LockoutPolicy,
}

/// What [`PasswordChecker::check`] found.
pub(super) enum Checked {
    Right {
        needs_rehash: bool,
    },
    /// Counted; `None` when the account vanished before it could be.
    Wrong(Option<FailureOutcome>),
}

impl<'a> PasswordChecker<'a> {
    /// Checks on `hasher`, counts towards `lockout` in `users`, and audits in `audit`.
    pub(super) fn new(
        users: &'a Arc<dyn UserRepository>,
        hasher: &'a Arc<dyn PasswordHasher>,
        audit: &'a Arc<dyn AuditLog>,
        lockout: LockoutPolicy,
    ) -> Self {
        Self {
            users: &**users,
            hasher: &**hasher,
            audit: &**audit,
            lockout,
        }
    }

    /// Verifies `password` on the hashing pool and counts a wrong one, which is audited with
    /// `wrong` as its detail.
    pub(super) async fn check(
        &self,
        user: &User,
        password: &Password,
        now: Timestamp,
        client: &ClientInfo,
        wrong: &'static str,
    ) -> Result<Checked, InfraError> {
        let check = self
            .hasher
            .verify(password, &user.password_hash)
            .await
            .map_err(hash_failure)?;
        match check {
            PasswordCheck::Match { needs_rehash } => Ok(Checked::Right { needs_rehash }),
            PasswordCheck::Mismatch => {
                let failure = AuditEvent::new(AuditKind::LoginFailed, now, Some(user.id), client)
                    .with_detail(wrong);
                let outcome =
                    count_login_failure(self.users, self.audit, &self.lockout, user, failure)
                        .await?;
                Ok(Checked::Wrong(outcome))
            }
        }
    }
}

/// Counts a failed proof of identity (a wrong password or second-factor code) towards the
/// account's lockout at `failure.at`, atomically; the adapter queues the lock email in the same
/// unit of work when this failure is the one that locks. `failure` is audited as it is, and the
/// lock, if this failure caused it, after it.
pub(super) async fn count_login_failure(
    users: &dyn UserRepository,
    audit_log: &dyn AuditLog,
    lockout: &LockoutPolicy,
    user: &User,
    failure: AuditEvent,
) -> Result<Option<FailureOutcome>, InfraError> {
    let now = failure.at;
    let lock_mail = Notification::AccountLocked {
        user_id: Some(user.id),
        to: user.email.clone(),
        username: user.username.clone(),
        // The adapter applies the same policy at the same `now`, so this is the lock's end.
        until: now + lockout.duration,
    };
    let outcome = users
        .record_login_failure(user.id, now, lockout, &lock_mail)
        .await?;
    let client = failure.client.clone();
    audit(audit_log, failure).await;
    if let Some(FailureOutcome::NewlyLocked { .. }) = outcome {
        audit(
            audit_log,
            AuditEvent::new(AuditKind::AccountLocked, now, Some(user.id), &client),
        )
        .await;
    }
    Ok(outcome)
}

impl PasswordChecker<'_> {
    /// Confirms the password a signed-in user typed to approve a change of their own account;
    /// a wrong one is counted as at login.
    pub(super) async fn confirm(
        &self,
        user: &User,
        password: &Password,
        now: Timestamp,
        client: &ClientInfo,
    ) -> Result<(), Refusal> {
        match self
            .check(user, password, now, client, "wrong current password")
            .await?
        {
            Checked::Right { .. } => Ok(()),
            Checked::Wrong(None) => Err(Refusal::AccountGone),
            Checked::Wrong(Some(FailureOutcome::Counted { .. })) => Err(Refusal::WrongPassword),
            Checked::Wrong(Some(
                FailureOutcome::NewlyLocked { until } | FailureOutcome::AlreadyLocked { until },
            )) => Err(Refusal::Locked {
                retry_after: retry_after(until, now),
            }),
        }
    }
}

/// Why a signed-in user's confirmation of their own password was refused: the same answers
/// wherever it is asked (a password change, a deactivation).
pub(super) enum Refusal {
    /// Locked before, or by this wrong attempt (423 with `retryAfter`).
    Locked {
        retry_after: i64,
    },
    WrongPassword,
    /// The account vanished before the failure could be counted.
    AccountGone,
    Infra(InfraError),
}

impl From<InfraError> for Refusal {
    fn from(e: InfraError) -> Self {
        Self::Infra(e)
    }
}

/// A locked account's password is not checked at all, or a stolen access token would let its
/// holder keep guessing past the lock.
pub(super) fn refuse_if_locked(
    lockout: &LockoutPolicy,
    user: &User,
    now: Timestamp,
) -> Result<(), Refusal> {
    match lockout.locked_until(&user.lockout, now) {
        Some(until) => Err(Refusal::Locked {
            retry_after: retry_after(until, now),
        }),
        None => Ok(()),
    }
}

/// Whole seconds until `until`, rounded up and at least 1: a client that waits that long is
/// never refused again by the same lock.
pub(super) fn retry_after(until: Timestamp, now: Timestamp) -> i64 {
    let millis = (until - now).num_milliseconds();
    ((millis + 999) / 1000).max(1)
}

/// The account behind an access token, unless it has vanished or been deactivated.
pub(super) async fn load_usable(
    users: &dyn UserRepository,
    id: UserId,
) -> Result<Option<User>, InfraError> {
    let user = users.find_by_id(id).await?;
    Ok(user.filter(|u| u.status != AccountStatus::Deleted))
}

/// Until when a denial issued at `now` must hold to cover every access token issued before it:
/// the longest lifetime, `access_ttl`, plus the verification leeway.
pub(super) fn denial_until(access_ttl: Duration, now: Timestamp) -> Timestamp {
    now + access_ttl + MAX_ACCESS_TOKEN_LEEWAY
}

/// The cut-off of a change to what the account may do (its roles, its status): the start of the
/// next whole second. Access tokens carry `iat` in whole seconds, so one issued in this second
/// before the change cannot be told from one issued after it; every token of this second is cut
/// off, and a client that refreshed within it refreshes once more.
pub(super) fn next_whole_second(now: Timestamp) -> Timestamp {
    Timestamp::from_timestamp(now.timestamp().saturating_add(1), 0).unwrap_or(now)
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
    denylist: &dyn TokenDenylist,
    user_id: UserId,
    revoked: &[SessionId],
    now: Timestamp,
    until: Timestamp,
) {
    deny_sessions(denylist, user_id, revoked, until).await;
    if let Err(e) = denylist.deny_user_before(user_id, now, until).await {
        tracing::error!(error = %e, "could not deny the user's access tokens; they live until they expire");
    }
}

/// Denies the access tokens of sessions that were just revoked; see [`deny_everything_before`]
/// for why a failure is logged rather than returned.
pub(super) async fn deny_sessions(
    denylist: &dyn TokenDenylist,
    user_id: UserId,
    ids: &[SessionId],
    until: Timestamp,
) {
    if ids.is_empty() {
        return;
    }
    if let Err(e) = denylist.deny_sessions(user_id, ids, until).await {
        tracing::error!(error = %e, sessions = ids.len(),
            "could not deny the access tokens of revoked sessions; they live until they expire");
    }
}

/// Records `event`. The audit trail is for administrators: losing one entry is logged loudly,
/// but never turns a login or a logout the user already earned into an error.
/// The kinds of mail a request can ask for again, each with its own cooldown (`MAIL_COOLDOWN`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum MailKind {
    VerifyEmail,
    PasswordReset,
    /// An emailed MFA code (`POST /v1/auth/mfa/challenge`).
    MfaCode,
    /// An MFA code by SMS, keyed by the number (`POST /v1/auth/mfa/challenge`).
    SmsCode,
}

impl MailKind {
    const fn as_str(self) -> &'static str {
        match self {
            Self::VerifyEmail => "verify_email",
            Self::PasswordReset => "password_reset",
            Self::MfaCode => "mfa_code",
            Self::SmsCode => "mfa_sms_code",
        }
    }
}

/// Counts one mail of `kind` to `to` against its cooldown, in the shared rate-limit store (so it
/// holds across instances): `true` when the mail may go, `false` while the recipient is cooling
/// down (one mail per `cooldown`). A zero `cooldown` turns it off without consulting the store.
///
/// The key is `mail:<kind>:<SHA-256 of the normalized address>`: no address in clear in the
/// store. When the store fails the mail goes (fail open): a lost cooldown only allows a mail, and
/// the per-IP limits still hold.
pub(super) async fn mail_cooldown_allows(
    limiter: &dyn RateLimiter,
    tokens: &dyn TokenGenerator,
    cooldown: Duration,
    kind: MailKind,
    to: &Email,
) -> bool {
    cooldown_allows(limiter, tokens, cooldown, kind, to.as_str()).await
}

/// [`mail_cooldown_allows`] for any recipient: an address or a phone number (E.164).
pub(super) async fn cooldown_allows(
    limiter: &dyn RateLimiter,
    tokens: &dyn TokenGenerator,
    cooldown: Duration,
    kind: MailKind,
    to: &str,
) -> bool {
    if cooldown <= Duration::zero() {
        return true;
    }
    let subject = tokens.digest(&to.to_lowercase());
    keyed_cooldown_allows(limiter, cooldown, kind, subject.as_str()).await
}

/// The cooldown of `kind` for a `subject` that is already a key, not a recipient (a challenge's
/// token hash, a factor's id): `mail:<kind>:<subject>`.
pub(super) async fn keyed_cooldown_allows(
    limiter: &dyn RateLimiter,
    cooldown: Duration,
    kind: MailKind,
    subject: &str,
) -> bool {
    if cooldown <= Duration::zero() {
        return true;
    }
    let key = format!("mail:{}:{subject}", kind.as_str());
    match limiter.hit(&key, RateLimit::new(1, cooldown)).await {
        Ok(decision) => decision.allowed,
        Err(e) => {
            tracing::warn!(error = %e, kind = kind.as_str(), "mail cooldown unavailable; sending");
            true
        }
    }
}

pub(super) async fn audit(log: &dyn AuditLog, event: AuditEvent) {
    if let Err(e) = log.record(&event).await {
        tracing::error!(error = %e, kind = event.kind.as_str(), "audit event lost");
    }
}

/// A full hashing queue is the caller's 503 SERVICE_BUSY; anything else is a bug.
pub(super) fn hash_failure(e: HashError) -> InfraError {
    match e {
        HashError::Busy => InfraError::Busy,
        HashError::Failed(reason) => InfraError::internal(reason),
    }
}

/// Checks a new password against the policy in the context of its account; with `current`, it
/// must also differ from it. Every problem is reported, on `newPassword`.
pub(super) fn parse_new_password(
    policy: &PasswordPolicy,
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
        // NIST SP 800-63B: 8 characters suffice behind a second factor (API.md).
        mfa_enabled: user.mfa_enabled,
    };
    match NewPassword::parse(password, policy, &context, FIELD) {
        Ok(parsed) if errors.is_empty() => Ok(parsed),
        Ok(_) => Err(errors),
        Err(violations) => {
            errors.0.extend(violations);
            Err(errors)
        }
    }
}

/// The notice that a password was reset or changed, stored with the new hash.
pub(super) fn password_changed_mail(user: &User, now: Timestamp) -> Notification {
    Notification::PasswordChanged {
        to: user.email.clone(),
        username: user.username.clone(),
        at: now,
    }
}
