//! [`MfaRepository`] over `mfa_factors`, `mfa_backup_codes`, `mfa_challenges`,
//! `mfa_remembered_devices` and `users.mfa_enabled`.
//!
//! The single-use rules are each one conditional statement: a TOTP step is accepted by a
//! compare-and-set on the factor's `last_step`, a backup code spent by an `UPDATE ... WHERE
//! used_at IS NULL`, a challenge's attempt taken by an `UPDATE ... WHERE attempts < 5
//! RETURNING` and the challenge consumed by a `DELETE ... RETURNING`, a device stored by an
//! `INSERT ... SELECT` from the account row it locks, only while MFA is on and the password
//! unchanged. Changes that span tables
//! (confirming a factor, a setup, turning MFA off, new backup codes) are one transaction, and
//! take their locks in one order (factor rows, then backup codes in digest order, then the
//! account), so they cannot deadlock each other.

mod backup_codes;
mod challenges;
mod codes;
mod devices;
mod factors;
mod rows;

pub(crate) use devices::forget_all as forget_all_devices;

use crate::error::TxError;
use crate::store::PostgresStore;
use async_trait::async_trait;
use authd_domain::Timestamp;
use authd_domain::error::PortError;
use authd_domain::ids::{DeviceId, FactorId, UserId};
use authd_domain::mfa::{Factor, FactorKind, MfaChallenge, RememberedDevice, TotpStep};
use authd_domain::notification::Notification;
use authd_domain::ports::{BackupCodeUse, BeginSetupError, CodeTarget, MfaOverview, MfaRepository};
use authd_domain::token::TokenHash;
use authd_domain::values::PasswordHash;
use diesel_async::AsyncConnection;
use factors::SetupFailure;

#[async_trait]
impl MfaRepository for PostgresStore {
    async fn overview(&self, user_id: UserId, now: Timestamp) -> Result<MfaOverview, PortError> {
        let uid = *user_id.as_uuid();
        self.bounded(async {
            let mut conn = self.conn().await?;
            let factors = factors::all_of(&mut conn, uid).await?;
            let left = backup_codes::unused_count(&mut conn, uid)
                .await
                .map_err(TxError::from)?;
            let devices = devices::live(&mut conn, uid, now)
                .await
                .map_err(TxError::from)?;
            Ok(MfaOverview {
                factors,
                backup_codes_left: u32::try_from(left).unwrap_or(u32::MAX),
                devices,
            })
        })
        .await
    }

    async fn find_factor(
        &self,
        user_id: UserId,
        kind: FactorKind,
    ) -> Result<Option<Factor>, PortError> {
        self.bounded(async {
            let mut conn = self.conn().await?;
            factors::find(&mut conn, *user_id.as_uuid(), kind.as_str()).await
        })
        .await
    }

    async fn begin_setup(
        &self,
        factor: &Factor,
        backup_codes: &[TokenHash],
    ) -> Result<(), BeginSetupError> {
        self.bounded(async {
            let mut conn = self.conn().await?;
            conn.transaction::<_, SetupFailure, _>(async |c| {
                factors::begin_setup(c, factor, backup_codes).await
            })
            .await
            .map_err(|e| match e {
                SetupFailure::AlreadyEnabled => BeginSetupError::AlreadyEnabled,
                SetupFailure::Tx(e) => BeginSetupError::Port(e.into()),
            })
        })
        .await
    }

    async fn accept_totp_step(
        &self,
        factor_id: FactorId,
        step: TotpStep,
        now: Timestamp,
        mail: &Notification,
    ) -> Result<bool, PortError> {
        self.bounded(async {
            let mut conn = self.conn().await?;
            let accepted = conn
                .transaction::<_, TxError, _>(async |c| {
                    factors::accept_step(c, factor_id, step, now, mail).await
                })
                .await?;
            Ok(accepted)
        })
        .await
    }

    async fn confirm_factor(
        &self,
        factor_id: FactorId,
        now: Timestamp,
        mail: &Notification,
    ) -> Result<bool, PortError> {
        self.bounded(async {
            let mut conn = self.conn().await?;
            let confirmed = conn
                .transaction::<_, TxError, _>(async |c| {
                    factors::confirm(c, factor_id, now, mail).await
                })
                .await?;
            Ok(confirmed)
        })
        .await
    }

