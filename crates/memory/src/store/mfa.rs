//! [`MfaRepository`] over the in-memory tables: factors, backup codes, login challenges and
//! remembered devices, kept beside the accounts under the one lock, so that confirming a factor
//! turns the account's `mfa_enabled` on (and queues the mail) in the same unit of work, and a
//! password change, reset or deactivation forgets the user's devices in its own.
//!
//! The single-use rules hold because every method reads and writes under that lock: a TOTP
//! step is compared with the factor's last accepted one and recorded in one step, a backup code
//! is found and spent in one step, a challenge's attempt is checked and counted in one step, a
//! challenge is checked unexpired and removed in one step, a device is stored only after its
//! user's `mfa_enabled` and password hash are checked in the same step.
//!
//! # Growth
//! A user holds at most one factor per kind (a new setup replaces a pending one) and one set of
//! backup codes in force plus the set of a pending factor. Challenges exist only after a right
//! password, but whoever has that password could still ask for them without end, so each user
//! keeps at most [`MAX_CHALLENGES_PER_USER`] (each a few hundred bytes): a new one drops the
//! user's oldest. Ten outstanding logins are more than anyone has at once; an attacker only
//! pushes out their own earlier challenges. Remembered devices need a completed second factor
//! each. The periodic sweep ([`Tables::maybe_sweep`]) drops expired challenges and devices, which
//! can no longer be consumed or used.

mod tables;
#[cfg(test)]
mod tests;

use super::{MemoryStore, Tables};
use async_trait::async_trait;
use authd_domain::Timestamp;
use authd_domain::error::PortError;
use authd_domain::ids::{DeviceId, FactorId, UserId};
use authd_domain::mfa::{Factor, FactorKind, MfaChallenge, RememberedDevice, TotpStep};
use authd_domain::notification::Notification;
use authd_domain::ports::{BackupCodeUse, BeginSetupError, CodeTarget, MfaOverview, MfaRepository};
use authd_domain::token::TokenHash;
use authd_domain::user::AccountStatus;
use authd_domain::values::PasswordHash;
use std::collections::HashMap;

pub(super) use tables::MfaTables;

/// The login challenges a user may have outstanding; see the module documentation.
pub(super) const MAX_CHALLENGES_PER_USER: usize = 10;

impl Tables {
    fn require_user(&self, user_id: UserId, what: &str) -> Result<(), PortError> {
        if self.users.contains_key(&user_id) {
            Ok(())
        } else {
            Err(PortError::internal(format!("{what} of an unknown account")))
        }
    }

    /// Makes the factor's pending backup codes the user's codes in force and turns MFA on.
    fn confirm_factor(&mut self, factor_id: FactorId, user_id: UserId, now: Timestamp) {
        let codes = self
            .mfa
            .pending_codes
            .remove(&factor_id)
            .unwrap_or_default();
        self.mfa
            .codes
            .insert(user_id, codes.into_iter().map(|c| (c, false)).collect());
        if let Some(user) = self.users.get_mut(&user_id) {
            user.mfa_enabled = true;
            user.updated_at = now;
        }
    }
}

#[async_trait]
impl MfaRepository for MemoryStore {
    async fn overview(&self, user_id: UserId, now: Timestamp) -> Result<MfaOverview, PortError> {
        let t = self.lock();
        let mut factors: Vec<Factor> = t.mfa.factors_of(user_id).cloned().collect();
        factors.sort_by_key(|f| (f.created_at, f.id));
        let backup_codes_left = t.mfa.codes.get(&user_id).map_or(0, unspent);
        let mut devices: Vec<RememberedDevice> = t
            .mfa
            .devices_by_user
            .get(&user_id)
            .into_iter()
            .flat_map(HashMap::values)
            .filter_map(|hash| t.mfa.devices.get(hash))
            .filter(|d| d.is_live(now))
            .cloned()
            .collect();
        devices.sort_by_key(|d| std::cmp::Reverse((d.created_at, d.id)));
        Ok(MfaOverview {
            factors,
            backup_codes_left,
            devices,
        })
    }

    async fn find_factor(
        &self,
        user_id: UserId,
        kind: FactorKind,
    ) -> Result<Option<Factor>, PortError> {
        let t = self.lock();
        Ok(t.mfa.factors_of(user_id).find(|f| f.kind == kind).cloned())
    }

