//! The cleanup sweep: deleting rows that can no longer change an answer, or whose retention has
//! passed (see [`crate::policy::retention`] for which).

use crate::error::PortError;
use crate::policy::retention::SweepCutoffs;
use async_trait::async_trait;

/// Deletes what the cut-offs leave behind, a bounded batch per statement.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait Retention: Send + Sync {
    /// One sweep of every table, `batch` rows per statement at most, until a batch comes back
    /// short. Live rows (a live session, an unused unexpired token, a pending message, an event
    /// younger than its retention, a failure count still locking or counting) are never
    /// touched. When another instance is sweeping right now, returns [`SweepOutcome::Busy`]
    /// at once and deletes nothing: one sweep at a time is enough.
    async fn sweep(&self, cutoffs: &SweepCutoffs, batch: usize) -> Result<SweepOutcome, PortError>;
}

/// What one call of [`Retention::sweep`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SweepOutcome {
    Swept(SweptRows),
    /// Another instance holds the sweep; nothing was done.
    Busy,
}

/// Rows deleted, per table. A session's refresh tokens go with it and are not counted apart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweptRows {
    pub sessions: u64,
    pub one_time_tokens: u64,
    pub outbox: u64,
    pub audit_events: u64,
    pub mfa_challenges: u64,
    pub remembered_devices: u64,
    pub login_failures: u64,
}

impl SweptRows {
    /// Each table's metric label and count.
    #[must_use]
    pub fn by_table(&self) -> [(&'static str, u64); 7] {
        [
            ("sessions", self.sessions),
            ("one_time_tokens", self.one_time_tokens),
            ("outbox", self.outbox),
            ("audit_events", self.audit_events),
            ("mfa_challenges", self.mfa_challenges),
            ("mfa_remembered_devices", self.remembered_devices),
            ("login_failures", self.login_failures),
        ]
    }

    #[must_use]
    pub fn total(&self) -> u64 {
        self.by_table().iter().map(|(_, n)| n).sum()
    }
}
