//! Draining the outbox: the background worker's one step, with retries and backoff.

use super::{AuthSettings, Ports};
use crate::error::InfraError;
use crate::notification::{Letter, OutboxMessage};
use crate::policy::backoff::RetryPolicy;
use crate::ports::{
    Clock, MailError, Mailer, OneTimeTokenRepository, Outbox, TokenGenerator, UserRepository,
};
use crate::token::{OneTimeToken, TokenPurpose};
use crate::user::AccountStatus;
use chrono::Duration;
use std::sync::Arc;

/// How long a claimed batch is ours. Long enough for a slow SMTP server to take every message of
/// a batch; short enough that a crashed worker's messages go out again soon.
const LEASE_SECONDS: i64 = 60;

#[derive(Clone)]
pub struct MailDelivery {
    outbox: Arc<dyn Outbox>,
    users: Arc<dyn UserRepository>,
    one_time_tokens: Arc<dyn OneTimeTokenRepository>,
    tokens: Arc<dyn TokenGenerator>,
    mailer: Arc<dyn Mailer>,
    clock: Arc<dyn Clock>,
    verification_ttl: Duration,
    reset_ttl: Duration,
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
        ports: &Ports,
        mailer: Arc<dyn Mailer>,
        settings: &AuthSettings,
        retry: RetryPolicy,
    ) -> Self {
        Self {
            outbox: ports.outbox.clone(),
            users: ports.users.clone(),
            one_time_tokens: ports.one_time_tokens.clone(),
            tokens: ports.tokens.clone(),
            mailer,
            clock: ports.clock.clone(),
            verification_ttl: settings.verification_ttl,
            reset_ttl: settings.reset_ttl,
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
        let outcome = match self.letter_for(message).await {
            Ok(Some(letter)) => self.mailer.deliver(&letter).await,
            Ok(None) => {
                // Not a failure: the account was verified, deleted or suspended since.
                self.outbox
                    .mark_failed(id, None, "dropped: the account no longer needs this link")
                    .await?;
                tracing::info!(message_id = %id, kind, "link email dropped: no longer applies");
                return Ok(false);
            }
            // The token store is down: the same as a mail server that is, try again later.
            Err(e) => Err(MailError::Transient(format!(
                "could not issue the link token: {e}"
            ))),
        };
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

impl MailDelivery {
    /// The message with the token of its link, minted now: its lifetime starts when it is sent,
    /// and a retry mints a new one (which retires the unsent one). `None` when the link no
    /// longer applies: a verification link for an account verified (or gone) since it was
    /// queued, a reset link for an account deleted or suspended since.
    async fn letter_for(&self, message: &OutboxMessage) -> Result<Option<Letter>, InfraError> {
        let Some((user_id, purpose)) = message.notification.link() else {
            return Ok(Some(Letter {
                notification: message.notification.clone(),
                link_token: None,
            }));
        };
        let Some(user) = self.users.find_by_id(user_id).await? else {
            return Ok(None);
        };
        let applies = match purpose {
            TokenPurpose::EmailVerification => {
                user.status == AccountStatus::Pending && !user.email_verified
            }
            TokenPurpose::PasswordReset => !matches!(
                user.status,
                AccountStatus::Deleted | AccountStatus::Suspended
            ),
        };
        if !applies {
            return Ok(None);
        }
        let now = self.clock.now();
        let ttl = match purpose {
            TokenPurpose::EmailVerification => self.verification_ttl,
            TokenPurpose::PasswordReset => self.reset_ttl,
        };
        let token = self.tokens.generate();
        let record = OneTimeToken {
            hash: token.hash,
            user_id,
            purpose,
            created_at: now,
            expires_at: now + ttl,
        };
        self.one_time_tokens.issue(&record).await?;
        Ok(Some(Letter {
            notification: message.notification.clone(),
            link_token: Some(token.raw),
        }))
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
