//! Port traits: everything the domain needs from the outside world. Adapters implement them;
//! the binary picks one adapter per port at start-up and hands them over as `Arc<dyn Port>`.
//!
//! Every method is one atomic unit of work. Where the documents name a race (rotating a refresh
//! token, counting failed logins, consuming a single-use token, the session limit), the adapter
//! settles it inside the method, by one conditional statement, one transaction or one lock,
//! and applies the pure policy from [`crate::policy`] while it holds that guarantee.
//!
//! # Errors
//! Unless a method says otherwise, it returns [`PortError::Unavailable`] when its backing
//! service cannot be reached in time and [`PortError::Internal`] for anything else unexpected.

use crate::Timestamp;
use crate::audit::AuditEvent;
use crate::error::PortError;
use crate::ids::{DeviceId, FactorId, MessageId, SessionId, TokenId, UserId};
use crate::mfa::{
    BackupCode, Factor, FactorKind, MfaChallenge, OtpCode, RememberedDevice, SealedSecret,
    TotpSecret, TotpStep,
};
use crate::notification::{Letter, Notification, OutboxMessage};
use crate::policy::lockout::{FailureOutcome, LockoutPolicy, LockoutState};
use crate::policy::rate_limit::{RateLimit, RateLimitDecision};
use crate::policy::rotation::RotationPolicy;
use crate::session::{RefreshToken, Session};
use crate::token::{AccessClaims, JwkSet, OneTimeToken, OpaqueToken, TokenHash, TokenPurpose};
use crate::user::{ProfileChanges, User};
use crate::values::{Email, Password, PasswordHash, Username};
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

    /// Replaces the password hash, clears the lockout, revokes every session of the user except
    /// `keep`, forgets every remembered MFA device and queues `mail`, all or nothing. Returns the
    /// revoked sessions.
    async fn change_password(
        &self,
        id: UserId,
        hash: &PasswordHash,
        keep: Option<SessionId>,
        now: Timestamp,
        mail: &Notification,
    ) -> Result<Vec<SessionId>, PortError>;

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

/// Why a factor could not be set up.
#[derive(Debug, Error)]
pub enum BeginSetupError {
    /// The user already has a confirmed factor of this kind (409 `MFA_ALREADY_ENABLED`).
    #[error("a factor of this kind is already enabled")]
    AlreadyEnabled,
    #[error(transparent)]
    Port(#[from] PortError),
}

/// The result of presenting a backup code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackupCodeUse {
    /// Accepted and spent; `remaining` unused codes are left.
    Accepted { remaining: u32 },
    /// One of the user's codes, already spent (401 `MFA_BACKUP_CODE_USED`).
    AlreadyUsed,
    /// None of the user's codes (a wrong code).
    Unknown,
}

/// Everything a user has set up for MFA, for `GET /v1/auth/mfa` and the `methods` of a login.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MfaOverview {
    /// Confirmed and pending factors, oldest first.
    pub factors: Vec<Factor>,
    /// Unused backup codes of the confirmed set (a pending set does not count).
    pub backup_codes_left: u32,
    /// Remembered devices that have not expired, most recently created first.
    pub devices: Vec<RememberedDevice>,
}

