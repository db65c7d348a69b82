//! The bodies of `/v1/auth/mfa*`. Secrets (the TOTP secret and its URL and picture, backup codes,
//! tokens, typed codes) are `SecretString`s or redacted in `Debug`, so no log line shows one.

use super::requests::{Required, trimmed};
use super::rfc3339;
use crate::error::ApiError;
use authd_domain::services::{
    DeviceView, FactorView, MfaCodeRequest, MfaLoginInput, MfaStatus, SetupAnswer, SetupDelivery,
    SetupInput,
};
use secrecy::{ExposeSecret, SecretString};
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use std::fmt;
use utoipa::ToSchema;

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"type": "totp", "deviceName": "My iPhone"}))]
pub struct MfaSetupRequest {
    /// `totp`, `email` (codes sent to the account's address) or `sms` (codes sent to `phone`;
    /// `MFA_METHOD_UNAVAILABLE` without an SMS gateway).
    #[serde(rename = "type")]
    #[schema(required, nullable = false, value_type = String)]
    kind: Option<String>,
    /// 1-64 characters, to tell authenticators apart.
    device_name: Option<String>,
    /// Required while MFA is on (adding a second factor): a current code of a factor in force,
    /// or a backup code.
    #[schema(value_type = Option<String>)]
    code: Option<SecretString>,
    /// `sms` only: the number codes go to, international form (`+84987654321`); the profile's
    /// phone when absent.
    phone: Option<String>,
}

impl From<MfaSetupRequest> for SetupInput {
    fn from(r: MfaSetupRequest) -> Self {
        Self {
            kind: r.kind,
            device_name: r.device_name,
            code: r.code.map(|c| c.expose_secret().to_owned()),
            phone: r.phone,
        }
    }
}

/// `POST /v1/auth/mfa/challenge`: a new code by email or SMS, for a login's challenge
/// (`mfaToken`, no bearer token) or, with a bearer token and no `mfaToken`, for the caller's
/// factor of that method.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"mfaToken": "Yk3Jx0...", "method": "email"}))]
pub struct MfaChallengeRequest {
    /// The `mfaToken` of an `MFA_REQUIRED` login answer.
    #[schema(value_type = Option<String>)]
    mfa_token: Option<SecretString>,
    /// `email` or `sms` (`MFA_METHOD_UNAVAILABLE` without an SMS gateway).
    #[schema(required, nullable = false, value_type = String)]
    method: Option<String>,
}

/// Whose code a code request asks for.
#[derive(Debug)]
pub enum CodeFor {
    /// A login's challenge (`mfaToken`).
    Login(MfaCodeRequest),
    /// The bearer's email factor, by this `method`.
    Bearer(Option<String>),
}

impl MfaChallengeRequest {
    /// The login's request when `mfaToken` is given; else the bearer's.
    #[must_use]
    pub fn into_target(self) -> CodeFor {
        match self.mfa_token {
            Some(token) => CodeFor::Login(MfaCodeRequest {
                mfa_token: Some(trimmed(&token).expose_secret().to_owned()),
                method: self.method,
            }),
            None => CodeFor::Bearer(self.method),
        }
    }
}

/// Either the second step of a login (with `mfaToken`, no bearer token) or, for a signed-in
/// user, the confirmation of the authenticator just set up (bearer token, no `mfaToken`).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"mfaToken": "Yk3Jx0...", "code": "123456", "rememberDevice": true}))]
pub struct MfaVerifyRequest {
    /// The `mfaToken` of an `MFA_REQUIRED` login answer.
    #[schema(value_type = Option<String>)]
    mfa_token: Option<SecretString>,
    /// A 6-digit code (TOTP, or emailed) or an 8-digit backup code.
    #[schema(required, nullable = false, value_type = String)]
    code: Option<SecretString>,
    /// With `mfaToken`: remember this browser (`deviceToken`, cookie `mfa_device`).
    remember_device: Option<bool>,
    /// Accepted for compatibility and ignored.
    #[serde(rename = "deviceId")]
    #[schema(value_type = Option<String>)]
    _device_id: Option<IgnoredAny>,
}

