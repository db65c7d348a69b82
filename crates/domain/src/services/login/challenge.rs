//! The first step of a login with MFA: a right password earns a challenge (`mfaToken`), unless
//! the browser presents a remembered device.

use super::{Login, LoginError};
use crate::Timestamp;
use crate::error::InfraError;
use crate::mfa::{MfaChallenge, MfaMethod};
use crate::session::ClientInfo;
use crate::user::User;
use chrono::Duration;
use secrecy::{ExposeSecret, SecretString};

impl Login {
    /// Whether `device_token` is a live remembered device of `user` (whose use is recorded).
    pub(super) async fn remembered(
        &self,
        user: &User,
        device_token: Option<SecretString>,
        now: Timestamp,
    ) -> Result<bool, InfraError> {
        let Some(raw) = device_token.filter(|t| !t.expose_secret().is_empty()) else {
            return Ok(false);
        };
        let hash = self.ports.tokens.digest(raw.expose_secret());
        Ok(self
            .ports
            .mfa
            .use_device(user.id, &hash, now)
            .await?
            .is_some())
    }

    /// Stores a challenge for the second step and answers `MFA_REQUIRED` with its token and the
    /// methods the user can answer it with.
    pub(super) async fn challenge(
        &self,
        user: &User,
        remember_me: bool,
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
        };
        self.ports.mfa.create_challenge(&challenge).await?;
        Ok(LoginError::MfaRequired {
            mfa_token: token.raw,
            methods,
        })
    }
}
