//! The MFA tables and the bookkeeping that keeps their per-user indexes in step.

use authd_domain::Timestamp;
use authd_domain::ids::{DeviceId, FactorId, UserId};
use authd_domain::mfa::{Factor, MfaChallenge, RememberedDevice};
use authd_domain::ports::CodeTarget;
use authd_domain::token::TokenHash;
use std::collections::{HashMap, VecDeque};

/// The MFA tables, a part of the store's `Tables`.
#[derive(Default)]
pub(in crate::store) struct MfaTables {
    pub(super) factors: HashMap<FactorId, Factor>,
    /// Each user's factors, in the order they were set up.
    pub(super) factors_by_user: HashMap<UserId, Vec<FactorId>>,
    /// The digests of the backup codes that come with a pending factor.
    pub(super) pending_codes: HashMap<FactorId, Vec<TokenHash>>,
    /// Each user's backup codes in force: digest to whether it is spent.
    pub(super) codes: HashMap<UserId, HashMap<TokenHash, bool>>,
    pub(super) challenges: HashMap<TokenHash, MfaChallenge>,
    /// Each user's challenges, oldest first: the cap drops from the front.
    pub(super) challenges_by_user: HashMap<UserId, VecDeque<TokenHash>>,
    pub(super) devices: HashMap<TokenHash, RememberedDevice>,
    pub(super) devices_by_user: HashMap<UserId, HashMap<DeviceId, TokenHash>>,
    /// The emailed code of a factor or challenge: its digest and when it expires. Removed with
    /// its target.
    pub(super) emailed: HashMap<CodeTarget, (TokenHash, Timestamp)>,
}

impl MfaTables {
    pub(super) fn factors_of(&self, user_id: UserId) -> impl Iterator<Item = &Factor> {
        self.factors_by_user
            .get(&user_id)
            .into_iter()
            .flatten()
            .filter_map(|id| self.factors.get(id))
    }

    pub(super) fn has_confirmed_factor(&self, user_id: UserId) -> bool {
        self.factors_of(user_id).any(Factor::is_confirmed)
    }

    pub(super) fn remove_factor(&mut self, id: FactorId) {
        if let Some(factor) = self.factors.remove(&id) {
            self.pending_codes.remove(&id);
            self.emailed.remove(&CodeTarget::Factor(id));
            if let Some(ids) = self.factors_by_user.get_mut(&factor.user_id) {
                ids.retain(|other| *other != id);
                if ids.is_empty() {
                    self.factors_by_user.remove(&factor.user_id);
                }
            }
        }
    }

    pub(super) fn remove_challenge(&mut self, hash: &TokenHash) -> Option<MfaChallenge> {
        let challenge = self.challenges.remove(hash)?;
        self.emailed.remove(&CodeTarget::Challenge(hash.clone()));
        if let Some(hashes) = self.challenges_by_user.get_mut(&challenge.user_id) {
            hashes.retain(|other| other != hash);
            if hashes.is_empty() {
                self.challenges_by_user.remove(&challenge.user_id);
            }
        }
        Some(challenge)
    }

    /// Whether the factor or challenge an emailed code is for still exists.
    pub(super) fn has_target(&self, target: &CodeTarget) -> bool {
        match target {
            CodeTarget::Factor(id) => self.factors.contains_key(id),
            CodeTarget::Challenge(hash) => self.challenges.contains_key(hash),
        }
    }

    pub(super) fn remove_device(&mut self, user_id: UserId, id: DeviceId) -> bool {
        let Some(devices) = self.devices_by_user.get_mut(&user_id) else {
            return false;
        };
        let Some(hash) = devices.remove(&id) else {
            return false;
        };
        if devices.is_empty() {
            self.devices_by_user.remove(&user_id);
        }
        self.devices.remove(&hash);
        true
    }

    /// Forgets every remembered device of the user.
    pub(in crate::store) fn forget_devices_of(&mut self, user_id: UserId) {
        for hash in self
            .devices_by_user
            .remove(&user_id)
            .into_iter()
            .flat_map(HashMap::into_values)
        {
            self.devices.remove(&hash);
        }
    }

    /// Forgets every pending login challenge of the user, with its emailed code.
    pub(in crate::store) fn forget_challenges_of(&mut self, user_id: UserId) {
        for hash in self.challenges_by_user.remove(&user_id).unwrap_or_default() {
            self.challenges.remove(&hash);
            self.emailed.remove(&CodeTarget::Challenge(hash));
        }
    }

    /// Drops the challenges and devices that have expired at `now`.
    pub(in crate::store) fn sweep(&mut self, now: Timestamp) {
        let expired: Vec<TokenHash> = self
            .challenges
            .values()
            .filter(|c| c.expires_at <= now)
            .map(|c| c.hash.clone())
            .collect();
        for hash in &expired {
            self.remove_challenge(hash);
        }
        let expired: Vec<(UserId, DeviceId)> = self
            .devices
            .values()
            .filter(|d| !d.is_live(now))
            .map(|d| (d.user_id, d.id))
            .collect();
        for (user_id, id) in expired {
            self.remove_device(user_id, id);
        }
    }
}
