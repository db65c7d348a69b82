//! The first step of a login with MFA: a right password earns a challenge (`mfaToken`), unless
//! the browser presents a remembered device. A remembered device also gets a locked account's
//! login as far as the challenge.

use super::{Login, LoginError};
use crate::Timestamp;
use crate::audit::{AuditEvent, AuditKind};
use crate::error::InfraError;
use crate::ids::DeviceId;
use crate::mfa::{MfaChallenge, MfaMethod};
use crate::ports::CodeTarget;
use crate::services::mfa::sent_code::code_message;
use crate::services::shared::{audit, retry_after};
use crate::session::ClientInfo;
use crate::user::User;
use chrono::Duration;
use secrecy::{ExposeSecret, SecretString};

impl Login {
    /// Refuses a locked account (`AccountLocked`) unless its lock lets this login through to
    /// the second factor, which it answers with the remembered device that passed: the failures
    /// that caused the lock came from elsewhere, and its owner's device should not be locked out
    /// by them. `None`: not locked.
    pub(super) async fn refuse_if_locked(
        &self,
        user: &User,
        device_token: Option<&SecretString>,
        now: Timestamp,
        client: &ClientInfo,
    ) -> Result<Option<DeviceId>, LoginError> {
        let Some(until) = self.settings.lockout.locked_until(&user.lockout, now) else {
            return Ok(None);
        };
        if let Some(device) = self.passes_lock(user, device_token, now).await? {
            return Ok(Some(device));
        }
        self.audit_failure(Some(user), now, client, "account locked")
            .await;
        Err(LoginError::AccountLocked {
            retry_after: retry_after(until, now),
        })
    }

    /// Whether the lock of `user` lets this login through to the second factor: only when
    /// `device_token` is a live remembered device of the account and MFA is on for both the
    /// service and the user. Anything else is refused by the lock, as without the device.
    async fn passes_lock(
        &self,
        user: &User,
        device_token: Option<&SecretString>,
        now: Timestamp,
    ) -> Result<Option<DeviceId>, InfraError> {
        if !(self.settings.mfa.enabled && user.mfa_enabled) {
            return Ok(None);
        }
        self.remembered(user, device_token, now).await
    }

    /// A wrong password through the lock: the device that let it through is forgotten, so a
    /// stolen device token buys one guess per lock, not a guess oracle while the account is
    /// locked. Best effort: the guess is counted and refused either way.
    pub(super) async fn forget_bypassing_device(
        &self,
        user: &User,
        device: DeviceId,
        now: Timestamp,
        client: &ClientInfo,
    ) {
        match self.ports.mfa.forget_device(user.id, device).await {
            Ok(_) => {
                audit(
                    &*self.ports.audit,
                    AuditEvent::new(AuditKind::DeviceForgotten, now, Some(user.id), client)
                        .with_detail("wrong password through a lock"),
                )
                .await;
            }
            Err(e) => {
                tracing::error!(error = %e, "the device of a wrong password through a lock could not be forgotten");
            }
        }
    }

    /// The live remembered device of `user` that `device_token` names (whose use is recorded).
    pub(super) async fn remembered(
        &self,
        user: &User,
        device_token: Option<&SecretString>,
        now: Timestamp,
    ) -> Result<Option<DeviceId>, InfraError> {
        let Some(raw) = device_token.filter(|t| !t.expose_secret().is_empty()) else {
            return Ok(None);
        };
        let hash = self.ports.tokens.digest(raw.expose_secret());
        Ok(self
            .ports
            .mfa
            .use_device(user.id, &hash, now)
            .await?
            .map(|device| device.id))
    }

    /// Stores a challenge for the second step and answers `MFA_REQUIRED` with its token and the
    /// methods the user can answer it with. `lock_bypass`: the account is locked and a
    /// remembered device let the password step through (see [`Self::passes_lock`]).
    pub(super) async fn challenge(
        &self,
        user: &User,
        remember_me: bool,
        lock_bypass: bool,
        now: Timestamp,
        client: &ClientInfo,
    ) -> Result<LoginError, InfraError> {
        let overview = self.ports.mfa.overview(user.id, now).await?;
        let mut methods: Vec<MfaMethod> = Vec::new();
        for factor in overview.factors.iter().filter(|f| f.is_confirmed()) {
            if !methods.contains(&factor.kind.method()) {
                methods.push(factor.kind.method());
            }
        }
        if overview.backup_codes_left > 0 {
            methods.push(MfaMethod::BackupCode);
        }
        let token = self.ports.tokens.generate();
        let challenge = MfaChallenge {
            hash: token.hash,
            user_id: user.id,
            verified: user.password_hash.clone(),
            remember_me,
            client: client.clone(),
            created_at: now,
            expires_at: now + Duration::seconds(MfaChallenge::LIFETIME_SECS),
            attempts: 0,
            lock_bypass,
        };
        self.ports.mfa.create_challenge(&challenge).await?;
        // A sent factor (email or SMS) is the only one: its code goes out at once. With an
        // authenticator or both sent factors, the user asks for one (`/mfa/challenge`) only if
        // they need it, by the method they choose.
        let mut sent = overview
            .factors
            .iter()
            .filter(|f| f.is_confirmed() && f.kind.is_sent());
        if let (Some(only), None, false) =
            (sent.next(), sent.next(), methods.contains(&MfaMethod::Totp))
        {
            let target = CodeTarget::Challenge(challenge.hash.clone());
            // The challenge stands: the user can ask for the code again.
            match code_message(user, only, target) {
                Ok(message) => {
                    if let Err(e) = self.ports.outbox.enqueue(&message, now).await {
                        tracing::error!(error = %e, "the login's MFA code could not be queued");
                    }
                }
                Err(e) => tracing::error!(error = %e, "the login's MFA code has nowhere to go"),
            }
        }
        Ok(LoginError::MfaRequired {
            mfa_token: token.raw,
            methods,
        })
    }
}
