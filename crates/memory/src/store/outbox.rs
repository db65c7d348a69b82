//! [`Outbox`] over the in-memory tables. A claim leases messages until `now + lease`; delivered
//! and dead messages are dropped (the delivery worker logs why a message died).

use super::{MemoryStore, OutboxRow, Tables, plus};
use async_trait::async_trait;
use authd_domain::Timestamp;
use authd_domain::error::PortError;
use authd_domain::ids::MessageId;
use authd_domain::notification::{Notification, OutboxMessage};
use authd_domain::ports::{Outbox, OutboxCounts};
use chrono::Duration;

impl Tables {
    /// Queues `mail`, due at once, inside whatever unit of work holds the lock.
    pub(super) fn enqueue(&mut self, mail: &Notification, now: Timestamp) -> MessageId {
        let id = MessageId::new();
        self.outbox_seq += 1;
        self.outbox.insert(
            id,
            OutboxRow {
                message: OutboxMessage {
                    id,
                    notification: mail.clone(),
                    created_at: now,
                    attempts: 0,
                },
                seq: self.outbox_seq,
                due_at: now,
                leased_until: None,
            },
        );
        id
    }
}

#[async_trait]
impl Outbox for MemoryStore {
    async fn enqueue(&self, mail: &Notification, now: Timestamp) -> Result<MessageId, PortError> {
        let mut t = self.lock();
        t.maybe_sweep(now);
        Ok(t.enqueue(mail, now))
    }

    async fn claim_due(
        &self,
        now: Timestamp,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<OutboxMessage>, PortError> {
        let mut t = self.lock();
        let mut due: Vec<&mut OutboxRow> = t
            .outbox
            .values_mut()
            .filter(|row| row.due_at <= now && row.leased_until.is_none_or(|until| until <= now))
            .collect();
        due.sort_by_key(|row| (row.due_at, row.seq));
        due.truncate(limit);
        let leased_until = plus(now, lease);
        Ok(due
            .into_iter()
            .map(|row| {
                row.leased_until = Some(leased_until);
                row.message.clone()
            })
            .collect())
    }

    async fn mark_sent(&self, id: MessageId, _now: Timestamp) -> Result<(), PortError> {
        self.lock().outbox.remove(&id);
        Ok(())
    }

    async fn mark_failed(
        &self,
        id: MessageId,
        retry_at: Option<Timestamp>,
        _error: &str,
    ) -> Result<(), PortError> {
        let mut t = self.lock();
        match retry_at {
            Some(at) => {
                if let Some(row) = t.outbox.get_mut(&id) {
                    row.message.attempts = row.message.attempts.saturating_add(1);
                    row.due_at = at;
                    row.leased_until = None;
                }
            }
            None => {
                if t.outbox.remove(&id).is_some() {
                    t.outbox_dead += 1;
                }
            }
        }
        Ok(())
    }

    async fn counts(&self) -> Result<OutboxCounts, PortError> {
        let t = self.lock();
        let retrying = t
            .outbox
            .values()
            .filter(|row| row.message.attempts > 0)
            .count();
        Ok(OutboxCounts {
            pending: (t.outbox.len() - retrying) as u64,
            retrying: retrying as u64,
            dead: t.outbox_dead,
        })
    }
}