    async fn begin_setup(
        &self,
        factor: &Factor,
        backup_codes: &[TokenHash],
    ) -> Result<(), BeginSetupError> {
        let mut t = self.lock();
        t.maybe_sweep(factor.created_at);
        t.require_user(factor.user_id, "a factor")?;
        if t.mfa.factors.contains_key(&factor.id) {
            return Err(PortError::internal("duplicate factor id").into());
        }
        let same_kind = t
            .mfa
            .factors_of(factor.user_id)
            .find(|f| f.kind == factor.kind)
            .map(|f| (f.id, f.is_confirmed()));
        match same_kind {
            Some((_, true)) => return Err(BeginSetupError::AlreadyEnabled),
            Some((pending, false)) => t.mfa.remove_factor(pending),
            None => {}
        }
        let stored = Factor {
            last_step: None,
            confirmed_at: None,
            last_used_at: None,
            ..factor.clone()
        };
        t.mfa
            .factors_by_user
            .entry(factor.user_id)
            .or_default()
            .push(factor.id);
        t.mfa.factors.insert(factor.id, stored);
        t.mfa.pending_codes.insert(factor.id, backup_codes.to_vec());
        Ok(())
    }

    async fn accept_totp_step(
        &self,
        factor_id: FactorId,
        step: TotpStep,
        now: Timestamp,
        mail: &Notification,
    ) -> Result<bool, PortError> {
        let mut t = self.lock();
        let Some(factor) = t.mfa.factors.get_mut(&factor_id) else {
            return Ok(false);
        };
        if factor.last_step.is_some_and(|last| step <= last) {
            return Ok(false);
        }
        factor.last_step = Some(step);
        factor.last_used_at = Some(now);
        if factor.confirmed_at.is_none() {
            factor.confirmed_at = Some(now);
            let user_id = factor.user_id;
            t.confirm_factor(factor_id, user_id, now);
            t.enqueue(mail, now);
        }
        Ok(true)
    }

    async fn confirm_factor(
        &self,
        factor_id: FactorId,
        now: Timestamp,
        mail: &Notification,
    ) -> Result<bool, PortError> {
        let mut t = self.lock();
        let Some(factor) = t.mfa.factors.get_mut(&factor_id) else {
            return Ok(false);
        };
        if factor.confirmed_at.is_some() {
            return Ok(false);
        }
        factor.confirmed_at = Some(now);
        factor.last_used_at = Some(now);
        let user_id = factor.user_id;
        t.confirm_factor(factor_id, user_id, now);
        t.enqueue(mail, now);
        Ok(true)
    }

    async fn store_code(
        &self,
        target: &CodeTarget,
        digest: &TokenHash,
        expires_at: Timestamp,
    ) -> Result<bool, PortError> {
        let mut t = self.lock();
        if !t.mfa.has_target(target) {
            return Ok(false);
        }
        t.mfa
            .emailed
            .insert(target.clone(), (digest.clone(), expires_at));
        Ok(true)
    }

    async fn use_code(
        &self,
        target: &CodeTarget,
        digests: &[TokenHash],
        now: Timestamp,
    ) -> Result<bool, PortError> {
        let mut t = self.lock();
        let matches = t
            .mfa
            .emailed
            .get(target)
            .is_some_and(|(digest, expires_at)| *expires_at > now && digests.contains(digest));
        if matches {
            t.mfa.emailed.remove(target);
        }
        Ok(matches)
    }

    async fn use_backup_code(
        &self,
        user_id: UserId,
        digests: &[TokenHash],
        _now: Timestamp,
    ) -> Result<BackupCodeUse, PortError> {
        let mut t = self.lock();
        let Some(codes) = t.mfa.codes.get_mut(&user_id) else {
            return Ok(BackupCodeUse::Unknown);
        };
        let Some(spent) = digests
            .iter()
            .find(|d| codes.contains_key(*d))
            .and_then(|d| codes.get_mut(d))
        else {
            return Ok(BackupCodeUse::Unknown);
        };
        if *spent {
            return Ok(BackupCodeUse::AlreadyUsed);
        }
        *spent = true;
        Ok(BackupCodeUse::Accepted {
            remaining: unspent(codes),
        })
    }

    async fn replace_backup_codes(
        &self,
        user_id: UserId,
        digests: &[TokenHash],
        _now: Timestamp,
    ) -> Result<bool, PortError> {
        let mut t = self.lock();
        if !t.mfa.has_confirmed_factor(user_id) {
            return Ok(false);
        }
        t.mfa.codes.insert(
            user_id,
            digests.iter().map(|d| (d.clone(), false)).collect(),
        );
        Ok(true)
    }

