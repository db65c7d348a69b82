//! Draining the outbox: the background worker's one step, with retries and backoff.

use crate::error::InfraError;
use crate::notification::OutboxMessage;
use crate::policy::backoff::RetryPolicy;
use crate::ports::{Clock, MailError, Mailer, Outbox};
use chrono::Duration;
use std::sync::Arc;

/// How long a claimed batch is ours. Long enough for a slow SMTP server to take every message of
/// a batch; short enough that a crashed worker's messages go out again soon.
const LEASE_SECONDS: i64 = 60;

#[derive(Clone)]
pub struct MailDelivery {
    outbox: Arc<dyn Outbox>,
    mailer: Arc<dyn Mailer>,
    clock: Arc<dyn Clock>,
    retry: RetryPolicy,
}

impl std::fmt::Debug for MailDelivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailDelivery")
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl MailDelivery {
    #[must_use]
    pub fn new(
        outbox: Arc<dyn Outbox>,
        mailer: Arc<dyn Mailer>,
        clock: Arc<dyn Clock>,
        retry: RetryPolicy,
    ) -> Self {
        Self {
            outbox,
            mailer,
            clock,
            retry,
        }
    }

    /// Claims up to `batch` due messages and tries each once. Returns how many were delivered.
    ///
    /// # Errors
    /// `Infra` when the outbox fails. The batch stops there: a message that cannot be marked
    /// would be sent again once its lease runs out, so sending more would only add duplicates.
    #[tracing::instrument(skip_all, fields(batch = batch))]
    pub async fn run_once(&self, batch: usize) -> Result<usize, InfraError> {
        let now = self.clock.now();
        let messages = self
            .outbox
            .claim_due(now, batch, Duration::seconds(LEASE_SECONDS))
            .await?;
        let mut delivered = 0;
        for message in messages {
            if self.deliver(&message).await? {
                delivered += 1;
            }
        }
        Ok(delivered)
    }

    /// Tries one message and records the outcome; `true` when it went out.
    async fn deliver(&self, message: &OutboxMessage) -> Result<bool, InfraError> {
        let id = message.id;
        let kind = message.notification.kind();
        let attempt = message.attempts.saturating_add(1);
        let outcome = self.mailer.deliver(&message.notification).await;
        let now = self.clock.now();
        match outcome {
            Ok(()) => {
                self.outbox.mark_sent(id, now).await?;
                tracing::info!(message_id = %id, kind, attempt, "email delivered");
                Ok(true)
            }
            Err(MailError::Transient(reason)) => {
                let reason = redact(&reason, message);
                match self.retry.next_delay(attempt) {
                    Some(delay) => {
                        let retry_at = now + delay;
                        self.outbox.mark_failed(id, Some(retry_at), &reason).await?;
                        tracing::warn!(message_id = %id, kind, attempt, %retry_at, error = %reason,
                            "email delivery failed; will retry");
                    }
                    None => {
                        self.outbox.mark_failed(id, None, &reason).await?;
                        tracing::error!(message_id = %id, kind, attempt, error = %reason,
                            "email delivery failed too many times; giving up");
                    }
                }
                Ok(false)
            }
            Err(MailError::Permanent(reason)) => {
                let reason = redact(&reason, message);
                self.outbox.mark_failed(id, None, &reason).await?;
                tracing::error!(message_id = %id, kind, attempt, error = %reason,
                    "email rejected permanently; giving up");
                Ok(false)
            }
        }
    }
}

/// A mail server's error often quotes the recipient; logs and the outbox get it without.
fn redact(reason: &str, message: &OutboxMessage) -> String {
    let address = message.notification.recipient().as_str();
    if address.is_empty() {
        reason.to_owned()
    } else {
        reason.replace(address, "<recipient>")
    }
}