/// MFA state: factors, backup codes, login challenges and remembered devices.
///
/// Whether a user has MFA on is read with the account ([`User::mfa_enabled`]), so that a login
/// without MFA costs no extra round trip; the adapter keeps that flag in step with the confirmed
/// factors in the same unit of work as every change here.
///
/// The single-use rules are settled here, atomically: one TOTP step, one backup code and one
/// challenge are each accepted once, however many requests present them at the same moment and
/// on however many instances.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait MfaRepository: Send + Sync {
    /// The user's factors, backup-code count and devices live at `now`.
    async fn overview(&self, user_id: UserId, now: Timestamp) -> Result<MfaOverview, PortError>;

    /// The user's factor of `kind`, confirmed or pending.
    async fn find_factor(
        &self,
        user_id: UserId,
        kind: FactorKind,
    ) -> Result<Option<Factor>, PortError>;

    /// Stores `factor` (pending) with the digests of the backup codes that come with it, all or
    /// nothing. A pending factor of the same kind, and the backup codes that came with it, are
    /// replaced; the confirmed backup codes stay in force until the factor is confirmed.
    ///
    /// # Errors
    /// [`BeginSetupError::AlreadyEnabled`], storing nothing, when the user has a confirmed
    /// factor of this kind (checked in the same unit of work).
    async fn begin_setup(
        &self,
        factor: &Factor,
        backup_codes: &[TokenHash],
    ) -> Result<(), BeginSetupError>;

    /// Records that `step` was accepted for the factor at `now`: only if the factor's stored
    /// `last_step` is unset or earlier than `step` (compare-and-set). Sets `last_used_at`. If
    /// the factor was pending, it becomes confirmed, its backup codes replace the user's
    /// earlier ones, the account's `mfa_enabled` turns on and `mail` is queued, all in the same
    /// unit of work.
    ///
    /// `false` when the step was not later (a replay that raced this one, or the factor is
    /// gone): nothing changes. 20 concurrent calls with one step: exactly one `true`.
    async fn accept_totp_step(
        &self,
        factor_id: FactorId,
        step: TotpStep,
        now: Timestamp,
        mail: &Notification,
    ) -> Result<bool, PortError>;

    /// Spends the user's unused confirmed backup code whose digest is one of `digests` (the
    /// code's digest under each configured key, so that keys rotate). 20 concurrent calls with
    /// one code: exactly one `Accepted`, the others `AlreadyUsed`.
    async fn use_backup_code(
        &self,
        user_id: UserId,
        digests: &[TokenHash],
        now: Timestamp,
    ) -> Result<BackupCodeUse, PortError>;

    /// Replaces the user's confirmed backup codes with `digests`. `false`, changing nothing,
    /// when the user has no confirmed factor.
    async fn replace_backup_codes(
        &self,
        user_id: UserId,
        digests: &[TokenHash],
        now: Timestamp,
    ) -> Result<bool, PortError>;

    /// Turns MFA off: deletes every factor, backup code, challenge and remembered device of the
    /// user, turns `mfa_enabled` off and queues `mail`, all or nothing. `false`, changing
    /// nothing, when the user has no confirmed factor.
    async fn disable(
        &self,
        user_id: UserId,
        now: Timestamp,
        mail: &Notification,
    ) -> Result<bool, PortError>;

    /// Stores a new login challenge.
    async fn create_challenge(&self, challenge: &MfaChallenge) -> Result<(), PortError>;

    /// The unconsumed challenge with this hash, live or not. Read only.
    async fn find_challenge(&self, hash: &TokenHash) -> Result<Option<MfaChallenge>, PortError>;

    /// Reserves one code's attempt before the code is checked: atomically, if the challenge
    /// exists, has not expired at `now` and has fewer than [`MfaChallenge::MAX_ATTEMPTS`]
    /// attempts, counts one and returns the challenge after the count; else `None`, counting
    /// nothing. 20 concurrent calls on a fresh challenge: exactly 5 get it (attempts 1 to 5,
    /// each once), 15 `None`.
    async fn take_attempt(
        &self,
        hash: &TokenHash,
        now: Timestamp,
    ) -> Result<Option<MfaChallenge>, PortError>;

    /// Consumes the challenge if it has not expired at `now` and returns it; its attempts do
    /// not matter (the caller took one before checking the code, so the fifth code may be the
    /// right one). 20 concurrent calls with one challenge: exactly one gets it, the others
    /// `None`.
    async fn consume_challenge(
        &self,
        hash: &TokenHash,
        now: Timestamp,
    ) -> Result<Option<MfaChallenge>, PortError>;

    /// Stores a remembered device, but only while its user still has `mfa_enabled` and the
    /// stored password hash is still `verified` (the one the login verified), checked in the
    /// same unit of work as the insert: turning MFA off or a password change or reset that
    /// commits meanwhile wins. `false`, storing nothing, otherwise.
    async fn remember_device(
        &self,
        device: &RememberedDevice,
        verified: &PasswordHash,
    ) -> Result<bool, PortError>;

    /// The user's device with this token hash if it is live at `now`; sets its `last_used_at`.
    async fn use_device(
        &self,
        user_id: UserId,
        hash: &TokenHash,
        now: Timestamp,
    ) -> Result<Option<RememberedDevice>, PortError>;

    /// Forgets one device of the user. `false` if the user has no such device.
    async fn forget_device(&self, user_id: UserId, id: DeviceId) -> Result<bool, PortError>;
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

    /// The user's events, newest first (for tests and, later, the admin API).
    async fn for_user(&self, user_id: UserId, limit: usize) -> Result<Vec<AuditEvent>, PortError>;
}

