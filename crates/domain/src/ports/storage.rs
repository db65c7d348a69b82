//! Storage: accounts and their lockout, sessions and refresh-token families, single-use tokens,
//! the outbox and the audit trail.

use crate::Timestamp;
use crate::audit::AuditEvent;
use crate::error::PortError;
use crate::ids::{MessageId, SessionId, UserId};
use crate::notification::{Notification, OutboxMessage};
use crate::policy::lockout::{FailureOutcome, LockoutPolicy, LockoutState};
use crate::policy::rotation::RotationPolicy;
use crate::session::{RefreshToken, Session};
use crate::token::{OneTimeToken, TokenHash, TokenPurpose};
use crate::user::{ProfileChanges, User};
use crate::values::{Email, PasswordHash, Username};
use async_trait::async_trait;
use chrono::Duration;
use thiserror::Error;

/// Why a new account could not be stored.
#[derive(Debug, Error)]
pub enum CreateUserError {
    /// Another account has this email, compared case-insensitively.
    #[error("email already registered")]
    EmailTaken,
    /// Another account has this username, compared case-insensitively.
    #[error("username already taken")]
    UsernameTaken,
    #[error(transparent)]
    Port(#[from] PortError),
}

/// Why a single-use token could not be consumed.
#[derive(Debug, Error)]
pub enum ConsumeError {
    /// No such token for this purpose, or it was already used.
    #[error("token not found or already used")]
    NotFound,
    /// The token exists but its lifetime is over.
    #[error("token expired")]
    Expired,
    #[error(transparent)]
    Port(#[from] PortError),
}

/// A re-hash of the password at a higher cost, to store after a successful login.
///
/// The login verified the password against `verified` some time before it stores the re-hash; a
/// reset, change or deactivation may have replaced the hash in between. The adapter therefore
/// stores `replacement` only while the stored hash is still `verified`, so a re-hash of the old
/// password never overwrites a newer one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rehash {
    /// The stored hash the password was checked against.
    pub verified: PasswordHash,
    /// The stronger hash of the same password.
    pub replacement: PasswordHash,
}

/// Why a session could not be started.
#[derive(Debug, Error)]
pub enum CreateSessionError {
    /// The account no longer matches what the login checked: its password hash is not the one
    /// verified, or it is deleted or suspended (or gone). A reset, change or deactivation won
    /// the race against this login.
    #[error("credentials changed during login")]
    CredentialsChanged,
    #[error(transparent)]
    Port(#[from] PortError),
}

/// Why a new password hash was not stored.
#[derive(Debug, Error)]
pub enum ChangePasswordStoreError {
    /// The account's password hash is no longer the one checked (a reset or another change
    /// won the race), or the account is gone.
    #[error("credentials changed before the password change")]
    CredentialsChanged,
    #[error(transparent)]
    Port(#[from] PortError),
}

/// Accounts.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait UserRepository: Send + Sync {
    /// Stores a new account and puts `mail` (its verification email) in the outbox, all or
    /// nothing.
    ///
    /// # Errors
    /// [`CreateUserError::EmailTaken`] / [`CreateUserError::UsernameTaken`] when the email or
    /// username is already used by any account (any status): emails compared case-insensitively,
    /// usernames by [`Username::skeleton`] (`aIice` is taken once `alice` exists). Two concurrent
    /// calls with the same email, or with look-alike usernames: exactly one succeeds.
    async fn create(&self, user: &User, mail: &Notification) -> Result<(), CreateUserError>;

    async fn find_by_id(&self, id: UserId) -> Result<Option<User>, PortError>;

    /// Case-insensitive lookup.
    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, PortError>;

    /// Case-insensitive lookup, not by look-alike: `aIice` does not find `alice`.
    async fn find_by_username(&self, username: &Username) -> Result<Option<User>, PortError>;

