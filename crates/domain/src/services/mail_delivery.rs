//! Draining the outbox: the background worker's one step, with retries and backoff.

use super::AuthSettings;
use crate::error::InfraError;
use crate::mfa::EMAIL_CODE_TTL;
use crate::notification::{Letter, Notification, OutboxMessage, SMS_CODE_GIVE_UP};
use crate::policy::backoff::RetryPolicy;
use crate::ports::{
    Clock, CodeTarget, MailError, Mailer, MfaRepository, OneTimePasswords, OneTimeTokenRepository,
    Outbox, SmsError, SmsSender, TokenGenerator, UserRepository,
};
use crate::sms::{Sms, SmsText};
use crate::telemetry::Telemetry;
use crate::token::{ACCOUNT_UNLOCK_TTL, OneTimeToken, TokenPurpose};
use crate::user::AccountStatus;
use chrono::Duration;
use std::fmt;
use std::sync::Arc;

/// How long a claimed batch is ours. Long enough for a slow SMTP server to take every message of
/// a batch; short enough that a crashed worker's messages go out again soon.
const LEASE_SECONDS: i64 = 60;

/// The ports [`MailDelivery`] calls.
#[derive(Clone)]
pub struct MailDeliveryPorts {
    pub outbox: Arc<dyn Outbox>,
    /// To check that a link still applies to its account.
    pub users: Arc<dyn UserRepository>,
    /// Where the token of a link is stored (by its hash) when the link is minted.
    pub one_time_tokens: Arc<dyn OneTimeTokenRepository>,
    pub tokens: Arc<dyn TokenGenerator>,
    /// Where the digest of an emailed MFA code is stored when the code is minted.
    pub mfa: Arc<dyn MfaRepository>,
    pub otp: Arc<dyn OneTimePasswords>,
    pub mailer: Arc<dyn Mailer>,
    /// Where SMS codes go; `None` when no SMS gateway is configured (an SMS code queued anyway
    /// is given up).
    pub sms: Option<Arc<dyn SmsSender>>,
    pub clock: Arc<dyn Clock>,
    pub telemetry: Arc<dyn Telemetry>,
}

impl fmt::Debug for MailDeliveryPorts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MailDeliveryPorts").finish_non_exhaustive()
    }
}

/// How long the links minted for each message live, and when a failed message is tried again.
#[derive(Debug, Clone, Copy)]
pub struct MailDeliverySettings {
    pub verification_ttl: Duration,
    pub reset_ttl: Duration,
    /// The self-unlock link of the "account locked" email ([`ACCOUNT_UNLOCK_TTL`]).
    pub unlock_ttl: Duration,
    pub retry: RetryPolicy,
}

impl MailDeliverySettings {
    /// The link lifetimes of `auth`, with the mail worker's own `retry`.
    #[must_use]
    pub fn new(auth: &AuthSettings, retry: RetryPolicy) -> Self {
        Self {
            verification_ttl: auth.verification_ttl,
            reset_ttl: auth.reset_ttl,
            unlock_ttl: ACCOUNT_UNLOCK_TTL,
            retry,
        }
    }
}

/// The background worker's one step: draining the outbox.
#[derive(Debug, Clone)]
pub struct MailDelivery {
    ports: MailDeliveryPorts,
    settings: MailDeliverySettings,
}

impl MailDelivery {
    /// Links minted by this worker live as `settings` say; failed messages are retried by its
    /// `retry` policy.
    #[must_use]
    pub fn new(ports: MailDeliveryPorts, settings: MailDeliverySettings) -> Self {
        Self { ports, settings }
    }

