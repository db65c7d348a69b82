//! [`OneTimeTokenRepository`] over the in-memory tables. At most one token per user and
//! purpose is stored: issuing a new one drops the previous, and consuming one removes it.

use super::{MemoryStore, Tables};
use async_trait::async_trait;
use authd_domain::Timestamp;
use authd_domain::error::PortError;
use authd_domain::ids::{SessionId, UserId};
use authd_domain::notification::Notification;
use authd_domain::policy::lockout::LockoutPolicy;
use authd_domain::ports::{ConsumeError, OneTimeTokenRepository};
use authd_domain::token::{OneTimeToken, TokenHash, TokenPurpose};
use authd_domain::user::AccountStatus;
use authd_domain::values::PasswordHash;

impl Tables {
    /// Stores `token` as the only valid one of its user and purpose.
    pub(super) fn put_one_time_token(&mut self, token: OneTimeToken) {
        let key = (token.user_id, token.purpose);
        if let Some(previous) = self.latest_one_time.insert(key, token.hash.clone()) {
            self.one_time_tokens.remove(&previous);
        }
        self.one_time_tokens.insert(token.hash.clone(), token);
    }

    pub(super) fn remove_one_time_token(&mut self, hash: &TokenHash) {
        if let Some(token) = self.one_time_tokens.remove(hash) {
            let key = (token.user_id, token.purpose);
            if self.latest_one_time.get(&key) == Some(hash) {
                self.latest_one_time.remove(&key);
            }
        }
    }

    pub(super) fn remove_one_time_tokens_of(&mut self, user_id: UserId) {
        for purpose in [TokenPurpose::EmailVerification, TokenPurpose::PasswordReset] {
            if let Some(hash) = self.latest_one_time.remove(&(user_id, purpose)) {
                self.one_time_tokens.remove(&hash);
            }
        }
    }

    /// The owner of a usable token; checked before anything is written.
    fn usable_token_owner(
        &self,
        hash: &TokenHash,
        purpose: TokenPurpose,
        now: Timestamp,
    ) -> Result<UserId, ConsumeError> {
        let token = self
            .one_time_tokens
            .get(hash)
            .filter(|t| t.purpose == purpose)
            .ok_or(ConsumeError::NotFound)?;
        if token.expires_at <= now {
            return Err(ConsumeError::Expired);
        }
        if !self.users.contains_key(&token.user_id) {
            return Err(PortError::internal("one-time token of an unknown account").into());
        }
        Ok(token.user_id)
    }
}

#[async_trait]
impl OneTimeTokenRepository for MemoryStore {
    async fn issue(&self, token: &OneTimeToken) -> Result<(), PortError> {
        let mut t = self.lock();
        t.maybe_sweep(token.created_at);
        if !t.users.contains_key(&token.user_id) {
            return Err(PortError::internal("one-time token for an unknown account"));
        }
        if t.one_time_tokens.contains_key(&token.hash) {
            return Err(PortError::internal("duplicate one-time token hash"));
        }
        t.put_one_time_token(token.clone());
        Ok(())
    }

    async fn find(
        &self,
        hash: &TokenHash,
        purpose: TokenPurpose,
    ) -> Result<Option<OneTimeToken>, PortError> {
        Ok(self
            .lock()
            .one_time_tokens
            .get(hash)
            .filter(|t| t.purpose == purpose)
            .cloned())
    }

    async fn consume_verification(
        &self,
        hash: &TokenHash,
        now: Timestamp,
    ) -> Result<UserId, ConsumeError> {
        let mut t = self.lock();
        let user_id = t.usable_token_owner(hash, TokenPurpose::EmailVerification, now)?;
        t.remove_one_time_token(hash);
        if let Some(user) = t.users.get_mut(&user_id) {
            user.email_verified = true;
            if user.status == AccountStatus::Pending {
                user.status = AccountStatus::Active;
            }
            user.updated_at = now;
        }
        Ok(user_id)
    }

    async fn consume_reset(
        &self,
        hash: &TokenHash,
        new_hash: &PasswordHash,
        now: Timestamp,
        mail: &Notification,
    ) -> Result<(UserId, Vec<SessionId>), ConsumeError> {
        let mut t = self.lock();
        let user_id = t.usable_token_owner(hash, TokenPurpose::PasswordReset, now)?;
        t.remove_one_time_token(hash);
        if let Some(user) = t.users.get_mut(&user_id) {
            user.password_hash = new_hash.clone();
            user.lockout = LockoutPolicy::cleared();
            user.updated_at = now;
        }
        t.mfa.forget_devices_of(user_id);
        let revoked = t.revoke_sessions_of(user_id, now, None);
        t.enqueue(mail, now);
        Ok((user_id, revoked))
    }
}
