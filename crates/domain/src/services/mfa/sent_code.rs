//! The codes that are sent rather than shown by an app (email, SMS): which message carries one
//! to a factor's owner, and the cooldown between two of them.

use crate::error::InfraError;
use crate::mfa::{Factor, FactorKind};
use crate::notification::Notification;
use crate::ports::{CodeTarget, RateLimiter};
use crate::services::shared::{MailKind, keyed_cooldown_allows};
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

/// Counts one code message for `target` (a challenge's token hash, or the factor's id for a
/// step-up code) against `MAIL_COOLDOWN`: `false` while that target is cooling down (its earlier
/// code still works). Keyed per target, not per address or number: a second login within the
/// cooldown still gets its own code, and nobody holding the password can keep the owner's login
/// codes from arriving.
pub(in crate::services) async fn code_cooldown_allows(
    limiter: &dyn RateLimiter,
    cooldown: Duration,
    factor: &Factor,
    target: &str,
) -> bool {
    let kind = match factor.kind {
        FactorKind::Sms => MailKind::SmsCode,
        FactorKind::Email | FactorKind::Totp => MailKind::MfaCode,
    };
    keyed_cooldown_allows(limiter, cooldown, kind, target).await
}