/// What a verification body asks for. Its `Debug` names the step only.
pub enum VerifyStep {
    /// The second step of a login.
    Login(MfaLoginInput),
    /// Confirming the pending factor of the bearer's account.
    Confirm(SecretString),
}

impl fmt::Debug for VerifyStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Login(_) => "VerifyStep::Login",
            Self::Confirm(_) => "VerifyStep::Confirm",
        })
    }
}

impl MfaVerifyRequest {
    /// # Errors
    /// `VALIDATION_ERROR` when `code` is missing.
    pub fn into_step(self) -> Result<VerifyStep, ApiError> {
        let mut required = Required::default();
        let code: SecretString = required.take("code", self.code);
        let code = trimmed(&code);
        let step = match self.mfa_token {
            Some(token) => VerifyStep::Login(MfaLoginInput {
                mfa_token: Some(trimmed(&token).expose_secret().to_owned()),
                code: Some(code.expose_secret().to_owned()),
                remember_device: self.remember_device,
            }),
            None => VerifyStep::Confirm(code),
        };
        required.finish(step)
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(example = json!({"password": "SecurePass123!", "code": "123456"}))]
pub struct DisableMfaRequest {
    /// The account's current password.
    #[schema(required, nullable = false, value_type = String, format = Password)]
    password: Option<SecretString>,
    /// A current TOTP code or an unused backup code.
    #[schema(required, nullable = false, value_type = String)]
    code: Option<SecretString>,
}

impl DisableMfaRequest {
    /// `(password, code)`.
    ///
    /// # Errors
    /// `VALIDATION_ERROR` listing the missing fields.
    pub fn into_parts(self) -> Result<(SecretString, String), ApiError> {
        let mut required = Required::default();
        let password = required.take("password", self.password);
        let code: SecretString = required.take("code", self.code);
        required.finish((password, code.expose_secret().trim().to_owned()))
    }
}

/// `POST /v1/auth/mfa/setup`: shown once. `totp`: the secret in its three forms; `email` and
/// `sms`: where the first code went (`sentTo`, masked).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "type": "totp",
    "secret": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
    "otpauthUrl": "otpauth://totp/authd:user%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=authd",
    "qrCode": "data:image/png;base64,iVBORw0KGgo...",
    "backupCodes": ["12345678", "23456789"]
}))]
pub struct MfaSetupData {
    /// `totp`, `email` or `sms`.
    #[serde(rename = "type")]
    kind: &'static str,
    /// `totp`: base32, for typing into an authenticator app.
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
    /// `totp`.
    #[serde(skip_serializing_if = "Option::is_none")]
    otpauth_url: Option<String>,
    /// `totp`: `data:image/png;base64,...` of `otpauthUrl`.
    #[serde(skip_serializing_if = "Option::is_none")]
    qr_code: Option<String>,
    /// `email`: the account's address, masked (`j***@example.com`); `sms`: the number, masked
    /// (`+84******321`): where the code went.
    #[serde(skip_serializing_if = "Option::is_none")]
    sent_to: Option<String>,
    /// 10 codes of 8 digits, valid once the factor is confirmed.
    backup_codes: Vec<String>,
}

impl From<&SetupAnswer> for MfaSetupData {
    fn from(a: &SetupAnswer) -> Self {
        let (secret, otpauth_url, qr_code, sent_to) = match &a.delivery {
            SetupDelivery::Totp {
                secret,
                otpauth_url,
                qr_code,
            } => (
                Some(secret.expose_secret().to_owned()),
                Some(otpauth_url.expose_secret().to_owned()),
                Some(qr_code.expose_secret().to_owned()),
                None,
            ),
            SetupDelivery::Email { sent_to } | SetupDelivery::Sms { sent_to } => {
                (None, None, None, Some(sent_to.clone()))
            }
        };
        Self {
            kind: a.kind.as_str(),
            secret,
            otpauth_url,
            qr_code,
            sent_to,
            backup_codes: a
                .backup_codes
                .iter()
                .map(|c| c.as_str().to_owned())
                .collect(),
        }
    }
}

