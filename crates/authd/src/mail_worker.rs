//! The outbox worker: a tokio task that drains the outbox every `OUTBOX_POLL_INTERVAL_MS` until
//! shutdown, then tries once more so that mail queued by the last requests is not left behind.
//!
//! Shutdown never cuts a batch short (a message sent but not yet marked sent would be sent again
//! by whoever claims it next): a round in progress stops after its current batch, and the last
//! round takes batches while [`FINAL_ROUND_LIMIT`] lasts. What is left stays in the outbox, in
//! PostgreSQL, for the other instances or the next start.

use authd_domain::services::MailDelivery;
use std::time::Duration;
use tokio::sync::watch;

/// Messages claimed per round at most; a full batch is followed by another round at once.
const MAX_BATCH: usize = 50;

/// How long the outbox leases a claimed batch to one worker (`MailDelivery`'s lease).
const LEASE: Duration = Duration::from_secs(60);

/// The batch that one worker can surely finish within its lease even when every delivery runs
/// into the transport's timeout (an SMTP server that accepts connections and then hangs): a
/// message still unsent when the lease ran out could be claimed and sent by another instance
/// too. Half the lease, for margin. Without a timeout (files), the largest batch.
pub(crate) fn batch_for(delivery_timeout: Option<Duration>) -> usize {
    let Some(timeout) = delivery_timeout.filter(|t| !t.is_zero()) else {
        return MAX_BATCH;
    };
    let fits = (LEASE / 2).as_millis() / timeout.as_millis();
    usize::try_from(fits)
        .unwrap_or(MAX_BATCH)
        .clamp(1, MAX_BATCH)
}

/// The last round before exit starts no new batch after this.
const FINAL_ROUND_LIMIT: Duration = Duration::from_secs(5);

/// Runs until `stop` turns true (or its sender is dropped).
pub(crate) async fn run(
    delivery: MailDelivery,
    every: Duration,
    batch: usize,
    stop: watch::Receiver<bool>,
) {
    let stopping = stop.clone();
    // A sender dropped counts as stopping too.
    let go_on = || !*stopping.borrow() && stopping.has_changed().is_ok();
    crate::periodic::every(every, stop, || drain(&delivery, batch, go_on)).await;
    let deadline = tokio::time::Instant::now() + FINAL_ROUND_LIMIT;
    drain(&delivery, batch, || tokio::time::Instant::now() < deadline).await;
    tracing::debug!("outbox worker stopped");
}

/// Delivers batches while they come back full and `go_on` says so.
async fn drain(delivery: &MailDelivery, batch: usize, go_on: impl Fn() -> bool) {
    loop {
        match delivery.run_once(batch).await {
            Ok(delivered) if delivered >= batch && go_on() => continue,
            Ok(_) => break,
            Err(e) => {
                tracing::warn!(error = %e, "outbox: delivery round failed; retrying at the next tick");
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_of_slow_deliveries_still_fits_in_half_the_lease() {
        assert_eq!(batch_for(None), MAX_BATCH);
        assert_eq!(batch_for(Some(Duration::from_secs(10))), 3);
        assert_eq!(batch_for(Some(Duration::from_secs(30))), 1);
        assert_eq!(batch_for(Some(Duration::from_millis(100))), MAX_BATCH);
    }
}
