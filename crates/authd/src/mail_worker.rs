//! The outbox worker: a tokio task that drains the outbox every `OUTBOX_POLL_INTERVAL_MS` until
//! shutdown, then tries once more so that mail queued by the last requests is not left behind.

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

/// The last round before exit may not hold shutdown up longer than this.
const FINAL_ROUND_LIMIT: Duration = Duration::from_secs(5);

/// Runs until `stop` turns true (or its sender is dropped).
pub(crate) async fn run(
    delivery: MailDelivery,
    every: Duration,
    batch: usize,
    stop: watch::Receiver<bool>,
) {
    crate::periodic::every(every, stop, || drain(&delivery, batch)).await;
    if tokio::time::timeout(FINAL_ROUND_LIMIT, drain(&delivery, batch))
        .await
        .is_err()
    {
        tracing::warn!("outbox: the last delivery round before shutdown timed out");
    }
    tracing::debug!("outbox worker stopped");
}

async fn drain(delivery: &MailDelivery, batch: usize) {
    loop {
        match delivery.run_once(batch).await {
            Ok(delivered) if delivered >= batch => continue,
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