/// `POST /v1/auth/mfa/backup-codes`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"backupCodes": ["12345678", "23456789"]}))]
pub struct BackupCodesData {
    /// 10 new codes of 8 digits; the earlier ones no longer work.
    pub backup_codes: Vec<String>,
}

impl fmt::Debug for MfaSetupData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MfaSetupData").finish_non_exhaustive()
    }
}

impl fmt::Debug for BackupCodesData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BackupCodesData")
            .field("count", &self.backup_codes.len())
            .finish_non_exhaustive()
    }
}

/// `GET /v1/auth/mfa`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "enabled": true,
    "factors": [{"id": "0190c5e2-8a4b-7c3d-9e1f-2a3b4c5d6e7f", "type": "totp",
        "deviceName": "My iPhone", "confirmed": true, "createdAt": "2023-12-01T09:00:00Z",
        "lastUsedAt": "2023-12-01T10:30:00Z"}],
    "backupCodesLeft": 9,
    "devices": [{"id": "0190c5e2-8a4b-7c3d-9e1f-2a3b4c5d6e80",
        "userAgent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64)", "ipAddress": "192.168.1.100",
        "createdAt": "2023-12-01T10:30:00Z", "expiresAt": "2023-12-31T10:30:00Z",
        "lastUsedAt": null}]
}))]
pub struct MfaStatusData {
    /// A confirmed factor exists: logins ask for a second factor.
    enabled: bool,
    factors: Vec<FactorData>,
    backup_codes_left: u32,
    /// Browsers that skip the second factor until `expiresAt`.
    devices: Vec<DeviceData>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FactorData {
    #[schema(format = Uuid)]
    id: String,
    #[serde(rename = "type")]
    #[schema(value_type = String)]
    kind: &'static str,
    #[schema(required)]
    device_name: Option<String>,
    /// `false` until the first code is confirmed.
    confirmed: bool,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(required, format = DateTime)]
    last_used_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeviceData {
    /// For `DELETE /v1/auth/mfa/devices/{id}`.
    #[schema(format = Uuid)]
    id: String,
    #[schema(required)]
    user_agent: Option<String>,
    #[schema(required)]
    ip_address: Option<String>,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    expires_at: String,
    #[schema(required, format = DateTime)]
    last_used_at: Option<String>,
}

impl From<&FactorView> for FactorData {
    fn from(f: &FactorView) -> Self {
        Self {
            id: f.id.to_string(),
            kind: f.kind.as_str(),
            device_name: f.device_name.as_ref().map(|n| n.as_str().to_owned()),
            confirmed: f.confirmed,
            created_at: rfc3339(&f.created_at),
            last_used_at: f.last_used_at.as_ref().map(rfc3339),
        }
    }
}

impl From<&DeviceView> for DeviceData {
    fn from(d: &DeviceView) -> Self {
        Self {
            id: d.id.to_string(),
            user_agent: d.user_agent.clone(),
            ip_address: d.ip.clone(),
            created_at: rfc3339(&d.created_at),
            expires_at: rfc3339(&d.expires_at),
            last_used_at: d.last_used_at.as_ref().map(rfc3339),
        }
    }
}

impl From<&MfaStatus> for MfaStatusData {
    fn from(s: &MfaStatus) -> Self {
        Self {
            enabled: s.enabled,
            factors: s.factors.iter().map(FactorData::from).collect(),
            backup_codes_left: s.backup_codes_left,
            devices: s.devices.iter().map(DeviceData::from).collect(),
        }
    }
}

#[cfg(test)]
mod tests;
