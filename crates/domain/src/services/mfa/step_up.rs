//! `POST /v1/auth/mfa/challenge {method}` with a bearer and no mfaToken: emails a code for the
//! caller's email factor, the step-up code that `verify {code}` and turning MFA off take from a
//! user whose only factor is email (or a new setup code for a pending one).

use super::{Mfa, MfaError};
use crate::error::InfraError;
use crate::ids::UserId;
use crate::mfa::FactorKind;
use crate::notification::Notification;
use crate::ports::CodeTarget;
use crate::services::login::{SendCodeError, parse_method};
use crate::services::shared::{MailKind, cooldown_allows};

impl Mfa {
    /// Queues a code for the caller's email factor. Within `MAIL_COOLDOWN` of the last code mail
    /// to the same address it answers the same but sends nothing.
    ///
    /// # Errors
    /// `NotEnabled` without an email factor, `MethodUnavailable` for `sms`; see [`MfaError`].
    #[tracing::instrument(skip_all, fields(user_id = %user_id.as_uuid()))]
    pub async fn send_code(&self, user_id: UserId, method: Option<String>) -> Result<(), MfaError> {
        parse_method(method.as_deref()).map_err(|e| match e {
            SendCodeError::Validation(e) => MfaError::Validation(e),
            _ => MfaError::MethodUnavailable,
        })?;
        let user = self.user(user_id).await?;
        let factor = self
            .ports
            .mfa
            .find_factor(user.id, FactorKind::Email)
            .await
            .map_err(InfraError::from)?
            .ok_or(MfaError::NotEnabled)?;
        // Per factor: asking again waits, whatever other codes are on their way.
        let allowed = cooldown_allows(
            &*self.ports.rate_limiter,
            self.settings.mail_cooldown,
            MailKind::MfaCode,
            &factor.id.to_string(),
        )
        .await;
        if !allowed {
            tracing::info!("MFA code mail within the cooldown: not sent");
            return Ok(());
        }
        let mail = Notification::MfaCode {
            user_id: user.id,
            to: user.email.clone(),
            username: user.username.clone(),
            target: CodeTarget::Factor(factor.id),
        };
        let now = self.ports.clock.now();
        self.ports
            .outbox
            .enqueue(&mail, now)
            .await
            .map_err(InfraError::from)?;
        Ok(())
    }
}
