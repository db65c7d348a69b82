//! What administration, sign-in alerts and brute-force detection need from storage, plus the two
//! pure lookups the HTTP requests feed them (device names from a User-Agent, a place from an IP).

use crate::Timestamp;
use crate::directory::{AccountChange, LastAdminGuard, Page, UserQuery};
use crate::error::PortError;
use crate::ids::{SessionId, UserId};
use crate::user::User;
use async_trait::async_trait;
use thiserror::Error;

/// Why an administrator's change was not applied. Nothing changed.
#[derive(Debug, Error)]
pub enum AccountChangeError {
    #[error("no such account")]
    NotFound,
    /// `deleted` is final: a deleted account takes no change at all.
    #[error("the account is deleted")]
    Deleted,
    /// The change would leave no active holder of the guarded roles.
    #[error("the last active administrator")]
    LastAdmin,
    #[error(transparent)]
    Port(#[from] PortError),
}

/// An administrator's change, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct AppliedChange {
    pub before: User,
    pub after: User,
    /// The sessions the change revoked (suspension or deletion), to deny their access tokens.
    pub revoked_sessions: Vec<SessionId>,
}

/// Why an account could not be made an administrator of.
#[derive(Debug, Error)]
pub enum InsertAccountError {
    #[error("the email is taken")]
    EmailTaken,
    #[error("the username is taken")]
    UsernameTaken,
    #[error(transparent)]
    Port(#[from] PortError),
}

/// The accounts as administrators see them.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait UserDirectory: Send + Sync {
    /// One page of the accounts matching `query` and how many match in all: `status` exactly,
    /// `role` among the account's roles, `search` as a case-insensitive substring of the email
    /// or the username (`%` and `_` in it are plain characters), in `query.sort` order with
    /// ties broken by id. On PostgreSQL a selective search over 1,000,000 accounts answers in
    /// under 50 ms (trigram indexes); a term matching tens of thousands costs more, mostly its
    /// exact count (docs/postgres.md, "Admin user search").
    async fn search(&self, query: &UserQuery) -> Result<Page<User>, PortError>;

    /// Applies `change` to the account at `now`, all or nothing:
    /// - the profile fields, `email_verified` (`true` on a `pending` account also makes it
    ///   `active`, as verifying the address would, unless `status` says otherwise), `roles`,
    ///   `status`; `updated_at = now`;
    /// - when the status becomes `suspended` or `deleted`: every live session is revoked (and
    ///   returned), every unused single-use token (verification, reset, unlock) is voided,
    ///   remembered MFA devices and pending MFA challenges are forgotten;
    /// - `guard`: when the account counts as a full admin before the change and not after it
    ///   ([`LastAdminGuard::counts`]), and no other account counts, nothing changes and
    ///   [`AccountChangeError::LastAdmin`] is returned. Changes to admins are serialized, so
    ///   two admins demoting each other at once cannot both succeed.
    ///
    /// # Errors
    /// `NotFound`; `Deleted` when the account is already deleted (whatever the change);
    /// `LastAdmin`.
    async fn apply_change(
        &self,
        id: UserId,
        change: &AccountChange,
        guard: &LastAdminGuard,
        now: Timestamp,
    ) -> Result<AppliedChange, AccountChangeError>;

    /// Clears the account's lock and failure count. `false` when there is no such account.
    async fn clear_lockout(&self, id: UserId, now: Timestamp) -> Result<bool, PortError>;

    /// Whether any account counts as a full admin under `guard`.
    async fn any_admin(&self, guard: &LastAdminGuard) -> Result<bool, PortError>;

    /// Stores an account as given (the first admin: active, verified), queuing no mail.
    ///
    /// # Errors
    /// `EmailTaken` / `UsernameTaken` as [`crate::ports::UserRepository::create`].
    async fn insert(&self, user: &User) -> Result<(), InsertAccountError>;
}

/// What a login's device looks like: its browser family, its OS family and its network (the
/// /24 of an IPv4 address, the /48 of an IPv6 one), as [`DeviceFingerprint::digest`].
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct DeviceFingerprint(String);

impl DeviceFingerprint {
    /// From the SHA-256 hex the caller computed: the raw parts (an address's network) are
    /// never stored.
    #[must_use]
    pub fn from_digest(hex: String) -> Self {
        Self(hex)
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for DeviceFingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DeviceFingerprint({}…)", self.0.get(..8).unwrap_or(""))
    }
}

/// Whether a login's device was seen before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sighting {
    /// The account's first device ever: nothing to compare with, so no alert.
    First,
    Known,
    /// The account has other devices but not this one.
    New,
}

/// The devices each account logged in from.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait KnownDevices: Send + Sync {
    /// Records that `user_id` logged in from `device` at `now` and says whether it was seen
    /// before, atomically: of two concurrent first logins from one new device exactly one sees
    /// `New` (or `First`).
    async fn observe(
        &self,
        user_id: UserId,
        device: &DeviceFingerprint,
        now: Timestamp,
    ) -> Result<Sighting, PortError>;
}

/// A User-Agent in words, for alerts and session lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceDescription {
    /// `Chrome`, `Firefox`, ... or `Unknown`.
    pub browser: String,
    /// `Windows`, `macOS`, `iOS`, `Android`, ... or `Unknown`.
    pub os: String,
    /// `Desktop`, `Mobile`, `Tablet`, `Bot` or `Unknown`.
    pub device: &'static str,
}

/// Reads a User-Agent. Pure and local.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait DeviceNames: Send + Sync {
    // mockall needs the lifetime named.
    #[allow(clippy::needless_lifetimes)]
    fn describe<'a>(&self, user_agent: Option<&'a str>) -> DeviceDescription;
}

/// Where an address is, as far as a GeoIP database knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// ISO 3166-1 alpha-2 (`VN`, `US`).
    pub country: String,
    pub city: Option<String>,
}

/// Looks an address up in a local GeoIP database. Pure and local; `None` when there is no
/// database, the address is private or unknown to it, or it is not an address.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait Geolocator: Send + Sync {
    fn locate(&self, ip: &str) -> Option<Location>;
}

/// No GeoIP database: every place is unknown.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoGeolocation;

impl Geolocator for NoGeolocation {
    fn locate(&self, _ip: &str) -> Option<Location> {
        None
    }
}
