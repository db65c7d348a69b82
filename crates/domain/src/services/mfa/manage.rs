//! Living with MFA: what is set up, fresh backup codes, forgetting a device, turning it off.
//! Each change that weakens the account asks for the password (and turning MFA off for a code as
//! well), checked and counted as at login.

use super::second_factor::Against;
use super::{DeviceView, FactorView, Mfa, MfaError, MfaStatus};
use crate::audit::{AuditEvent, AuditKind};
use crate::error::{FieldError, InfraError, ValidationErrors};
use crate::ids::{DeviceId, UserId};
use crate::mfa::{BackupCode, PresentedCode};
use crate::notification::Notification;
use crate::services::shared::{PasswordChecker, Refusal, audit, refuse_if_locked};
use crate::session::ClientInfo;
use crate::user::User;
use crate::values::{Password, codes};
use secrecy::{ExposeSecret, SecretString};

impl From<Refusal> for MfaError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Locked { retry_after } => Self::AccountLocked { retry_after },
            Refusal::WrongPassword => Self::InvalidCredentials,
            Refusal::AccountGone => Self::UserNotFound,
            Refusal::Infra(e) => Self::Infra(e),
        }
    }
}

impl Mfa {
    /// `GET /v1/auth/mfa`: factors, remembered devices and backup codes left; never a secret.
    ///
    /// # Errors
    /// See [`MfaError`].
    pub async fn status(&self, user_id: UserId) -> Result<MfaStatus, MfaError> {
        let now = self.ports.clock.now();
        let overview = self
            .ports
            .mfa
            .overview(user_id, now)
            .await
            .map_err(InfraError::from)?;
        Ok(MfaStatus {
            enabled: overview
                .factors
                .iter()
                .any(crate::mfa::Factor::is_confirmed),
            factors: overview
                .factors
                .into_iter()
                .map(|f| FactorView {
                    id: f.id,
                    kind: f.kind,
                    confirmed: f.is_confirmed(),
                    device_name: f.device_name,
                    created_at: f.created_at,
                    last_used_at: f.last_used_at,
                })
                .collect(),
            backup_codes_left: overview.backup_codes_left,
            devices: overview
                .devices
                .into_iter()
                .map(|d| DeviceView {
                    id: d.id,
                    user_agent: d.user_agent,
                    ip: d.ip,
                    created_at: d.created_at,
                    expires_at: d.expires_at,
                    last_used_at: d.last_used_at,
                })
                .collect(),
        })
    }

    /// `POST /v1/auth/mfa/backup-codes {password}`: a new set replaces every earlier code.
    ///
    /// # Errors
    /// See [`MfaError`].
    #[tracing::instrument(skip_all, fields(user_id = %user_id.as_uuid()))]
    pub async fn regenerate_backup_codes(
        &self,
        user_id: UserId,
        password: Option<SecretString>,
        client: &ClientInfo,
    ) -> Result<Vec<BackupCode>, MfaError> {
        let password = parse_password(password).map_err(|e| ValidationErrors(vec![e]))?;
        let user = self.enabled_user(user_id).await?;
        let now = self.ports.clock.now();
        refuse_if_locked(&self.settings.lockout, &user, now)?;
        self.password_checker()
            .confirm(&user, &password, now, client)
            .await?;
        let (codes, digests) = self.new_backup_codes();
        if !self
            .ports
            .mfa
            .replace_backup_codes(user.id, &digests, now)
            .await
            .map_err(InfraError::from)?
        {
            return Err(MfaError::NotEnabled);
        }
        audit(
            &*self.ports.audit,
            AuditEvent::new(
                AuditKind::BackupCodesRegenerated,
                now,
                Some(user.id),
                client,
            ),
        )
        .await;
        Ok(codes)
    }

    /// `DELETE /v1/auth/mfa {password, code}`: both are required, so neither a stolen session
    /// with the password nor a stolen phone alone turns the second factor off.
    ///
    /// # Errors
    /// See [`MfaError`].
    #[tracing::instrument(skip_all, fields(user_id = %user_id.as_uuid()))]
    pub async fn disable(
        &self,
        user_id: UserId,
        password: Option<SecretString>,
        code: Option<String>,
        client: &ClientInfo,
    ) -> Result<(), MfaError> {
        let mut errors = ValidationErrors::default();
        let password = parse_password(password).map_err(|e| errors.push(e)).ok();
        let code = PresentedCode::parse(code.as_deref(), "code")
            .map_err(|e| errors.push(e))
            .ok();
        let (Some(password), Some(code)) = (password, code) else {
            return Err(errors.into());
        };
        let user = self.enabled_user(user_id).await?;
        let now = self.ports.clock.now();
        refuse_if_locked(&self.settings.lockout, &user, now)?;
        self.password_checker()
            .confirm(&user, &password, now, client)
            .await?;
        let checker = self.second_factor();
        checker.throttle(user.id).await?;
        checker
            .check(&user, &code, Against::Enabled, now, client)
            .await?;
        let mail = Notification::MfaDisabled {
            to: user.email.clone(),
            username: user.username.clone(),
            at: now,
        };
        if !self
            .ports
            .mfa
            .disable(user.id, now, &mail)
            .await
            .map_err(InfraError::from)?
        {
            return Err(MfaError::NotEnabled);
        }
        audit(
            &*self.ports.audit,
            AuditEvent::new(AuditKind::MfaDisabled, now, Some(user.id), client),
        )
        .await;
        Ok(())
    }

    /// `DELETE /v1/auth/mfa/devices/{id}`: that browser asks for the second factor again.
    ///
    /// # Errors
    /// See [`MfaError`].
    #[tracing::instrument(skip_all, fields(user_id = %user_id.as_uuid()))]
    pub async fn forget_device(
        &self,
        user_id: UserId,
        device_id: DeviceId,
        client: &ClientInfo,
    ) -> Result<(), MfaError> {
        if !self
            .ports
            .mfa
            .forget_device(user_id, device_id)
            .await
            .map_err(InfraError::from)?
        {
            return Err(MfaError::DeviceNotFound);
        }
        let now = self.ports.clock.now();
        audit(
            &*self.ports.audit,
            AuditEvent::new(AuditKind::DeviceForgotten, now, Some(user_id), client)
                .with_detail(device_id.as_uuid().to_string()),
        )
        .await;
        Ok(())
    }

    /// The caller's account if it has MFA on: managing MFA without it is `MFA_NOT_ENABLED`
    /// before any password or code is asked for (and counted).
    async fn enabled_user(&self, user_id: UserId) -> Result<User, MfaError> {
        let user = self.user(user_id).await?;
        if user.mfa_enabled {
            Ok(user)
        } else {
            Err(MfaError::NotEnabled)
        }
    }

    fn password_checker(&self) -> PasswordChecker<'_> {
        PasswordChecker::new(
            &self.ports.users,
            &self.ports.hasher,
            &self.ports.audit,
            self.settings.lockout,
        )
    }
}

/// The current password, required; nothing but its length is checked before the hash is.
fn parse_password(raw: Option<SecretString>) -> Result<Password, FieldError> {
    match raw.filter(|p| !p.expose_secret().is_empty()) {
        None => Err(FieldError::new(
            "password",
            codes::REQUIRED,
            "Password is required",
        )),
        Some(raw) => Password::parse(raw, "password"),
    }
}