    async fn disable(
        &self,
        user_id: UserId,
        now: Timestamp,
        mail: &Notification,
    ) -> Result<bool, PortError> {
        let mut t = self.lock();
        if !t.mfa.has_confirmed_factor(user_id) {
            return Ok(false);
        }
        let factors: Vec<FactorId> = t.mfa.factors_of(user_id).map(|f| f.id).collect();
        for id in factors {
            t.mfa.remove_factor(id);
        }
        t.mfa.codes.remove(&user_id);
        t.mfa.forget_challenges_of(user_id);
        t.mfa.forget_devices_of(user_id);
        if let Some(user) = t.users.get_mut(&user_id) {
            user.mfa_enabled = false;
            user.updated_at = now;
        }
        t.enqueue(mail, now);
        Ok(true)
    }

    async fn create_challenge(&self, challenge: &MfaChallenge) -> Result<(), PortError> {
        let mut t = self.lock();
        t.maybe_sweep(challenge.created_at);
        t.require_user(challenge.user_id, "an MFA challenge")?;
        if t.mfa.challenges.contains_key(&challenge.hash) {
            return Err(PortError::internal("duplicate MFA challenge hash"));
        }
        let hashes = t
            .mfa
            .challenges_by_user
            .entry(challenge.user_id)
            .or_default();
        hashes.push_back(challenge.hash.clone());
        let dropped = hashes
            .len()
            .checked_sub(MAX_CHALLENGES_PER_USER)
            .map_or_else(Vec::new, |excess| hashes.drain(..excess).collect());
        for hash in &dropped {
            t.mfa.challenges.remove(hash);
            t.mfa.emailed.remove(&CodeTarget::Challenge(hash.clone()));
        }
        t.mfa
            .challenges
            .insert(challenge.hash.clone(), challenge.clone());
        Ok(())
    }

    async fn find_challenge(&self, hash: &TokenHash) -> Result<Option<MfaChallenge>, PortError> {
        Ok(self.lock().mfa.challenges.get(hash).cloned())
    }

    async fn take_attempt(
        &self,
        hash: &TokenHash,
        now: Timestamp,
    ) -> Result<Option<MfaChallenge>, PortError> {
        let mut t = self.lock();
        Ok(t.mfa
            .challenges
            .get_mut(hash)
            .filter(|c| c.is_live(now))
            .map(|c| {
                c.attempts += 1;
                c.clone()
            }))
    }

    async fn consume_challenge(
        &self,
        hash: &TokenHash,
        now: Timestamp,
    ) -> Result<Option<MfaChallenge>, PortError> {
        let mut t = self.lock();
        // Whatever its attempts: the caller took one before checking the code.
        let unexpired = t
            .mfa
            .challenges
            .get(hash)
            .is_some_and(|c| !c.has_expired(now));
        if !unexpired {
            return Ok(None);
        }
        Ok(t.mfa.remove_challenge(hash))
    }

    async fn remember_device(
        &self,
        device: &RememberedDevice,
        verified: &PasswordHash,
    ) -> Result<bool, PortError> {
        let mut t = self.lock();
        t.maybe_sweep(device.created_at);
        t.require_user(device.user_id, "a remembered device")?;
        // Under the same lock as `disable` and the password changes: whichever runs first wins.
        let still_verified = t.users.get(&device.user_id).is_some_and(|u| {
            u.mfa_enabled
                && u.password_hash == *verified
                && !matches!(u.status, AccountStatus::Suspended | AccountStatus::Deleted)
        });
        if !still_verified {
            return Ok(false);
        }
        if t.mfa.devices.contains_key(&device.hash) {
            return Err(PortError::internal("duplicate remembered-device hash"));
        }
        let devices = t.mfa.devices_by_user.entry(device.user_id).or_default();
        if devices.contains_key(&device.id) {
            return Err(PortError::internal("duplicate remembered-device id"));
        }
        devices.insert(device.id, device.hash.clone());
        t.mfa.devices.insert(device.hash.clone(), device.clone());
        Ok(true)
    }

    async fn use_device(
        &self,
        user_id: UserId,
        hash: &TokenHash,
        now: Timestamp,
    ) -> Result<Option<RememberedDevice>, PortError> {
        let mut t = self.lock();
        Ok(t.mfa
            .devices
            .get_mut(hash)
            .filter(|d| d.user_id == user_id && d.is_live(now))
            .map(|d| {
                d.last_used_at = Some(now);
                d.clone()
            }))
    }

    async fn forget_device(&self, user_id: UserId, id: DeviceId) -> Result<bool, PortError> {
        Ok(self.lock().mfa.remove_device(user_id, id))
    }
}

/// How many codes of a set are not spent.
fn unspent(codes: &HashMap<TokenHash, bool>) -> u32 {
    let left = codes.values().filter(|spent| !**spent).count();
    u32::try_from(left).unwrap_or(u32::MAX)
}
