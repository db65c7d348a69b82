//! Audit events written to PostgreSQL in batches by a background task, off the request path.
//!
//! Every login, refresh and logout records an event; written inline, each costs a request one
//! more database round trip (a tenth of a refresh's CPU). Here a request hands its event to a
//! bounded queue and answers; the writer takes whatever has gathered (up to [`MAX_BATCH`]) and
//! stores it with one multi-row INSERT, in the order recorded.
//!
//! What this changes, and why it is safe:
//! - A database outage no longer loses events: a batch that fails is kept and written again
//!   with backoff, while new events wait in the queue. Only when the queue is full does a
//!   request write its event itself, inline, as before (and that write, failing, is logged as a
//!   lost event as before).
//! - Stopping (SIGTERM) writes what is queued before the process exits, within
//!   [`FINAL_FLUSH_LIMIT`]. A crash loses what was queued: at most the few milliseconds of events
//!   since the last batch.
//! - Reading a user's trail may miss the events of the last few milliseconds.

use async_trait::async_trait;
use authd_domain::audit::AuditEvent;
use authd_domain::error::PortError;
use authd_domain::ids::UserId;
use authd_domain::ports::AuditLog;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

/// Events waiting at most; beyond, requests write their own.
const QUEUE: usize = 10_000;
/// Events per INSERT at most.
const MAX_BATCH: usize = 256;
/// A failed batch is tried again after this, doubling up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// Stopping may not wait longer than this for the last events.
pub const FINAL_FLUSH_LIMIT: Duration = Duration::from_secs(5);

/// The [`AuditLog`] the services use: queues, or writes inline when the queue is full.
pub struct BufferedAudit {
    queue: mpsc::Sender<AuditEvent>,
    store: Arc<dyn AuditLog>,
}

impl fmt::Debug for BufferedAudit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BufferedAudit")
            .field("free_slots", &self.queue.capacity())
            .finish_non_exhaustive()
    }
}

/// The running writer: stop it to write what is queued and end.
#[derive(Debug)]
pub struct AuditWriter {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

/// Starts the writer over `store` and returns the log the services should record into.
pub fn start(store: Arc<dyn AuditLog>) -> (Arc<BufferedAudit>, AuditWriter) {
    let (queue, events) = mpsc::channel(QUEUE);
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(run(Arc::clone(&store), events, stopped));
    (
        Arc::new(BufferedAudit { queue, store }),
        AuditWriter { stop, task },
    )
}

impl AuditWriter {
    /// Writes what is queued (within [`FINAL_FLUSH_LIMIT`]) and ends the task.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        if tokio::time::timeout(FINAL_FLUSH_LIMIT, self.task)
            .await
            .is_err()
        {
            tracing::error!(
                "audit: the last events could not be written before shutdown and are lost"
            );
        }
    }
}

#[async_trait]
impl AuditLog for BufferedAudit {
    async fn record(&self, event: &AuditEvent) -> Result<(), PortError> {
        match self.queue.try_send(event.clone()) {
            Ok(()) => Ok(()),
            // Full (the database is slow or down) or stopped: this request writes its own.
            Err(
                mpsc::error::TrySendError::Full(event) | mpsc::error::TrySendError::Closed(event),
            ) => self.store.record(&event).await,
        }
    }

    async fn for_user(&self, user_id: UserId, limit: usize) -> Result<Vec<AuditEvent>, PortError> {
        self.store.for_user(user_id, limit).await
    }

    /// Straight from the store: an event still queued shows a moment later.
    async fn search(
        &self,
        query: &authd_domain::directory::AuditQuery,
    ) -> Result<authd_domain::directory::Page<AuditEvent>, PortError> {
        self.store.search(query).await
    }
}

async fn run(
    store: Arc<dyn AuditLog>,
    mut events: mpsc::Receiver<AuditEvent>,
    mut stop: watch::Receiver<bool>,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    loop {
        tokio::select! {
            received = events.recv_many(&mut batch, MAX_BATCH) => {
                if received == 0 {
                    return;
                }
                write(store.as_ref(), &mut batch, &mut stop).await;
            }
            changed = stop.changed() => {
                if changed.is_err() {
                    break;
                }
            }
        }
        if *stop.borrow() {
            break;
        }
    }
    // Stopping: what is queued now is the last of it, written once more each.
    events.close();
    loop {
        if batch.is_empty() && events.recv_many(&mut batch, MAX_BATCH).await == 0 {
            return;
        }
        write(store.as_ref(), &mut batch, &mut stop).await;
        if !batch.is_empty() {
            let mut lost = batch.len();
            while let Ok(_event) = events.try_recv() {
                lost += 1;
            }
            tracing::error!(
                lost,
                "audit: the database is unavailable at shutdown; events lost"
            );
            return;
        }
    }
}

/// Writes `batch` and empties it; a batch the database refuses as unavailable is tried again
/// with backoff until it is written or the writer is told to stop (then it is left in `batch`).
async fn write(
    store: &dyn AuditLog,
    batch: &mut Vec<AuditEvent>,
    stop: &mut watch::Receiver<bool>,
) {
    let mut backoff = FIRST_BACKOFF;
    loop {
        match store.record_all(batch).await {
            Ok(()) => {
                batch.clear();
                return;
            }
            Err(PortError::Unavailable(e)) => {
                tracing::warn!(
                    error = %e,
                    waiting = batch.len(),
                    "audit: the database is unavailable; the events are kept and retried"
                );
                if *stop.borrow() {
                    return;
                }
                tokio::select! {
                    () = tokio::time::sleep(backoff) => {}
                    _ = stop.changed() => {}
                }
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
            // Not the database being away: one event the store refuses must not hold up the
            // others, so each is written alone and only the refused ones are lost.
            Err(PortError::Internal(e)) => {
                tracing::warn!(error = %e, "audit: a batch was refused; writing its events one by one");
                for event in batch.drain(..) {
                    if let Err(e) = store.record(&event).await {
                        tracing::error!(error = %e, kind = event.kind.as_str(), "audit event lost");
                    }
                }
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests;
