//! The cleanup sweep's task: one sweep shortly after start-up, then one every `SWEEP_INTERVAL`,
//! until shutdown. A sweep in progress when shutdown comes is cut short (the task is aborted):
//! nothing is left half done, since every batch commits on its own, and the advisory lock is
//! released with the sweep's own connection.

use authd_domain::ports::SweepOutcome;
use authd_domain::services::CleanupSweep;
use std::time::Duration;
use tokio::sync::watch;

/// Rows per statement: small enough that each delete holds its row locks for milliseconds.
pub(crate) const BATCH: usize = 1000;

/// Runs until `stop` turns true (or its sender is dropped).
pub(crate) async fn run(sweep: CleanupSweep, every: Duration, stop: watch::Receiver<bool>) {
    crate::periodic::every(every, stop, || round(&sweep)).await;
    tracing::debug!("cleanup sweep stopped");
}

async fn round(sweep: &CleanupSweep) {
    match sweep.run_once().await {
        Ok(SweepOutcome::Swept(rows)) if rows.total() > 0 => {
            tracing::info!(
                sessions = rows.sessions,
                one_time_tokens = rows.one_time_tokens,
                outbox = rows.outbox,
                audit_events = rows.audit_events,
                mfa_challenges = rows.mfa_challenges,
                remembered_devices = rows.remembered_devices,
                login_failures = rows.login_failures,
                "cleanup sweep: old rows deleted"
            );
        }
        Ok(SweepOutcome::Swept(_)) => tracing::debug!("cleanup sweep: nothing to delete"),
        Ok(SweepOutcome::Busy) => {
            tracing::debug!("cleanup sweep: another instance is sweeping; skipped");
        }
        Err(e) => tracing::warn!(error = %e, "cleanup sweep failed; retrying at the next tick"),
    }
}