/// Revoked access tokens. Access tokens are stateless, so revocation needs a fast shared lookup.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait TokenDenylist: Send + Sync {
    /// Denies one access token until `until` (its expiry).
    async fn deny_token(&self, id: TokenId, until: Timestamp) -> Result<(), PortError>;

    /// Denies every access token of these sessions until `until` (the longest access-token lifetime from now).
    async fn deny_sessions(&self, ids: &[SessionId], until: Timestamp) -> Result<(), PortError>;

    /// Denies, until `until`, every access token of the user issued in a whole second before
    /// `cutoff`'s. Access tokens carry `iat` in whole seconds, so a token of `cutoff`'s own second
    /// may have been issued just after it (a login right after "log out everywhere") and stays
    /// valid; callers revoke the sessions of that second through [`Self::deny_sessions`].
    async fn deny_user_before(
        &self,
        user_id: UserId,
        cutoff: Timestamp,
        until: Timestamp,
    ) -> Result<(), PortError>;

    /// Whether any of the above denies `claims`. One round trip.
    async fn is_denied(&self, claims: &AccessClaims) -> Result<bool, PortError>;
}

/// Counts hits against rate limits, shared by every instance of the service.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait RateLimiter: Send + Sync {
    /// Counts one hit on `key` and decides it with [`crate::policy::rate_limit::decide`]: the
    /// count and the window are updated atomically, so N concurrent hits count N (no
    /// read-then-write race) and at most `limit.max` of them are allowed per window.
    async fn hit(&self, key: &str, limit: RateLimit) -> Result<RateLimitDecision, PortError>;
}

/// Delivers one email now.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait Mailer: Send + Sync {
    /// # Errors
    /// [`MailError::Transient`] when trying again later may work (server down, timeout, 4xx);
    /// [`MailError::Permanent`] when it never will (address rejected).
    async fn deliver(&self, letter: &Letter) -> Result<(), MailError>;

    /// A cheap check that the transport can accept mail (for `/v1/health`).
    async fn is_healthy(&self) -> bool;
}

#[derive(Debug, Error)]
pub enum MailError {
    #[error("temporary delivery failure: {0}")]
    Transient(String),
    #[error("permanent delivery failure: {0}")]
    Permanent(String),
}

/// Password hashing, run off the async executor on a bounded pool.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    async fn hash(&self, password: &Password) -> Result<PasswordHash, HashError>;

    /// Whether `password` matches `hash`, and whether `hash` is weaker than the configured cost.
    async fn verify(
        &self,
        password: &Password,
        hash: &PasswordHash,
    ) -> Result<PasswordCheck, HashError>;

    /// Spends the same time as a real verification, for unknown users (no timing oracle).
    async fn verify_dummy(&self, password: &Password) -> Result<(), HashError>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordCheck {
    Mismatch,
    Match { needs_rehash: bool },
}

#[derive(Debug, Error)]
pub enum HashError {
    /// The hashing queue is full; answer 503 SERVICE_BUSY rather than wait.
    #[error("password hashing queue is full")]
    Busy,
    #[error("password hashing failed: {0}")]
    Failed(String),
}

