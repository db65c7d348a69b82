//! Storage of MFA state: factors, backup codes, login challenges and remembered devices.

use crate::Timestamp;
use crate::error::PortError;
use crate::ids::{DeviceId, FactorId, UserId};
use crate::mfa::{Factor, FactorKind, MfaChallenge, RememberedDevice, TotpStep};
use crate::notification::Notification;
use crate::token::TokenHash;
use crate::values::PasswordHash;
use async_trait::async_trait;
use thiserror::Error;

/// Why a factor could not be set up.
#[derive(Debug, Error)]
pub enum BeginSetupError {
    /// The user already has a confirmed factor of this kind (409 `MFA_ALREADY_ENABLED`).
    #[error("a factor of this kind is already enabled")]
    AlreadyEnabled,
    #[error(transparent)]
    Port(#[from] PortError),
}

/// The result of presenting a backup code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackupCodeUse {
    /// Accepted and spent; `remaining` unused codes are left.
    Accepted { remaining: u32 },
    /// One of the user's codes, already spent (401 `MFA_BACKUP_CODE_USED`).
    AlreadyUsed,
    /// None of the user's codes (a wrong code).
    Unknown,
}

/// Where an emailed code belongs: a factor (the setup code of a pending email factor, or a
/// step-up code of a confirmed one) or a login challenge (by the hash of its mfaToken).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CodeTarget {
    Factor(FactorId),
    Challenge(TokenHash),
}

/// Everything a user has set up for MFA, for `GET /v1/auth/mfa` and the `methods` of a login.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MfaOverview {
    /// Confirmed and pending factors, oldest first.
    pub factors: Vec<Factor>,
    /// Unused backup codes of the confirmed set (a pending set does not count).
    pub backup_codes_left: u32,
    /// Remembered devices that have not expired, most recently created first.
    pub devices: Vec<RememberedDevice>,
}

