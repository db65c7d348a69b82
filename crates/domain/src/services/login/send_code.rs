//! `POST /v1/auth/mfa/challenge {mfaToken, method}` (no bearer): emails a new code for a login's
//! challenge. The code itself is minted by the mail worker as it sends the mail (the outbox never
//! holds it), and replaces the challenge's earlier code.

use super::Login;
use crate::error::{FieldError, InfraError, ValidationErrors};
use crate::mfa::{Factor, FactorKind, MfaMethod};
use crate::ports::CodeTarget;
use crate::services::mfa::sent_code::{code_cooldown_allows, code_message};
use crate::values::codes;
use thiserror::Error;

/// Its `Debug` shows whether the token was given, never what it is.
#[derive(Clone, Default)]
pub struct MfaCodeRequest {
    pub mfa_token: Option<String>,
    /// `email` or `sms`.
    pub method: Option<String>,
}

impl std::fmt::Debug for MfaCodeRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MfaCodeRequest")
            .field("mfa_token", &self.mfa_token.as_ref().map(|_| "<redacted>"))
            .field("method", &self.method)
            .finish()
    }
}

#[derive(Debug, Error)]
pub enum SendCodeError {
    #[error("invalid input")]
    Validation(#[from] ValidationErrors),
    /// Unknown, used, expired or dead `mfaToken` (401 `INVALID_MFA_TOKEN`).
    #[error("invalid MFA token")]
    InvalidMfaToken,
    /// A method this server cannot send codes by (400 `MFA_METHOD_UNAVAILABLE`).
    #[error("MFA method unavailable")]
    MethodUnavailable,
    /// The user has no confirmed factor of the method (400 `MFA_NOT_ENABLED`).
    #[error("MFA method not enabled")]
    NotEnabled,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// The factor kind of a code request: `email`, or `sms` when an SMS gateway is configured.
///
/// # Errors
/// `MethodUnavailable` for `sms` without a gateway; a validation error for anything else.
pub(in crate::services) fn parse_method(
    raw: Option<&str>,
    sms_available: bool,
) -> Result<FactorKind, SendCodeError> {
    let raw = raw.map(str::trim).unwrap_or_default();
    match MfaMethod::parse(raw) {
        Some(MfaMethod::Email) => Ok(FactorKind::Email),
        Some(MfaMethod::Sms) if sms_available => Ok(FactorKind::Sms),
        Some(MfaMethod::Sms) => Err(SendCodeError::MethodUnavailable),
        _ if raw.is_empty() => Err(ValidationErrors(vec![FieldError::new(
            "method",
            codes::REQUIRED,
            "Method is required",
        )])
        .into()),
        _ => Err(ValidationErrors(vec![FieldError::new(
            "method",
            codes::INVALID_FORMAT,
            "Method must be one of: email, sms",
        )])
        .into()),
    }
}

impl Login {
    /// Queues a new code for the challenge of `mfaToken`, while it is live, to a user with a
    /// confirmed factor of the method (email or SMS). Within `MAIL_COOLDOWN` of the last code to
    /// the same address or number it answers the same but sends nothing (the earlier code still
    /// works).
    ///
    /// # Errors
    /// See [`SendCodeError`].
    #[tracing::instrument(skip_all)]
    pub async fn send_mfa_code(&self, input: MfaCodeRequest) -> Result<(), SendCodeError> {
        let token = input
            .mfa_token
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty());
        let method = parse_method(input.method.as_deref(), self.settings.mfa.sms_available);
        let Some(token) = token else {
            let mut errors = ValidationErrors(vec![FieldError::new(
                "mfaToken",
                codes::REQUIRED,
                "MFA token is required",
            )]);
            if let Err(SendCodeError::Validation(more)) = method {
                errors.0.extend(more.0);
            }
            return Err(errors.into());
        };
        let kind = method?;
        let now = self.ports.clock.now();
        let hash = self.ports.tokens.digest(token);
        let challenge = self
            .ports
            .mfa
            .find_challenge(&hash)
            .await
            .map_err(InfraError::from)?
            .filter(|c| c.is_live(now))
            .ok_or(SendCodeError::InvalidMfaToken)?;
        let user = self
            .ports
            .users
            .find_by_id(challenge.user_id)
            .await
            .map_err(InfraError::from)?
            .ok_or(SendCodeError::InvalidMfaToken)?;
        let factor = self
            .ports
            .mfa
            .find_factor(user.id, kind)
            .await
            .map_err(InfraError::from)?
            .filter(Factor::is_confirmed)
            .ok_or(SendCodeError::NotEnabled)?;
        let allowed = code_cooldown_allows(
            &*self.ports.rate_limiter,
            self.settings.mfa.mail_cooldown,
            &factor,
            challenge.hash.as_str(),
        )
        .await;
        if !allowed {
            tracing::info!(
                kind = kind.as_str(),
                "MFA code within the cooldown: not sent"
            );
            return Ok(());
        }
        let mail = code_message(&user, &factor, CodeTarget::Challenge(hash))?;
        self.ports
            .outbox
            .enqueue(&mail, now)
            .await
            .map_err(InfraError::from)?;
        Ok(())
    }
}
