//! Short-lived state shared by every instance (the denylist, rate limits), mail and SMS delivery.

use crate::Timestamp;
use crate::error::PortError;
use crate::ids::{SessionId, TokenId, UserId};
use crate::notification::Letter;
use crate::policy::rate_limit::{RateLimit, RateLimitDecision};
use crate::sms::Sms;
use crate::token::AccessClaims;
use async_trait::async_trait;
use thiserror::Error;

/// Revoked access tokens. Access tokens are stateless, so revocation needs a fast shared lookup.
///
/// Every denial names the user whose tokens it denies, so that a store can keep all of one
/// user's denials together (Redis Cluster: one hash slot) and answer [`Self::is_denied`] with
/// one lookup.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait TokenDenylist: Send + Sync {
    /// Denies one access token of `user_id` until `until` (its expiry).
    async fn deny_token(
        &self,
        user_id: UserId,
        id: TokenId,
        until: Timestamp,
    ) -> Result<(), PortError>;

    /// Denies every access token of these sessions, all of `user_id`, until `until` (the
    /// longest access-token lifetime from now).
    async fn deny_sessions(
        &self,
        user_id: UserId,
        ids: &[SessionId],
        until: Timestamp,
    ) -> Result<(), PortError>;

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

/// How many accounts one address may fail to log in to within a window before it is suspected
/// of credential stuffing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpreadLimit {
    /// `STUFFING_THRESHOLD` (10): distinct accounts (or unknown identifiers).
    pub accounts: u32,
    /// `STUFFING_WINDOW` (15 min), a fixed window as the rate limits use.
    pub window: chrono::Duration,
}

/// Counts, per client address, the distinct login targets that failed, shared by every
/// instance (Redis in production).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait FailureSpread: Send + Sync {
    /// Adds `target` (a digest naming the account or identifier, never the text) to the
    /// failures of `ip` in the window holding `now`. `true` exactly once per address and
    /// window: for the failure that brings the count of distinct targets to `limit.accounts`,
    /// even among concurrent calls.
    async fn record(
        &self,
        ip: &str,
        target: &str,
        limit: SpreadLimit,
        now: Timestamp,
    ) -> Result<bool, PortError>;
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

/// Sends one text message now.
///
/// No health check, unlike [`Mailer`]: a webhook has no request that proves it would deliver
/// without delivering (a `HEAD` or `GET` may be unrouted, or counted as a message), and a bare
/// connection test proves little. Whether SMS go out is seen in the outcome of each send.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait SmsSender: Send + Sync {
    /// # Errors
    /// [`SmsError::Transient`] when trying again later may work (gateway down, timeout,
    /// throttled); [`SmsError::Permanent`] when it never will (number or request refused).
    /// Neither ever holds the text.
    async fn send(&self, message: &Sms) -> Result<(), SmsError>;
}

#[derive(Debug, Error)]
pub enum SmsError {
    #[error("temporary SMS delivery failure: {0}")]
    Transient(String),
    #[error("permanent SMS delivery failure: {0}")]
    Permanent(String),
}
