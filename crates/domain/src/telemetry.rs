//! What the service tells its operators as it works: the events worth counting (a login and how
//! it ended, a refresh, a reused refresh token, an account locked, a password hashed or refused
//! for lack of capacity, an email sent). The [`Telemetry`] port receives them; an adapter turns
//! them into metrics. Every method does nothing by default, so [`NoTelemetry`] serves tests and
//! anything wired without metrics.

use std::fmt;
use std::time::Duration;

/// How a login ended, as operators count it. Bounded: one label value per variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LoginOutcome {
    Success,
    /// Unknown account or wrong password.
    InvalidCredentials,
    /// The account (or the unknown identifier) is locked, now or by this very failure.
    Locked,
    EmailNotVerified,
    /// Suspended or deleted.
    AccountDisabled,
    MissingCredentials,
    /// A second factor is needed (reserved for the MFA issue; never reported yet).
    MfaRequired,
    /// The hashing pool was full (503 `SERVICE_BUSY`).
    Busy,
    /// A backing service failed.
    Error,
}

impl LoginOutcome {
    pub const ALL: [Self; 9] = [
        Self::Success,
        Self::InvalidCredentials,
        Self::Locked,
        Self::EmailNotVerified,
        Self::AccountDisabled,
        Self::MissingCredentials,
        Self::MfaRequired,
        Self::Busy,
        Self::Error,
    ];

    /// The label value.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::InvalidCredentials => "invalid_credentials",
            Self::Locked => "locked",
            Self::EmailNotVerified => "email_not_verified",
            Self::AccountDisabled => "account_disabled",
            Self::MissingCredentials => "missing_credentials",
            Self::MfaRequired => "mfa_required",
            Self::Busy => "busy",
            Self::Error => "error",
        }
    }
}

/// The events a running service reports. Implementations must be cheap (an atomic add): they
/// run on the request path.
pub trait Telemetry: Send + Sync + fmt::Debug {
    fn login(&self, _outcome: LoginOutcome) {}

    /// A refresh token exchanged for a new pair.
    fn refreshed(&self) {}

    /// A rotated refresh token came back after its grace window: the family was revoked.
    fn refresh_reuse_detected(&self) {}

    /// An account or an unknown identifier became locked by a failed login.
    fn locked_out(&self) {}

    /// A hashing job is about to enter the queue; [`Self::hash_started`] or
    /// [`Self::hashing_busy`] follows.
    fn hash_queued(&self) {}

    /// A hashing job left the queue for a thread after waiting `waited`.
    fn hash_started(&self, _waited: Duration) {}

    /// A hashing job (hash or verification) took `took` on its thread.
    fn hash_finished(&self, _took: Duration) {}

    /// A hashing job announced by [`Self::hash_queued`] was refused: the queue was full (503
    /// `SERVICE_BUSY`).
    fn hashing_busy(&self) {}

    /// A hashing job announced by [`Self::hash_queued`] was refused because the hashing threads
    /// have stopped (shutdown): it leaves the queue, but no client was told the service is busy.
    fn hashing_stopped(&self) {}

    /// An email of `kind` ([`crate::notification::Notification::kind`]) was handed to the
    /// transport.
    fn email_sent(&self, _kind: &'static str) {}

    /// An email of `kind` failed for good (permanently, or too many times) and will not be sent;
    /// a link email dropped because its account no longer needs it is not one.
    fn email_given_up(&self, _kind: &'static str) {}

    /// The cleanup sweep deleted `rows` rows of `table` (a bounded set of table names).
    fn rows_swept(&self, _table: &'static str, _rows: u64) {}

    /// A cleanup sweep ran to its end (or failed) after `took`; a sweep skipped because another
    /// instance held it is not one.
    fn sweep_finished(&self, _took: Duration) {}
}

/// Reports nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoTelemetry;

impl Telemetry for NoTelemetry {}

/// What a connection pool of a backing service reports when asked (at each scrape).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PoolStats {
    /// The most connections the pool opens.
    pub max: u64,
    /// Connections open now.
    pub open: u64,
    /// Connections lent out now.
    pub in_use: u64,
    /// Callers waiting for a connection now.
    pub waiting: u64,
    /// Checkouts since start that had to wait for a connection, when the pool counts them.
    pub waits_total: Option<u64>,
    /// Calls since start that failed because the service did not answer, refused the
    /// connection or answered with an error.
    pub errors_total: u64,
}
