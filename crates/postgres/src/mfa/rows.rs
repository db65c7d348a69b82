//! The MFA rows as stored, and their translation to and from the domain's types.

use crate::error::corrupt;
use crate::rows::{loaded_count, stored_count};
use crate::schema::{mfa_challenges, mfa_factors, mfa_remembered_devices};
use authd_domain::Timestamp;
use authd_domain::error::PortError;
use authd_domain::ids::{DeviceId, FactorId, UserId};
use authd_domain::mfa::{
    DeviceName, Factor, FactorKind, MfaChallenge, RememberedDevice, SealedSecret, TotpStep,
};
use authd_domain::session::ClientInfo;
use authd_domain::token::TokenHash;
use authd_domain::values::{MobileNumber, PasswordHash};
use diesel::prelude::*;
use uuid::Uuid;

/// A TOTP step as stored: `bigint`. A step is the number of 30-second periods since 1970, so one
/// past `i64::MAX` is a bug, not a time.
pub(super) fn stored_step(step: TotpStep) -> Result<i64, PortError> {
    i64::try_from(step).map_err(|_| corrupt(format!("TOTP step {step} does not fit a bigint")))
}

fn loaded_step(step: i64) -> Result<TotpStep, PortError> {
    TotpStep::try_from(step).map_err(|_| corrupt(format!("negative TOTP step {step}")))
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = mfa_factors, check_for_backend(diesel::pg::Pg))]
pub(super) struct FactorRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub kind: String,
    pub device_name: Option<String>,
    /// Sealed by the service before it gets here; stored and returned byte for byte.
    pub secret: Option<Vec<u8>>,
    pub last_step: Option<i64>,
    pub confirmed_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    /// E.164, for an SMS factor only.
    pub phone: Option<String>,
}

impl FactorRow {
    /// `f` as a pending factor: a setup stores nothing confirmed and no accepted step, whatever
    /// it is handed.
    pub(super) fn pending(f: &Factor) -> Self {
        Self {
            id: *f.id.as_uuid(),
            user_id: *f.user_id.as_uuid(),
            kind: f.kind.as_str().to_owned(),
            device_name: f.device_name.as_ref().map(|n| n.as_str().to_owned()),
            secret: f.secret.as_ref().map(|s| s.as_bytes().to_vec()),
            last_step: None,
            confirmed_at: None,
            created_at: f.created_at,
            last_used_at: None,
            phone: f.phone.as_ref().map(|p| p.as_str().to_owned()),
        }
    }

    pub(super) fn into_domain(self) -> Result<Factor, PortError> {
        let kind = FactorKind::parse(&self.kind)
            .ok_or_else(|| corrupt(format!("unknown factor kind {:?}", self.kind)))?;
        Ok(Factor {
            id: FactorId::from_uuid(self.id),
            user_id: UserId::from_uuid(self.user_id),
            kind,
            device_name: self.device_name.map(DeviceName::from_trusted),
            secret: self.secret.map(SealedSecret::from_bytes),
            phone: self
                .phone
                .map(|p| {
                    MobileNumber::parse(&p, "phone")
                        .map_err(|_| corrupt("a factor's phone is not E.164".to_owned()))
                })
                .transpose()?,
            last_step: self.last_step.map(loaded_step).transpose()?,
            confirmed_at: self.confirmed_at,
            created_at: self.created_at,
            last_used_at: self.last_used_at,
        })
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = mfa_challenges, check_for_backend(diesel::pg::Pg))]
pub(super) struct ChallengeRow {
    pub hash: String,
    pub user_id: Uuid,
    pub verified: String,
    pub remember_me: bool,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub attempts: i32,
    pub lock_bypass: bool,
}

impl ChallengeRow {
    pub(super) fn from_domain(c: &MfaChallenge) -> Self {
        Self {
            hash: c.hash.as_str().to_owned(),
            user_id: *c.user_id.as_uuid(),
            verified: c.verified.as_str().to_owned(),
            remember_me: c.remember_me,
            ip: c.client.ip.clone(),
            user_agent: c.client.user_agent.clone(),
            created_at: c.created_at,
            expires_at: c.expires_at,
            attempts: stored_count(c.attempts),
            lock_bypass: c.lock_bypass,
        }
    }

    pub(super) fn into_domain(self) -> MfaChallenge {
        MfaChallenge {
            hash: TokenHash::from_trusted(self.hash),
            user_id: UserId::from_uuid(self.user_id),
            verified: PasswordHash::from_trusted(self.verified),
            remember_me: self.remember_me,
            client: ClientInfo {
                ip: self.ip,
                user_agent: self.user_agent,
            },
            created_at: self.created_at,
            expires_at: self.expires_at,
            attempts: loaded_count(self.attempts),
            lock_bypass: self.lock_bypass,
        }
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = mfa_remembered_devices, check_for_backend(diesel::pg::Pg))]
pub(super) struct DeviceRow {
    pub id: Uuid,
    pub hash: String,
    pub user_id: Uuid,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
}

impl DeviceRow {
    pub(super) fn from_domain(d: &RememberedDevice) -> Self {
        Self {
            id: *d.id.as_uuid(),
            hash: d.hash.as_str().to_owned(),
            user_id: *d.user_id.as_uuid(),
            user_agent: d.user_agent.clone(),
            ip: d.ip.clone(),
            created_at: d.created_at,
            expires_at: d.expires_at,
            last_used_at: d.last_used_at,
        }
    }

    pub(super) fn into_domain(self) -> RememberedDevice {
        RememberedDevice {
            id: DeviceId::from_uuid(self.id),
            hash: TokenHash::from_trusted(self.hash),
            user_id: UserId::from_uuid(self.user_id),
            user_agent: self.user_agent,
            ip: self.ip,
            created_at: self.created_at,
            expires_at: self.expires_at,
            last_used_at: self.last_used_at,
        }
    }
}
