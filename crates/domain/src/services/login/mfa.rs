//! The second step of a login with MFA: `POST /v1/auth/mfa/verify {mfaToken, code,
//! rememberDevice?}` turns the challenge of an `MFA_REQUIRED` answer into a session.

use super::complete::{Completion, Incomplete};
use super::{Login, LoginSuccess};
use crate::Timestamp;
use crate::audit::{AuditEvent, AuditKind};
use crate::error::{FieldError, InfraError, ValidationErrors};
use crate::ids::DeviceId;
use crate::mfa::{MfaChallenge, PresentedCode, RememberedDevice};
use crate::policy::rate_limit::RateLimitDecision;
use crate::services::mfa::second_factor::{Against, CodeRefusal, SecondFactor};
use crate::services::shared::audit;
use crate::session::ClientInfo;
use crate::token::RawToken;
use crate::user::AccountStatus;
use crate::values::codes;
use thiserror::Error;

/// Its `Debug` shows whether the token and the code were given, never what they are.
#[derive(Clone, Default)]
pub struct MfaLoginInput {
    pub mfa_token: Option<String>,
    /// A 6-digit TOTP code or an 8-digit backup code.
    pub code: Option<String>,
    /// Omitted means `false`.
    pub remember_device: Option<bool>,
}

impl std::fmt::Debug for MfaLoginInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let given = |v: &Option<String>| if v.is_some() { "<redacted>" } else { "<none>" };
        f.debug_struct("MfaLoginInput")
            .field("mfa_token", &given(&self.mfa_token))
            .field("code", &given(&self.code))
            .field("remember_device", &self.remember_device)
            .finish()
    }
}