    /// Claims up to `batch` due messages and tries each once. Returns how many were delivered.
    ///
    /// # Errors
    /// `Infra` when the outbox fails. The batch stops there: a message that cannot be marked
    /// would be sent again once its lease runs out, so sending more would only add duplicates.
    #[tracing::instrument(skip_all, fields(batch = batch))]
    pub async fn run_once(&self, batch: usize) -> Result<usize, InfraError> {
        let now = self.ports.clock.now();
        let messages = self
            .ports
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
        let outcome = match self.sms_refusal(message) {
            // Refused before a code is minted: storing one would retire a newer code sent since.
            Some(reason) => Err(MailError::Permanent(reason.to_owned())),
            None => match self.letter_for(message).await {
                Ok(Some(letter)) => self.send(&letter).await,
                Ok(None) => {
                    // Not a failure: the account was verified, deleted or suspended since.
                    self.ports
                        .outbox
                        .mark_failed(id, None, "dropped: the account no longer needs this mail")
                        .await?;
                    tracing::info!(message_id = %id, kind, "email dropped: no longer applies");
                    return Ok(false);
                }
                // The token store is down: the same as a mail server that is, try again later.
                Err(e) => Err(MailError::Transient(format!(
                    "could not issue the link token: {e}"
                ))),
            },
        };
        let now = self.ports.clock.now();
        match outcome {
            Ok(()) => {
                self.ports.outbox.mark_sent(id, now).await?;
                self.ports.telemetry.email_sent(kind);
                tracing::info!(message_id = %id, kind, attempt, "email delivered");
                Ok(true)
            }
            Err(MailError::Transient(reason)) => {
                let reason = redact(&reason, message);
                match self.settings.retry.next_delay(attempt) {
                    Some(delay) => {
                        let retry_at = now + delay;
                        self.ports
                            .outbox
                            .mark_failed(id, Some(retry_at), &reason)
                            .await?;
                        tracing::warn!(message_id = %id, kind, attempt, %retry_at, error = %reason,
                            "email delivery failed; will retry");
                    }
                    None => {
                        self.ports.outbox.mark_failed(id, None, &reason).await?;
                        self.ports.telemetry.email_given_up(kind);
                        tracing::error!(message_id = %id, kind, attempt, error = %reason,
                            "email delivery failed too many times; giving up");
                    }
                }
                Ok(false)
            }
            Err(MailError::Permanent(reason)) => {
                let reason = redact(&reason, message);
                self.ports.outbox.mark_failed(id, None, &reason).await?;
                self.ports.telemetry.email_given_up(kind);
                tracing::error!(message_id = %id, kind, attempt, error = %reason,
                    "email rejected permanently; giving up");
                Ok(false)
            }
        }
    }
}

