//! The cleanup sweep's task: one sweep shortly after start-up, then one every `SWEEP_INTERVAL`,
//! until shutdown. Told to stop as soon as the signal comes, the task starts no new sweep, and a
//! sweep in progress has the drain, the grace and then [`finish`]'s limit to end. One that still
//! runs then (a first sweep of a large backlog can take minutes) is cut short: nothing is left
//! half done, since every batch commits on its own (the batch cut rolls back and is deleted by
//! the next sweep), and the advisory lock is released with the sweep's own connection.

use authd_domain::ports::SweepOutcome;
use authd_domain::services::CleanupSweep;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Rows per statement: small enough that each delete holds its row locks for milliseconds.
pub(crate) const BATCH: usize = 1000;

/// Runs until `stop` turns true (or its sender is dropped).
pub(crate) async fn run(sweep: CleanupSweep, every: Duration, stop: watch::Receiver<bool>) {
    crate::periodic::every(every, stop, || round(&sweep)).await;
    tracing::debug!("cleanup sweep stopped");
}

/// Waits up to `limit` for the task to end its sweep, then cuts it short.
pub(crate) async fn finish(mut task: JoinHandle<()>, limit: Duration) {
    if tokio::time::timeout(limit, &mut task).await.is_err() {
        tracing::info!("cleanup sweep: cut short by shutdown; the next sweep goes on from there");
        task.abort();
        let _ = task.await;
    }
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
