//! [`UserRepository`] over the in-memory tables.

use super::MemoryStore;
use async_trait::async_trait;
use authd_domain::Timestamp;
use authd_domain::error::PortError;
use authd_domain::ids::{SessionId, UserId};
use authd_domain::notification::Notification;
use authd_domain::policy::lockout::{FailureOutcome, LockoutPolicy};
use authd_domain::ports::{ChangePasswordStoreError, CreateUserError, Rehash, UserRepository};
use authd_domain::user::{AccountStatus, ProfileChanges, User};
use authd_domain::values::{Email, PasswordHash, Username};

#[async_trait]
impl UserRepository for MemoryStore {
    async fn create(&self, user: &User, mail: &Notification) -> Result<(), CreateUserError> {
        let mut t = self.lock();
        t.maybe_sweep(user.created_at);
        let email = user.email.normalized();
        let username = user.username.skeleton();
        if t.user_by_email.contains_key(&email) {
            return Err(CreateUserError::EmailTaken);
        }
        if t.user_by_username.contains_key(&username) {
            return Err(CreateUserError::UsernameTaken);
        }
        if t.users.contains_key(&user.id) {
            return Err(PortError::internal("duplicate user id").into());
        }
        t.user_by_email.insert(email, user.id);
        t.user_by_username.insert(username, user.id);
        t.users.insert(user.id, user.clone());
        t.enqueue(mail, user.created_at);
        Ok(())
    }

    async fn find_by_id(&self, id: UserId) -> Result<Option<User>, PortError> {
        Ok(self.lock().users.get(&id).cloned())
    }

    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, PortError> {
        let t = self.lock();
        Ok(t.user_by_email
            .get(&email.normalized())
            .and_then(|id| t.users.get(id))
            .cloned())
    }

    async fn find_by_username(&self, username: &Username) -> Result<Option<User>, PortError> {
        let t = self.lock();
        // One account at most has the key; a look-alike of its name is not its name.
        Ok(t.user_by_username
            .get(&username.skeleton())
            .and_then(|id| t.users.get(id))
            .filter(|user| user.username.normalized() == username.normalized())
            .cloned())
    }

    async fn record_login_failure(
        &self,
        id: UserId,
        now: Timestamp,
        policy: &LockoutPolicy,
        lock_mail: &Notification,
    ) -> Result<Option<FailureOutcome>, PortError> {
        let mut t = self.lock();
        let Some(user) = t.users.get_mut(&id) else {
            return Ok(None);
        };
        let (next, outcome) = policy.record_failure(&user.lockout, now);
        user.lockout = next;
        if matches!(outcome, FailureOutcome::NewlyLocked { .. }) {
            t.enqueue(lock_mail, now);
        }
        Ok(Some(outcome))
    }

    async fn record_login_success(
        &self,
        id: UserId,
        now: Timestamp,
        rehash: Option<Rehash>,
    ) -> Result<(), PortError> {
        let mut t = self.lock();
        if let Some(user) = t.users.get_mut(&id) {
            user.lockout = LockoutPolicy::cleared();
            user.last_login = Some(now);
            // A hash that changed since the login checked it is newer than this re-hash.
            if let Some(r) = rehash.filter(|r| r.verified == user.password_hash) {
                user.password_hash = r.replacement;
            }
        }
        Ok(())
    }

    async fn update_profile(
        &self,
        id: UserId,
        changes: &ProfileChanges,
        now: Timestamp,
    ) -> Result<Option<User>, PortError> {
        let mut t = self.lock();
        Ok(t.users.get_mut(&id).map(|user| {
            changes.apply_to(&mut user.profile);
            user.updated_at = now;
            user.clone()
        }))
    }

    async fn change_password(
        &self,
        id: UserId,
        expected: &PasswordHash,
        hash: &PasswordHash,
        keep: Option<SessionId>,
        now: Timestamp,
        mail: &Notification,
    ) -> Result<Vec<SessionId>, ChangePasswordStoreError> {
        let mut t = self.lock();
        let Some(user) = t
            .users
            .get_mut(&id)
            .filter(|user| user.password_hash.as_str() == expected.as_str())
        else {
            return Err(ChangePasswordStoreError::CredentialsChanged);
        };
        user.password_hash = hash.clone();
        user.lockout = LockoutPolicy::cleared();
        user.updated_at = now;
        t.mfa.forget_devices_of(id);
        let revoked = t.revoke_sessions_of(id, now, keep);
        t.enqueue(mail, now);
        Ok(revoked)
    }

    async fn deactivate(&self, id: UserId, now: Timestamp) -> Result<Vec<SessionId>, PortError> {
        let mut t = self.lock();
        let Some(user) = t.users.get_mut(&id) else {
            return Err(PortError::internal("deactivation of an unknown account"));
        };
        user.status = AccountStatus::Deleted;
        user.updated_at = now;
        // A pending reset or verification link must not bring a deleted account back to life.
        t.remove_one_time_tokens_of(id);
        t.mfa.forget_devices_of(id);
        Ok(t.revoke_sessions_of(id, now, None))
    }
}