/// Signs and verifies access tokens.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait AccessTokenCodec: Send + Sync {
    /// # Errors
    /// Only on a broken key; never for valid claims.
    fn issue(&self, claims: &AccessClaims) -> Result<String, PortError>;

    /// Checks signature, algorithm, `typ`, `iss`, `aud`, and `exp` and `nbf` against `now` (with
    /// the configured leeway). `now` is the [`Clock`]'s, so that a test (or a server whose time is
    /// not the host's) decides when a token expires.
    ///
    /// # Errors
    /// [`AccessTokenError::Expired`] for a well-formed token past `exp`, else `Invalid`.
    fn verify(&self, token: &str, now: Timestamp) -> Result<AccessClaims, AccessTokenError>;

    /// The public keys for `/.well-known/jwks.json`.
    fn jwks(&self) -> JwkSet;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum AccessTokenError {
    #[error("access token expired")]
    Expired,
    #[error("access token invalid")]
    Invalid,
}

/// Opaque random tokens and their digests.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait TokenGenerator: Send + Sync {
    /// A fresh 256-bit random token and its SHA-256.
    fn generate(&self) -> OpaqueToken;

    /// The SHA-256 of a presented token.
    fn digest(&self, raw: &str) -> TokenHash;

    /// The successor of a refresh token: an HMAC of it under a server secret, so a replay inside
    /// the grace window yields the same successor without storing any raw token.
    fn successor_of(&self, presented: &str) -> OpaqueToken;
}

/// Why an otpauth URL could not be made.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum OtpauthError {
    /// The issuer or the account label contains a `:`, which the Key URI format reserves as
    /// their separator, or the account label is empty.
    #[error("the otpauth label is invalid: {0}")]
    InvalidLabel(&'static str),
}

/// TOTP codes, new secrets and backup codes (issue 14). Pure computation and the OS RNG: no
/// storage, so no [`PortError`].
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait OneTimePasswords: Send + Sync {
    /// A fresh secret of at least 160 bits (RFC 4226 §4) from the OS RNG, for SHA-1.
    fn new_totp_secret(&self) -> TotpSecret;

    /// The 6-digit code of `secret` at `step`; `None` when the secret cannot make codes (shorter
    /// than RFC 4226's 128 bits), which the policy treats as matching nothing.
    fn totp_code(&self, secret: &TotpSecret, step: TotpStep) -> Option<OtpCode>;

    /// The `otpauth://totp/...` URL an authenticator app scans, with `issuer` and `account`
    /// percent-encoded and the secret in base32.
    ///
    /// # Errors
    /// [`OtpauthError::InvalidLabel`] for a `:` in either, or an empty account.
    fn otpauth_url(
        &self,
        secret: &TotpSecret,
        issuer: &str,
        account: &str,
    ) -> Result<String, OtpauthError>;

    /// The secret in base32 (RFC 4648, no padding), as an authenticator app takes it typed.
    fn base32(&self, secret: &TotpSecret) -> secrecy::SecretString;

    /// `n` distinct backup codes from the OS RNG.
    fn backup_codes(&self, n: usize) -> Vec<BackupCode>;

    /// The keyed digest a backup code is stored and looked up by: eight digits are only 27 bits,
    /// so a plain hash of a leaked table would be reversed in a second.
    fn digest_backup_code(&self, code: &BackupCode) -> TokenHash;

    /// The code's digest under every configured key, the current one first: what a presented
    /// code is looked up by, so that codes digested before a key rotation still work.
    fn backup_code_digests(&self, code: &BackupCode) -> Vec<TokenHash>;
}

/// Why a sealed secret could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum UnsealError {
    /// No configured key opens it (the key that sealed it was removed from
    /// `MFA_ENCRYPTION_KEY`), or it was tampered with.
    #[error("no configured key opens this secret")]
    NoKey,
}

/// Encrypts TOTP secrets for storage (AES-256-GCM). Of its keys, the first seals and every one
/// opens, so keys rotate: add a new key in front, and old secrets still open.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait SecretSealer: Send + Sync {
    fn seal(&self, secret: &TotpSecret) -> SealedSecret;

    /// # Errors
    /// [`UnsealError::NoKey`] when no configured key opens `sealed`.
    fn open(&self, sealed: &SealedSecret) -> Result<TotpSecret, UnsealError>;
}

/// Renders the otpauth URL as a QR code an authenticator app scans.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait QrRenderer: Send + Sync {
    /// `data:image/png;base64,...` of a QR code holding `text`.
    fn png_data_url(&self, text: &str) -> String;
}

/// The time.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}