/// A remembered device's token, for the client only (cookie `mfa_device` and `deviceToken`).
#[derive(Debug, Clone)]
pub struct DeviceToken {
    pub raw: RawToken,
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct MfaLoginSuccess {
    pub login: LoginSuccess,
    /// With `rememberDevice: true`.
    pub device: Option<DeviceToken>,
}

#[derive(Debug, Error)]
pub enum MfaLoginError {
    #[error("invalid input")]
    Validation(#[from] ValidationErrors),
    /// Unknown, used, expired or dead `mfaToken` (401 `INVALID_MFA_TOKEN`).
    #[error("invalid MFA token")]
    InvalidMfaToken,
    /// 401 `INVALID_MFA_CODE`.
    #[error("invalid MFA code")]
    InvalidCode,
    /// 401 `MFA_BACKUP_CODE_USED`.
    #[error("backup code already used")]
    BackupCodeUsed,
    /// 423 with `retryAfter` seconds.
    #[error("account locked")]
    AccountLocked { retry_after: i64 },
    /// 429.
    #[error("too many MFA attempts")]
    RateLimited(RateLimitDecision),
    #[error("account suspended")]
    AccountSuspended,
    #[error("account deleted")]
    AccountDeleted,
    /// The password changed (or the account went away) between the two steps: the login is
    /// over (401 `INVALID_CREDENTIALS`).
    #[error("credentials changed during login")]
    CredentialsChanged,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

impl From<CodeRefusal> for MfaLoginError {
    fn from(refusal: CodeRefusal) -> Self {
        match refusal {
            CodeRefusal::Wrong => Self::InvalidCode,
            CodeRefusal::BackupCodeUsed => Self::BackupCodeUsed,
            CodeRefusal::Locked { retry_after } => Self::AccountLocked { retry_after },
            CodeRefusal::RateLimited(decision) => Self::RateLimited(decision),
            CodeRefusal::Infra(e) => Self::Infra(e),
        }
    }
}

impl Login {
    /// `POST /v1/auth/mfa/verify` with an `mfaToken` (no bearer).
    ///
    /// # Errors
    /// See [`MfaLoginError`].
    #[tracing::instrument(skip_all, fields(user_id = tracing::field::Empty))]
    pub async fn verify_mfa(
        &self,
        input: MfaLoginInput,
        client: &ClientInfo,
    ) -> Result<MfaLoginSuccess, MfaLoginError> {
        let (mfa_token, code) = parse(&input)?;
        let now = self.ports.clock.now();
        let hash = self.ports.tokens.digest(&mfa_token);
        // The attempt is counted before the code is checked, so parallel requests on one token
        // get 5 codes checked between them, not 5 each.
        let challenge = self
            .ports
            .mfa
            .take_attempt(&hash, now)
            .await
            .map_err(InfraError::from)?
            .ok_or(MfaLoginError::InvalidMfaToken)?;
        tracing::Span::current().record("user_id", tracing::field::display(challenge.user_id));
        let checker = self.second_factor();
        checker.throttle(challenge.user_id).await?;
        let user = self
            .ports
            .users
            .find_by_id(challenge.user_id)
            .await
            .map_err(InfraError::from)?
            .ok_or(MfaLoginError::InvalidMfaToken)?;
        // A challenge that passed the lock with a remembered device is not refused by it now
        // either; its wrong codes still count towards it and kill the challenge.
        if !challenge.lock_bypass
            && let Err(refusal) = checker.refuse_if_locked(&user, now)
        {
            self.audit_failure(Some(&user), now, client, "account locked")
                .await;
            return Err(refusal.into());
        }
        // The account may have been suspended or deleted since the password step.
        match user.status {
            AccountStatus::Deleted => return Err(MfaLoginError::AccountDeleted),
            AccountStatus::Suspended => return Err(MfaLoginError::AccountSuspended),
            AccountStatus::Pending | AccountStatus::Active => {}
        }
        match checker
            .check(&user, &code, Against::Login(&hash), now, client)
            .await
        {
            Ok(_) => {}
            // The lock does not refuse this challenge (see `lock_bypass`), so a wrong code on it
            // is just wrong: answering 423 would tell the owner to wait while the token still works.
            Err(CodeRefusal::Locked { .. }) if challenge.lock_bypass => {
                return Err(MfaLoginError::InvalidCode);
            }
            Err(refusal) => return Err(refusal.into()),
        }

        // Two requests with two right codes: only the one that consumes the challenge logs in.
        let challenge = self
            .ports
            .mfa
            .consume_challenge(&hash, now)
            .await
            .map_err(InfraError::from)?
            .ok_or(MfaLoginError::InvalidMfaToken)?;
        audit(
            &*self.ports.audit,
            AuditEvent::new(AuditKind::MfaSucceeded, now, Some(user.id), client),
        )
        .await;
        let completion = Completion {
            rehash: None,
            remember_me: challenge.remember_me,
            detail: challenge.lock_bypass.then_some("locked; remembered device"),
        };
        let login = match self
            .complete(user, &challenge.verified, completion, now, client)
            .await
        {
            Ok(login) => login,
            Err(Incomplete::CredentialsChanged) => return Err(MfaLoginError::CredentialsChanged),
            Err(Incomplete::Infra(e)) => return Err(e.into()),
        };
        let device = if input.remember_device.unwrap_or(false) {
            self.remember_device(&challenge, now, client).await
        } else {
            None
        };
        Ok(MfaLoginSuccess { login, device })
    }

    /// Remembers the browser for `remember_device_for`, unless MFA was turned off or the
    /// password changed since the password step (storage checks both as it stores the device).
    /// The login is already complete, so a refusal or failure here only means the second factor
    /// is asked for again next time.
    async fn remember_device(
        &self,
        challenge: &MfaChallenge,
        now: Timestamp,
        client: &ClientInfo,
    ) -> Option<DeviceToken> {
        let user_id = challenge.user_id;
        let token = self.ports.tokens.generate();
        let device = RememberedDevice {
            id: DeviceId::new(),
            hash: token.hash,
            user_id,
            user_agent: client.user_agent.clone(),
            ip: client.ip.clone(),
            created_at: now,
            expires_at: now + self.settings.mfa.remember_device_for,
            last_used_at: None,
        };
        match self
            .ports
            .mfa
            .remember_device(&device, &challenge.verified)
            .await
        {
            Ok(true) => {}
            Ok(false) => {
                tracing::info!("MFA was turned off or the password changed: device not remembered");
                return None;
            }
            Err(e) => {
                tracing::error!(error = %e, "the device could not be remembered");
                return None;
            }
        }
        audit(
            &*self.ports.audit,
            AuditEvent::new(AuditKind::DeviceRemembered, now, Some(user_id), client)
                .with_detail(device.id.as_uuid().to_string()),
        )
        .await;
        Some(DeviceToken {
            raw: token.raw,
            expires_at: device.expires_at,
        })
    }

    /// The code checker over the login's ports.
    fn second_factor(&self) -> SecondFactor<'_> {
        SecondFactor {
            users: &*self.ports.users,
            mfa: &*self.ports.mfa,
            otp: &*self.ports.otp,
            sealer: &*self.ports.sealer,
            rate_limiter: &*self.ports.rate_limiter,
            outbox: &*self.ports.outbox,
            audit: &*self.ports.audit,
            settings: &self.settings.mfa,
        }
    }
}

/// The token and the code, both required; every problem at once.
fn parse(input: &MfaLoginInput) -> Result<(String, PresentedCode), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let token = input
        .mfa_token
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    if token.is_none() {
        errors.push(FieldError::new(
            "mfaToken",
            codes::REQUIRED,
            "MFA token is required",
        ));
    }
    let code = PresentedCode::parse(input.code.as_deref(), "code")
        .map_err(|e| errors.push(e))
        .ok();
    match (token, code) {
        (Some(token), Some(code)) => Ok((token.to_owned(), code)),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod debug_tests {
    #[test]
    fn the_input_never_prints_the_token_or_the_code() {
        let input = super::MfaLoginInput {
            mfa_token: Some("tok-3f9a".into()),
            code: Some("492039".into()),
            remember_device: Some(true),
        };
        let printed = format!("{input:?}");
        assert!(
            !printed.contains("tok-3f9a") && !printed.contains("492039"),
            "{printed}"
        );
        assert!(
            printed.contains("<redacted>") && printed.contains("true"),
            "{printed}"
        );
    }
}
