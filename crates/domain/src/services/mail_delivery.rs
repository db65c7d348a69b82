//! Draining the outbox: the background worker's one step, with retries and backoff.

use crate::error::InfraError;
use crate::policy::backoff::RetryPolicy;
use crate::ports::{Clock, Mailer, Outbox};
use std::sync::Arc;

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
    pub async fn run_once(&self, batch: usize) -> Result<usize, InfraError> {
        todo!(
            "{batch} {self:?} {}",
            std::mem::size_of_val(&self.outbox)
                + std::mem::size_of_val(&self.mailer)
                + std::mem::size_of_val(&self.clock)
        )
    }
}