    /// Counts one failed login for `id` at `now` by applying [`LockoutPolicy::record_failure`]
    /// atomically to the stored state. When the outcome is `NewlyLocked`, `lock_mail` is put in
    /// the outbox in the same unit of work. 50 concurrent calls: the counter rises by exactly 50
    /// and exactly one call sees `NewlyLocked`. `None` when the account does not exist.
    async fn record_login_failure(
        &self,
        id: UserId,
        now: Timestamp,
        policy: &LockoutPolicy,
        lock_mail: &Notification,
    ) -> Result<Option<FailureOutcome>, PortError>;

    /// Clears the lockout state, sets `last_login = now` and, when given, applies `rehash`: the
    /// stored hash becomes `rehash.replacement` only if it is still `rehash.verified` (compared
    /// in the same unit of work); otherwise the hash is left alone. The lockout and `last_login`
    /// change either way.
    async fn record_login_success(
        &self,
        id: UserId,
        now: Timestamp,
        rehash: Option<Rehash>,
    ) -> Result<(), PortError>;

    /// Applies `changes` and sets `updated_at = now`. `None` when the account does not exist.
    async fn update_profile(
        &self,
        id: UserId,
        changes: &ProfileChanges,
        now: Timestamp,
    ) -> Result<Option<User>, PortError>;

    /// Replaces the password hash `expected` by `hash`, clears the lockout, revokes every
    /// session of the user except `keep`, forgets every remembered MFA device and queues `mail`,
    /// all or nothing. Returns the revoked sessions.
    ///
    /// # Errors
    /// [`ChangePasswordStoreError::CredentialsChanged`], storing nothing, when the stored hash
    /// is no longer `expected` (the one the current password was checked against) or the
    /// account is gone, checked in the same statement as the write: a change whose check raced
    /// a reset or another change must not overwrite the password that won.
    async fn change_password(
        &self,
        id: UserId,
        expected: &PasswordHash,
        hash: &PasswordHash,
        keep: Option<SessionId>,
        now: Timestamp,
        mail: &Notification,
    ) -> Result<Vec<SessionId>, ChangePasswordStoreError>;

    /// Sets the status to `deleted`, revokes every session and forgets every remembered MFA
    /// device, all or nothing. Returns the revoked sessions.
    async fn deactivate(&self, id: UserId, now: Timestamp) -> Result<Vec<SessionId>, PortError>;
}

/// What a login's identifier names, as far as it can name an account at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginName {
    Email(Email),
    Username(Username),
    /// Text that fails validation: it names no account, but its failures still count.
    Malformed,
}

/// What a login found: the account, or, when the identifier names none, the lockout counted
/// against the identifier itself.
#[derive(Debug, Clone, PartialEq)]
pub enum LoginTarget {
    /// Boxed: an account is ten times the size of a lockout.
    Account(Box<User>),
    Unknown(LockoutState),
}

/// The first step of every login, and the failures of logins naming no account.
///
/// An identifier that names no account locks exactly like an account does, or the lock would
/// tell who has one. Its failures are kept under `key`, a digest of the normalized identifier
/// (`email:<address>` / `username:<name>`, lowercased): never the identifier itself.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait LoginAttempts: Send + Sync {
    /// The account `name` names (case-insensitively) or, when it names none, the lockout stored
    /// under `key` (the default state when nothing is). One round trip to storage (in PostgreSQL
    /// one statement), exactly like looking up an account alone: a login naming nobody must not
    /// take longer to be answered.
    async fn find_for_login(
        &self,
        name: &LoginName,
        key: &TokenHash,
    ) -> Result<LoginTarget, PortError>;

    /// Counts one failed login against `key` at `now` by applying
    /// [`LockoutPolicy::record_failure`] atomically to the state stored under it, in the same
    /// number of round trips as [`UserRepository::record_login_failure`]. No account is created
    /// and no mail is queued. 50 concurrent calls: the counter rises by exactly 50 and exactly
    /// one call sees `NewlyLocked`.
    async fn record_unknown_failure(
        &self,
        key: &TokenHash,
        now: Timestamp,
        policy: &LockoutPolicy,
    ) -> Result<FailureOutcome, PortError>;
}

