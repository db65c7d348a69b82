//! What the cleanup sweep removes, and from when: pure cut-offs from `now` and the retentions.
//!
//! A row is swept only once it can no longer change an answer (or once the operator's retention
//! for a record has passed):
//! - a session revoked, or whose current refresh token expired, longer than `sessions` ago,
//!   with every refresh token of its family;
//! - a one-time token used or expired longer than `sessions` ago (until then an expired link
//!   still answers "expired" rather than "invalid");
//! - an outbox message delivered or given up longer than `outbox` ago (a pending one never);
//! - an audit event older than `audit`;
//! - an MFA challenge or a remembered device past its expiry (either answers as none does);
//! - the failure count of an identifier naming no account once its lock has expired (it
//!   answers as no count does). A count that never locked is kept: deleting it would reset a
//!   count that an account keeps, and the difference would tell who has an account.

use crate::Timestamp;
use chrono::Duration;

/// `SESSION_RETENTION`, `OUTBOX_RETENTION`, `AUDIT_RETENTION`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionPolicy {
    /// How long ended sessions and used or expired one-time tokens are kept (30 days).
    pub sessions: Duration,
    /// How long delivered and dead outbox messages are kept (7 days).
    pub outbox: Duration,
    /// How long audit events are kept (365 days).
    pub audit: Duration,
}

impl Default for RetentionPolicy {
    fn default() -> Self {
        Self {
            sessions: Duration::days(30),
            outbox: Duration::days(7),
            audit: Duration::days(365),
        }
    }
}

/// The instants a sweep started at `now` deletes before. Everything strictly older goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SweepCutoffs {
    /// Expired MFA challenges and remembered devices, expired identifier locks.
    pub now: Timestamp,
    /// Sessions revoked or expired, one-time tokens used or expired, before this.
    pub ended_before: Timestamp,
    /// Outbox messages delivered or given up before this.
    pub outbox_finished_before: Timestamp,
    /// Audit events recorded before this.
    pub audit_before: Timestamp,
}

impl RetentionPolicy {
    #[must_use]
    pub fn cutoffs(&self, now: Timestamp) -> SweepCutoffs {
        SweepCutoffs {
            now,
            ended_before: now - self.sessions,
            outbox_finished_before: now - self.outbox,
            audit_before: now - self.audit,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn each_cutoff_is_its_retention_before_now() {
        let now = Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap();
        let c = RetentionPolicy::default().cutoffs(now);
        assert_eq!(c.now, now);
        assert_eq!(
            c.ended_before,
            Utc.with_ymd_and_hms(2026, 5, 2, 12, 0, 0).unwrap()
        );
        assert_eq!(
            c.outbox_finished_before,
            Utc.with_ymd_and_hms(2026, 5, 25, 12, 0, 0).unwrap()
        );
        assert_eq!(
            c.audit_before,
            Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0).unwrap()
        );
    }
}
