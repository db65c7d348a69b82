//! The cleanup sweep: the background task's one step, deleting what the retention policy says
//! can go (see [`crate::policy::retention`]).

use crate::error::PortError;
use crate::policy::retention::RetentionPolicy;
use crate::ports::{Clock, Retention, SweepOutcome};
use crate::telemetry::Telemetry;
use std::fmt;
use std::sync::Arc;
use std::time::Instant;

/// The ports [`CleanupSweep`] calls.
#[derive(Clone)]
pub struct CleanupSweepPorts {
    pub retention: Arc<dyn Retention>,
    pub clock: Arc<dyn Clock>,
    pub telemetry: Arc<dyn Telemetry>,
}

impl fmt::Debug for CleanupSweepPorts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CleanupSweepPorts").finish_non_exhaustive()
    }
}

/// One sweep of every table, a batch of `batch` rows per statement.
#[derive(Debug, Clone)]
pub struct CleanupSweep {
    ports: CleanupSweepPorts,
    policy: RetentionPolicy,
    batch: usize,
}

impl CleanupSweep {
    #[must_use]
    pub fn new(ports: CleanupSweepPorts, policy: RetentionPolicy, batch: usize) -> Self {
        Self {
            ports,
            policy,
            batch: batch.max(1),
        }
    }

    /// Sweeps once, counting the rows deleted per table.
    ///
    /// # Errors
    /// What the storage reports; rows deleted by the batches before the failure stay deleted.
    pub async fn run_once(&self) -> Result<SweepOutcome, PortError> {
        let cutoffs = self.policy.cutoffs(self.ports.clock.now());
        let started = Instant::now();
        let outcome = self.ports.retention.sweep(&cutoffs, self.batch).await;
        let telemetry = &self.ports.telemetry;
        match &outcome {
            Ok(SweepOutcome::Swept(rows)) => {
                for (table, n) in rows.by_table() {
                    telemetry.rows_swept(table, n);
                }
                telemetry.sweep_finished(started.elapsed());
            }
            Ok(SweepOutcome::Busy) => {}
            Err(_) => telemetry.sweep_finished(started.elapsed()),
        }
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::{MockClock, MockRetention, SweptRows};
    use chrono::{Duration, TimeZone, Utc};
    use std::sync::Mutex;

    #[derive(Debug, Default)]
    struct Recorded {
        swept: Mutex<Vec<(&'static str, u64)>>,
        finished: Mutex<u32>,
    }

    impl Telemetry for Recorded {
        fn rows_swept(&self, table: &'static str, rows: u64) {
            self.swept.lock().unwrap().push((table, rows));
        }
        fn sweep_finished(&self, _took: std::time::Duration) {
            *self.finished.lock().unwrap() += 1;
        }
    }

    fn sweep(outcome: SweepOutcome, telemetry: Arc<Recorded>) -> CleanupSweep {
        let now = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
        let mut clock = MockClock::new();
        clock.expect_now().return_const(now);
        let mut retention = MockRetention::new();
        retention
            .expect_sweep()
            .withf(move |c, batch| {
                c.now == now && c.audit_before == now - Duration::days(10) && *batch == 7
            })
            .times(1)
            .returning(move |_, _| Ok(outcome));
        let policy = RetentionPolicy {
            audit: Duration::days(10),
            ..RetentionPolicy::default()
        };
        let ports = CleanupSweepPorts {
            retention: Arc::new(retention),
            clock: Arc::new(clock),
            telemetry,
        };
        CleanupSweep::new(ports, policy, 7)
    }

    #[tokio::test]
    async fn a_sweep_asks_with_the_policys_cutoffs_and_counts_each_table() {
        let telemetry = Arc::new(Recorded::default());
        let rows = SweptRows {
            sessions: 3,
            audit_events: 5,
            ..SweptRows::default()
        };
        let outcome = sweep(SweepOutcome::Swept(rows), telemetry.clone())
            .run_once()
            .await
            .unwrap();
        assert_eq!(outcome, SweepOutcome::Swept(rows));
        let swept = telemetry.swept.lock().unwrap().clone();
        assert!(swept.contains(&("sessions", 3)) && swept.contains(&("audit_events", 5)));
        assert_eq!(swept.len(), 7, "every table is reported, zeros included");
        assert_eq!(*telemetry.finished.lock().unwrap(), 1);
    }

    #[tokio::test]
    async fn a_sweep_another_instance_holds_reports_nothing() {
        let telemetry = Arc::new(Recorded::default());
        let outcome = sweep(SweepOutcome::Busy, telemetry.clone())
            .run_once()
            .await
            .unwrap();
        assert_eq!(outcome, SweepOutcome::Busy);
        assert!(telemetry.swept.lock().unwrap().is_empty());
        assert_eq!(*telemetry.finished.lock().unwrap(), 0);
    }
}
