//! The outbox worker: a tokio task that drains the outbox every `OUTBOX_POLL_INTERVAL_MS` until
//! shutdown, then tries once more so that mail queued by the last requests is not left behind.

use authd_domain::services::MailDelivery;
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::MissedTickBehavior;

/// Messages claimed per round; a full batch is followed by another round at once.
const BATCH: usize = 50;

/// The last round before exit may not hold shutdown up longer than this.
const FINAL_ROUND_LIMIT: Duration = Duration::from_secs(5);

/// Runs until `stop` turns true (or its sender is dropped).
pub(crate) async fn run(delivery: MailDelivery, every: Duration, mut stop: watch::Receiver<bool>) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() {
                    break;
                }
            }
            _ = ticks.tick() => drain(&delivery).await,
        }
    }
    if tokio::time::timeout(FINAL_ROUND_LIMIT, drain(&delivery))
        .await
        .is_err()
    {
        tracing::warn!("outbox: the last delivery round before shutdown timed out");
    }
    tracing::debug!("outbox worker stopped");
}

async fn drain(delivery: &MailDelivery) {
    loop {
        match delivery.run_once(BATCH).await {
            Ok(delivered) if delivered >= BATCH => continue,
            Ok(_) => break,
            Err(e) => {
                tracing::warn!(error = %e, "outbox: delivery round failed; retrying at the next tick");
                break;
            }
        }
    }
}
