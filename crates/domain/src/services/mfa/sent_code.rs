//! The codes that are sent rather than shown by an app (email, SMS): which message carries one
//! to a factor's owner, and the cooldown between two of them.

use crate::error::InfraError;
use crate::mfa::{Factor, FactorKind};
use crate::notification::Notification;
use crate::ports::{CodeTarget, RateLimiter, TokenGenerator};
use crate::services::shared::{MailKind, cooldown_allows};
use crate::user::User;
use chrono::Duration;

/// The message that carries a code for `target` to the owner of `factor`, an email or SMS
/// factor: an email to the account's address, or an SMS to the factor's own number.
///
/// # Errors
/// Internal for a TOTP factor or an SMS factor without a number (storage never holds one).
pub(in crate::services) fn code_message(
    user: &User,
    factor: &Factor,
    target: CodeTarget,
) -> Result<Notification, InfraError> {
    match factor.kind {
        FactorKind::Email => Ok(Notification::MfaCode {
            user_id: user.id,
            to: user.email.clone(),
            username: user.username.clone(),
            target,
        }),
        FactorKind::Sms => Ok(Notification::SmsCode {
            user_id: user.id,
            to: user.email.clone(),
            phone: factor
                .phone
                .clone()
                .ok_or_else(|| InfraError::internal("an SMS factor without a number"))?,
            target,
        }),
        FactorKind::Totp => Err(InfraError::internal("a TOTP factor has no sent codes")),
    }
}

/// Counts one code message to the recipient of `factor` against `MAIL_COOLDOWN`: `false` while
/// that address or number is cooling down (the earlier code still works). An SMS is keyed by
/// the digest of its number, so two accounts sharing a number share its cooldown.
pub(in crate::services) async fn code_cooldown_allows(
    limiter: &dyn RateLimiter,
    tokens: &dyn TokenGenerator,
    cooldown: Duration,
    user: &User,
    factor: &Factor,
) -> bool {
    match (factor.kind, &factor.phone) {
        (FactorKind::Sms, Some(phone)) => {
            cooldown_allows(limiter, tokens, cooldown, MailKind::SmsCode, phone.as_str()).await
        }
        _ => {
            cooldown_allows(
                limiter,
                tokens,
                cooldown,
                MailKind::MfaCode,
                user.email.as_str(),
            )
            .await
        }
    }
}