/// Sessions and their refresh-token families.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait SessionRepository: Send + Sync {
    /// Stores a new session with its first refresh token. When the user then has more than
    /// `max_sessions` live sessions (0 = unlimited), revokes the least recently used ones, chosen
    /// by [`crate::policy::session_limit::sessions_to_evict`], in the same unit of work.
    /// Returns the evicted sessions.
    ///
    /// # Errors
    /// [`CreateSessionError::CredentialsChanged`], storing nothing, when the user's stored
    /// password hash is no longer `verified` or the account is deleted, suspended or gone,
    /// checked in the same unit of work: a login whose password check raced a reset, change or
    /// deactivation must not end with a session.
    async fn create(
        &self,
        session: &Session,
        token: &RefreshToken,
        max_sessions: usize,
        verified: &PasswordHash,
    ) -> Result<Vec<SessionId>, CreateSessionError>;

    /// Exchanges the presented refresh token for `successor` by applying
    /// [`crate::policy::rotation::decide`] atomically:
    /// - `Rotate`: the presented token becomes rotated, `successor` is stored as the family's
    ///   current token, the session's `last_activity` becomes `now`.
    /// - `Replay`: nothing changes.
    /// - `ReuseDetected`: the session (the whole family) is revoked.
    ///
    /// The successor inherits the presented token's session and user and expires at
    /// [`RotationPolicy::successor_expiry`]. `successor` is derived from the presented token, so a
    /// replay inside the grace window finds the same successor. 100 concurrent calls with one token: exactly one `Rotate`, the
    /// rest `Replay` (or `ReuseDetected` once the window is over).
    async fn rotate(
        &self,
        presented: &TokenHash,
        successor: &TokenHash,
        now: Timestamp,
        policy: &RotationPolicy,
    ) -> Result<RotateOutcome, PortError>;

    /// Validates a refresh token without rotating it (rotation turned off): the session's
    /// `last_activity` becomes `now`.
    async fn touch(
        &self,
        presented: &TokenHash,
        now: Timestamp,
    ) -> Result<RotateOutcome, PortError>;

    async fn find(&self, id: SessionId) -> Result<Option<Session>, PortError>;

    /// How many sessions of all users are live at `now` (not revoked, refresh token unexpired).
    async fn count_active(&self, now: Timestamp) -> Result<u64, PortError>;

    /// The user's sessions that are neither revoked nor past `now`'s token expiry, most recent first.
    async fn list_active(&self, user_id: UserId, now: Timestamp)
    -> Result<Vec<Session>, PortError>;

    /// Revokes one session if it belongs to `user_id` and is live. `false` otherwise.
    async fn revoke(
        &self,
        user_id: UserId,
        id: SessionId,
        now: Timestamp,
    ) -> Result<bool, PortError>;

    /// Revokes every live session of the user. Returns the revoked sessions.
    async fn revoke_all(
        &self,
        user_id: UserId,
        now: Timestamp,
    ) -> Result<Vec<SessionId>, PortError>;
}

/// The result of presenting a refresh token.
///
/// An accepted presentation comes with the `account` holding the session, read with the
/// family, since the new access token needs its roles and a deleted or suspended account gets
/// none: one read of storage instead of two on the hottest writing path.
#[derive(Debug, Clone, PartialEq)]
pub enum RotateOutcome {
    /// Accepted; `session` is the family (after the update); the successor (or, with rotation
    /// off, the presented token) expires at `expires_at`.
    Rotated {
        session: Session,
        account: User,
        expires_at: Timestamp,
    },
    /// A replay inside the grace window: the client gets the same successor again.
    Replayed {
        session: Session,
        account: User,
        expires_at: Timestamp,
    },
    /// A rotated token was reused after the grace window; `session` has just been revoked.
    ReuseDetected { session: Session },
    /// Unknown token, or its lifetime is over.
    Invalid,
    /// The family had already been revoked.
    Revoked,
}

