//! `POST /v1/auth/mfa/challenge {method}` with a bearer and no mfaToken: sends a code for the
//! caller's email or SMS factor, the step-up code that `verify {code}` and turning MFA off take
//! from a user without an authenticator (or a new setup code for a pending one).

use super::sent_code::{code_cooldown_allows, code_message};
use super::{Mfa, MfaError};
use crate::error::InfraError;
use crate::ids::UserId;
use crate::ports::CodeTarget;
use crate::services::login::{SendCodeError, parse_method};

impl Mfa {
    /// Queues a code for the caller's factor of `method` (email or SMS). Within `MAIL_COOLDOWN`
    /// of the last code to the same address or number it answers the same but sends nothing.
    ///
    /// # Errors
    /// `NotEnabled` without a factor of the method, `MethodUnavailable` for `sms` without a
    /// gateway; see [`MfaError`].
    #[tracing::instrument(skip_all, fields(user_id = %user_id.as_uuid()))]
    pub async fn send_code(&self, user_id: UserId, method: Option<String>) -> Result<(), MfaError> {
        let kind =
            parse_method(method.as_deref(), self.settings.sms_available).map_err(|e| match e {
                SendCodeError::Validation(e) => MfaError::Validation(e),
                _ => MfaError::MethodUnavailable,
            })?;
        let user = self.user(user_id).await?;
        let factor = self
            .ports
            .mfa
            .find_factor(user.id, kind)
            .await
            .map_err(InfraError::from)?
            .ok_or(MfaError::NotEnabled)?;
        // Per factor: asking again waits, whatever other codes are on their way.
        let allowed = code_cooldown_allows(
            &*self.ports.rate_limiter,
            self.settings.mail_cooldown,
            &factor,
            &factor.id.to_string(),
        )
        .await;
        if !allowed {
            tracing::info!(
                kind = kind.as_str(),
                "MFA code within the cooldown: not sent"
            );
            return Ok(());
        }
        let mail = code_message(&user, &factor, CodeTarget::Factor(factor.id))?;
        let now = self.ports.clock.now();
        self.ports
            .outbox
            .enqueue(&mail, now)
            .await
            .map_err(InfraError::from)?;
        Ok(())
    }
}