impl MailDelivery {
    /// Why an SMS code is given up without a try: queued longer ago than [`SMS_CODE_GIVE_UP`]
    /// (retries of a gateway outage included), or no gateway configured.
    fn sms_refusal(&self, message: &OutboxMessage) -> Option<&'static str> {
        if !matches!(message.notification, Notification::SmsCode { .. }) {
            return None;
        }
        if self.ports.clock.now() - message.created_at > SMS_CODE_GIVE_UP {
            Some("too late: a code sent now could no longer arrive in time")
        } else if self.ports.sms.is_none() {
            Some("no SMS gateway configured")
        } else {
            None
        }
    }

    /// Hands the letter to its transport: the SMS gateway for an SMS code, the mailer for the
    /// rest.
    async fn send(&self, letter: &Letter) -> Result<(), MailError> {
        let Notification::SmsCode { phone, .. } = &letter.notification else {
            return self.ports.mailer.deliver(letter).await;
        };
        let Some(sender) = &self.ports.sms else {
            return Err(MailError::Permanent("no SMS gateway configured".to_owned()));
        };
        let code = letter
            .code
            .as_ref()
            .ok_or_else(|| MailError::Permanent("an SMS code without its code".to_owned()))?;
        let text = SmsText::new(format!(
            "Your verification code is {}. It is valid 10 minutes and works once.",
            code.as_str()
        ))
        .map_err(|e| MailError::Permanent(e.to_string()))?;
        let sms = Sms {
            to: phone.clone(),
            text,
        };
        sender.send(&sms).await.map_err(|e| match e {
            SmsError::Transient(reason) => MailError::Transient(reason),
            SmsError::Permanent(reason) => MailError::Permanent(reason),
        })
    }

    /// The message with the token of its link, minted now: its lifetime starts when it is sent,
    /// and a retry mints a new one (which retires the unsent one). `None` when the mail no
    /// longer applies: a verification link for an account verified (or gone) since it was
    /// queued, a reset link or a lock notice for an account deleted or suspended since. A lock
    /// notice whose lock is already over (it expired, or a login, reset or unlock cleared it)
    /// still goes out, as the warning that someone was guessing, but without a link that would
    /// unlock nothing.
    async fn letter_for(&self, message: &OutboxMessage) -> Result<Option<Letter>, InfraError> {
        let without_link = || {
            Ok(Some(Letter {
                notification: message.notification.clone(),
                link_token: None,
                code: None,
            }))
        };
        if let Notification::MfaCode { target, .. } | Notification::SmsCode { target, .. } =
            &message.notification
        {
            return self.letter_with_code(message, target).await;
        }
        let Some((user_id, purpose)) = message.notification.link() else {
            return without_link();
        };
        let Some(user) = self.ports.users.find_by_id(user_id).await? else {
            return Ok(None);
        };
        let now = self.ports.clock.now();
        let usable = !matches!(
            user.status,
            AccountStatus::Deleted | AccountStatus::Suspended
        );
        let applies = match purpose {
            TokenPurpose::EmailVerification => {
                user.status == AccountStatus::Pending && !user.email_verified
            }
            TokenPurpose::PasswordReset | TokenPurpose::AccountUnlock => usable,
        };
        if !applies {
            return Ok(None);
        }
        let lock_is_over = user.lockout.locked_until.is_none_or(|until| until <= now);
        if purpose == TokenPurpose::AccountUnlock && lock_is_over {
            return without_link();
        }
        let ttl = match purpose {
            TokenPurpose::EmailVerification => self.settings.verification_ttl,
            TokenPurpose::PasswordReset => self.settings.reset_ttl,
            TokenPurpose::AccountUnlock => self.settings.unlock_ttl,
        };
        let token = self.ports.tokens.generate();
        let record = OneTimeToken {
            hash: token.hash,
            user_id,
            purpose,
            created_at: now,
            expires_at: now + ttl,
        };
        self.ports.one_time_tokens.issue(&record).await?;
        Ok(Some(Letter {
            notification: message.notification.clone(),
            link_token: Some(token.raw),
            code: None,
        }))
    }

    /// The code mail with a code minted now, valid [`EMAIL_CODE_TTL`] from now; its digest
    /// replaces the target's earlier code, so only the newest mail's code works. `None` when the
    /// target is gone (the challenge was used or cleared out, the factor removed).
    async fn letter_with_code(
        &self,
        message: &OutboxMessage,
        target: &CodeTarget,
    ) -> Result<Option<Letter>, InfraError> {
        let now = self.ports.clock.now();
        let code = self.ports.otp.new_code();
        let digest = self.ports.otp.digest_code(&code);
        if !self
            .ports
            .mfa
            .store_code(target, &digest, now + EMAIL_CODE_TTL)
            .await?
        {
            return Ok(None);
        }
        Ok(Some(Letter {
            notification: message.notification.clone(),
            link_token: None,
            code: Some(code),
        }))
    }
}

/// A mail server's error often quotes the recipient; logs and the outbox get it without.
fn redact(reason: &str, message: &OutboxMessage) -> String {
    let address = message.notification.recipient().as_str();
    let reason = if address.is_empty() {
        reason.to_owned()
    } else {
        reason.replace(address, "<recipient>")
    };
    match &message.notification {
        Notification::SmsCode { phone, .. } => reason.replace(phone.as_str(), "<recipient>"),
        _ => reason,
    }
}

#[cfg(test)]
mod tests;