/// Single-use tokens: email verification and password reset.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait OneTimeTokenRepository: Send + Sync {
    /// Stores `token`. Earlier unused tokens of the same user and purpose stop working: only
    /// the latest link is valid. Called by the mail worker just before it sends the link.
    async fn issue(&self, token: &OneTimeToken) -> Result<(), PortError>;

    /// The unused token with this hash and purpose, expired or not.
    async fn find(
        &self,
        hash: &TokenHash,
        purpose: TokenPurpose,
    ) -> Result<Option<OneTimeToken>, PortError>;

    /// Consumes a verification token and marks its user's email verified (status `pending`
    /// becomes `active`), all or nothing. Returns the user.
    ///
    /// # Errors
    /// [`ConsumeError::NotFound`] if unknown or already used; [`ConsumeError::Expired`] if past
    /// its lifetime. Concurrent calls with one token: exactly one succeeds.
    async fn consume_verification(
        &self,
        hash: &TokenHash,
        now: Timestamp,
    ) -> Result<UserId, ConsumeError>;

    /// Consumes a reset token, replaces the user's password hash, clears the lockout, revokes
    /// every session, forgets every remembered MFA device and queues `mail`, all or nothing.
    /// Returns the user and revoked sessions.
    ///
    /// # Errors
    /// As [`Self::consume_verification`]: concurrent calls with one token, exactly one succeeds.
    async fn consume_reset(
        &self,
        hash: &TokenHash,
        new_hash: &PasswordHash,
        now: Timestamp,
        mail: &Notification,
    ) -> Result<(UserId, Vec<SessionId>), ConsumeError>;

    /// Consumes a self-unlock token and clears its user's lockout (the failure count and the
    /// lock), all or nothing. Returns the user.
    ///
    /// # Errors
    /// As [`Self::consume_verification`]: concurrent calls with one token, exactly one succeeds.
    async fn consume_unlock(
        &self,
        hash: &TokenHash,
        now: Timestamp,
    ) -> Result<UserId, ConsumeError>;
}

/// The email outbox, drained by the delivery worker.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait Outbox: Send + Sync {
    /// Queues a message on its own (when no other change goes with it).
    async fn enqueue(&self, mail: &Notification, now: Timestamp) -> Result<MessageId, PortError>;

    /// Up to `limit` messages due at `now`, leased to the caller for `lease`: no other worker
    /// (of any instance) gets them until the lease runs out or they are marked.
    async fn claim_due(
        &self,
        now: Timestamp,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<OutboxMessage>, PortError>;

    /// Delivered: never sent again.
    async fn mark_sent(&self, id: MessageId, now: Timestamp) -> Result<(), PortError>;

    /// Failed: try again at `retry_at`, or never when `None`.
    async fn mark_failed(
        &self,
        id: MessageId,
        retry_at: Option<Timestamp>,
        error: &str,
    ) -> Result<(), PortError>;

    /// How many messages wait, wait after a failure, and were given up on (for metrics; an
    /// adapter that forgets dead messages counts those it gave up on since it started).
    async fn counts(&self) -> Result<OutboxCounts, PortError>;
}

/// The outbox by delivery state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxCounts {
    /// Unsent, never tried.
    pub pending: u64,
    /// Unsent, tried and failed at least once, to be tried again.
    pub retrying: u64,
    /// Never to be sent: failed for good, or dropped because its link no longer applies.
    pub dead: u64,
}

/// The audit trail.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AuditLog: Send + Sync {
    async fn record(&self, event: &AuditEvent) -> Result<(), PortError>;

    /// Several events, in this order, all or none. By default one [`Self::record`] each (then
    /// not all-or-none); a database adapter writes them in one statement.
    async fn record_all(&self, events: &[AuditEvent]) -> Result<(), PortError> {
        for event in events {
            self.record(event).await?;
        }
        Ok(())
    }

    /// The user's events, newest first (for tests).
    async fn for_user(&self, user_id: UserId, limit: usize) -> Result<Vec<AuditEvent>, PortError>;

    /// One page of the events matching `query`, newest first (ties by id), and how many match
    /// in all.
    async fn search(
        &self,
        query: &crate::directory::AuditQuery,
    ) -> Result<crate::directory::Page<AuditEvent>, PortError>;
}
