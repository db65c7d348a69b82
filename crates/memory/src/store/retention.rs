//! [`Retention`] in memory. The store already sweeps most dead data on its own as it is written
//! (see the module's "Growth"): delivered and dead outbox messages go at once; ended sessions,
//! expired one-time tokens, MFA challenges and remembered devices at most every
//! `SWEEP_INTERVAL`, after the store's own `RETENTION`. What it keeps until asked is the
//! audit trail (capped by count, not by age) and expired identifier locks (dropped only when the
//! map is full): those two are swept here. One process, one lock: never `Busy`.

use super::MemoryStore;
use async_trait::async_trait;
use authd_domain::error::PortError;
use authd_domain::policy::retention::SweepCutoffs;
use authd_domain::ports::{Retention, SweepOutcome, SweptRows};

#[async_trait]
impl Retention for MemoryStore {
    async fn sweep(
        &self,
        cutoffs: &SweepCutoffs,
        _batch: usize,
    ) -> Result<SweepOutcome, PortError> {
        let mut t = self.lock();
        let events = t.audit.len();
        t.audit.retain(|e| e.at >= cutoffs.audit_before);
        let audit_events = events - t.audit.len();
        let identifiers = t.unknown_logins.len();
        t.unknown_logins
            .retain(|_, state| state.locked_until.is_none_or(|until| until > cutoffs.now));
        let login_failures = identifiers - t.unknown_logins.len();
        Ok(SweepOutcome::Swept(SweptRows {
            audit_events: count(audit_events),
            login_failures: count(login_failures),
            ..SweptRows::default()
        }))
    }
}

fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}