/// MFA state: factors, backup codes, login challenges and remembered devices.
///
/// Whether a user has MFA on is read with the account ([`User::mfa_enabled`](crate::user::User::mfa_enabled)), so that a login
/// without MFA costs no extra round trip; the adapter keeps that flag in step with the confirmed
/// factors in the same unit of work as every change here.
///
/// The single-use rules are settled here, atomically: one TOTP step, one backup code and one
/// challenge are each accepted once, however many requests present them at the same moment and
/// on however many instances.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait MfaRepository: Send + Sync {
    /// The user's factors, backup-code count and devices live at `now`.
    async fn overview(&self, user_id: UserId, now: Timestamp) -> Result<MfaOverview, PortError>;

    /// The user's factor of `kind`, confirmed or pending.
    async fn find_factor(
        &self,
        user_id: UserId,
        kind: FactorKind,
    ) -> Result<Option<Factor>, PortError>;

    /// Stores `factor` (pending) with the digests of the backup codes that come with it, all or
    /// nothing. A pending factor of the same kind, and the backup codes that came with it, are
    /// replaced; the confirmed backup codes stay in force until the factor is confirmed.
    ///
    /// # Errors
    /// [`BeginSetupError::AlreadyEnabled`], storing nothing, when the user has a confirmed
    /// factor of this kind (checked in the same unit of work).
    async fn begin_setup(
        &self,
        factor: &Factor,
        backup_codes: &[TokenHash],
    ) -> Result<(), BeginSetupError>;

    /// Records that `step` was accepted for the factor at `now`: only if the factor's stored
    /// `last_step` is unset or earlier than `step` (compare-and-set). Sets `last_used_at`. If
    /// the factor was pending, it becomes confirmed, its backup codes replace the user's
    /// earlier ones, the account's `mfa_enabled` turns on and `mail` is queued, all in the same
    /// unit of work.
    ///
    /// `false` when the step was not later (a replay that raced this one, or the factor is
    /// gone): nothing changes. 20 concurrent calls with one step: exactly one `true`.
    async fn accept_totp_step(
        &self,
        factor_id: FactorId,
        step: TotpStep,
        now: Timestamp,
        mail: &Notification,
    ) -> Result<bool, PortError>;

    /// Marks the pending factor confirmed at `now`: its backup codes replace the user's earlier
    /// ones, the account's `mfa_enabled` turns on and `mail` is queued, all in one unit of work.
    /// `false`, changing nothing, when the factor is already confirmed or gone. 20 concurrent
    /// calls on one pending factor: exactly one `true`.
    async fn confirm_factor(
        &self,
        factor_id: FactorId,
        now: Timestamp,
        mail: &Notification,
    ) -> Result<bool, PortError>;

    /// Stores the keyed digest of an emailed code for `target`, valid until `expires_at`,
    /// replacing any earlier code of that target. `false`, storing nothing, when the target is
    /// gone (factor removed, challenge consumed or cleared out).
    async fn store_code(
        &self,
        target: &CodeTarget,
        digest: &TokenHash,
        expires_at: Timestamp,
    ) -> Result<bool, PortError>;

    /// Spends the emailed code of `target` if its digest is one of `digests` (one per
    /// configured key) and it has not expired at `now` (compare-and-set: the code is cleared).
    /// 20 concurrent calls with one code: exactly one `true`.
    async fn use_code(
        &self,
        target: &CodeTarget,
        digests: &[TokenHash],
        now: Timestamp,
    ) -> Result<bool, PortError>;

    /// Spends the user's unused confirmed backup code whose digest is one of `digests` (the
    /// code's digest under each configured key, so that keys rotate). 20 concurrent calls with
    /// one code: exactly one `Accepted`, the others `AlreadyUsed`.
    async fn use_backup_code(
        &self,
        user_id: UserId,
        digests: &[TokenHash],
        now: Timestamp,
    ) -> Result<BackupCodeUse, PortError>;

    /// Replaces the user's confirmed backup codes with `digests`. `false`, changing nothing,
    /// when the user has no confirmed factor.
    async fn replace_backup_codes(
        &self,
        user_id: UserId,
        digests: &[TokenHash],
        now: Timestamp,
    ) -> Result<bool, PortError>;

    /// Turns MFA off: deletes every factor, backup code, challenge and remembered device of the
    /// user, turns `mfa_enabled` off and queues `mail`, all or nothing. `false`, changing
    /// nothing, when the user has no confirmed factor.
    async fn disable(
        &self,
        user_id: UserId,
        now: Timestamp,
        mail: &Notification,
    ) -> Result<bool, PortError>;

    /// Stores a new login challenge.
    async fn create_challenge(&self, challenge: &MfaChallenge) -> Result<(), PortError>;

    /// The unconsumed challenge with this hash, live or not. Read only.
    async fn find_challenge(&self, hash: &TokenHash) -> Result<Option<MfaChallenge>, PortError>;

    /// Reserves one code's attempt before the code is checked: atomically, if the challenge
    /// exists, has not expired at `now` and has fewer than [`MfaChallenge::MAX_ATTEMPTS`]
    /// attempts, counts one and returns the challenge after the count; else `None`, counting
    /// nothing. 20 concurrent calls on a fresh challenge: exactly 5 get it (attempts 1 to 5,
    /// each once), 15 `None`.
    async fn take_attempt(
        &self,
        hash: &TokenHash,
        now: Timestamp,
    ) -> Result<Option<MfaChallenge>, PortError>;

    /// Consumes the challenge if it has not expired at `now` and returns it; its attempts do
    /// not matter (the caller took one before checking the code, so the fifth code may be the
    /// right one). 20 concurrent calls with one challenge: exactly one gets it, the others
    /// `None`.
    async fn consume_challenge(
        &self,
        hash: &TokenHash,
        now: Timestamp,
    ) -> Result<Option<MfaChallenge>, PortError>;

    /// Stores a remembered device, but only while its user still has `mfa_enabled` and the
    /// stored password hash is still `verified` (the one the login verified), checked in the
    /// same unit of work as the insert: turning MFA off or a password change or reset that
    /// commits meanwhile wins. `false`, storing nothing, otherwise.
    async fn remember_device(
        &self,
        device: &RememberedDevice,
        verified: &PasswordHash,
    ) -> Result<bool, PortError>;

    /// The user's device with this token hash if it is live at `now`; sets its `last_used_at`.
    async fn use_device(
        &self,
        user_id: UserId,
        hash: &TokenHash,
        now: Timestamp,
    ) -> Result<Option<RememberedDevice>, PortError>;

    /// Forgets one device of the user. `false` if the user has no such device.
    async fn forget_device(&self, user_id: UserId, id: DeviceId) -> Result<bool, PortError>;
}