    async fn store_code(
        &self,
        target: &CodeTarget,
        digest: &TokenHash,
        expires_at: Timestamp,
    ) -> Result<bool, PortError> {
        self.bounded(async {
            let mut conn = self.conn().await?;
            Ok(codes::store(&mut conn, target, digest, expires_at)
                .await
                .map_err(TxError::from)?)
        })
        .await
    }

    async fn use_code(
        &self,
        target: &CodeTarget,
        digests: &[TokenHash],
        now: Timestamp,
    ) -> Result<bool, PortError> {
        self.bounded(async {
            let mut conn = self.conn().await?;
            Ok(codes::spend(&mut conn, target, digests, now)
                .await
                .map_err(TxError::from)?)
        })
        .await
    }

    async fn use_backup_code(
        &self,
        user_id: UserId,
        digests: &[TokenHash],
        now: Timestamp,
    ) -> Result<BackupCodeUse, PortError> {
        self.bounded(async {
            let mut conn = self.conn().await?;
            Ok(backup_codes::spend(&mut conn, *user_id.as_uuid(), digests, now).await?)
        })
        .await
    }

    async fn replace_backup_codes(
        &self,
        user_id: UserId,
        digests: &[TokenHash],
        _now: Timestamp,
    ) -> Result<bool, PortError> {
        let uid = *user_id.as_uuid();
        self.bounded(async {
            let mut conn = self.conn().await?;
            let replaced = conn
                .transaction::<_, TxError, _>(async |c| {
                    // Held until commit: turning MFA off meanwhile waits, then deletes these.
                    if !factors::hold_confirmed(c, uid).await? {
                        return Ok(false);
                    }
                    backup_codes::delete_confirmed(c, uid).await?;
                    backup_codes::insert(c, uid, None, digests).await?;
                    Ok(true)
                })
                .await?;
            Ok(replaced)
        })
        .await
    }

    async fn disable(
        &self,
        user_id: UserId,
        now: Timestamp,
        mail: &Notification,
    ) -> Result<bool, PortError> {
        self.bounded(async {
            let mut conn = self.conn().await?;
            let disabled = conn
                .transaction::<_, TxError, _>(async |c| {
                    factors::disable(c, *user_id.as_uuid(), now, mail).await
                })
                .await?;
            Ok(disabled)
        })
        .await
    }

    async fn create_challenge(&self, challenge: &MfaChallenge) -> Result<(), PortError> {
        self.bounded(async {
            let mut conn = self.conn().await?;
            challenges::create(&mut conn, challenge)
                .await
                .map_err(TxError::from)?;
            Ok(())
        })
        .await
    }

    async fn find_challenge(&self, hash: &TokenHash) -> Result<Option<MfaChallenge>, PortError> {
        self.bounded(async {
            let mut conn = self.conn().await?;
            Ok(challenges::find(&mut conn, hash).await?)
        })
        .await
    }

    async fn take_attempt(
        &self,
        hash: &TokenHash,
        now: Timestamp,
    ) -> Result<Option<MfaChallenge>, PortError> {
        self.bounded(async {
            let mut conn = self.conn().await?;
            Ok(challenges::take_attempt(&mut conn, hash, now).await?)
        })
        .await
    }

    async fn consume_challenge(
        &self,
        hash: &TokenHash,
        now: Timestamp,
    ) -> Result<Option<MfaChallenge>, PortError> {
        self.bounded(async {
            let mut conn = self.conn().await?;
            Ok(challenges::consume(&mut conn, hash, now).await?)
        })
        .await
    }

    async fn remember_device(
        &self,
        device: &RememberedDevice,
        verified: &PasswordHash,
    ) -> Result<bool, PortError> {
        self.bounded(async {
            let mut conn = self.conn().await?;
            Ok(devices::remember(&mut conn, device, verified)
                .await
                .map_err(TxError::from)?)
        })
        .await
    }

    async fn use_device(
        &self,
        user_id: UserId,
        hash: &TokenHash,
        now: Timestamp,
    ) -> Result<Option<RememberedDevice>, PortError> {
        self.bounded(async {
            let mut conn = self.conn().await?;
            Ok(devices::use_device(&mut conn, user_id, hash, now).await?)
        })
        .await
    }

    async fn forget_device(&self, user_id: UserId, id: DeviceId) -> Result<bool, PortError> {
        self.bounded(async {
            let mut conn = self.conn().await?;
            Ok(devices::forget(&mut conn, user_id, id)
                .await
                .map_err(TxError::from)?)
        })
        .await
    }
}
