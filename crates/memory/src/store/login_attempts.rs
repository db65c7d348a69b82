//! [`LoginAttempts`] over the in-memory tables: the account lookup, and the bounded failure
//! counts of identifiers that name no account.

use super::{MAX_UNKNOWN_LOGINS, MemoryStore, Tables, UNKNOWN_LOGINS_EVICTED};
use async_trait::async_trait;
use authd_domain::Timestamp;
use authd_domain::error::PortError;
use authd_domain::policy::lockout::{FailureOutcome, LockoutPolicy};
use authd_domain::ports::{LoginAttempts, LoginName, LoginTarget};
use authd_domain::token::TokenHash;

#[async_trait]
impl LoginAttempts for MemoryStore {
    async fn find_for_login(
        &self,
        name: &LoginName,
        key: &TokenHash,
    ) -> Result<LoginTarget, PortError> {
        let t = self.lock();
        let id = match name {
            LoginName::Email(email) => t.user_by_email.get(&email.normalized()),
            LoginName::Username(username) => t.user_by_username.get(&username.skeleton()),
            LoginName::Malformed => None,
        };
        // A username's key is shared with its look-alikes, which are not its name.
        let named = |user: &&authd_domain::user::User| match name {
            LoginName::Username(username) => user.username.normalized() == username.normalized(),
            LoginName::Email(_) | LoginName::Malformed => true,
        };
        if let Some(user) = id.and_then(|id| t.users.get(id)).filter(named) {
            return Ok(LoginTarget::Account(Box::new(user.clone())));
        }
        let lockout = t.unknown_logins.get(key).copied().unwrap_or_default();
        Ok(LoginTarget::Unknown(lockout))
    }

    async fn record_unknown_failure(
        &self,
        key: &TokenHash,
        now: Timestamp,
        policy: &LockoutPolicy,
    ) -> Result<FailureOutcome, PortError> {
        let mut t = self.lock();
        if !t.unknown_logins.contains_key(key) {
            t.make_room_for_an_unknown_login(now);
        }
        let stored = t.unknown_logins.get(key).copied().unwrap_or_default();
        let (next, outcome) = policy.record_failure(&stored, now);
        t.unknown_logins.insert(key.clone(), next);
        Ok(outcome)
    }
}

impl Tables {
    /// Keeps the map below [`MAX_UNKNOWN_LOGINS`]: see the module documentation.
    fn make_room_for_an_unknown_login(&mut self, now: Timestamp) {
        if self.unknown_logins.len() < MAX_UNKNOWN_LOGINS {
            return;
        }
        // After its lock has expired, the next failure starts a fresh count, as with no entry.
        self.unknown_logins
            .retain(|_, state| state.locked_until.is_none_or(|until| until > now));
        if self.unknown_logins.len() < MAX_UNKNOWN_LOGINS {
            return;
        }
        let mut by_age: Vec<(Option<Timestamp>, TokenHash)> = self
            .unknown_logins
            .iter()
            .map(|(key, state)| (state.last_failed_at, key.clone()))
            .collect();
        let evicted = UNKNOWN_LOGINS_EVICTED.clamp(1, by_age.len());
        by_age.select_nth_unstable_by_key(evicted - 1, |(at, _)| *at);
        for (_, key) in by_age.into_iter().take(evicted) {
            self.unknown_logins.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use authd_domain::policy::lockout::LockoutState;
    use authd_testkit::fixtures::{t0, t0_plus};
    use chrono::Duration;

    fn key(i: usize) -> TokenHash {
        TokenHash::from_trusted(format!("digest-{i}"))
    }

    async fn fail(store: &MemoryStore, key: &TokenHash, at: Timestamp) -> FailureOutcome {
        store
            .record_unknown_failure(key, at, &LockoutPolicy::default())
            .await
            .unwrap()
    }

    async fn lockout(store: &MemoryStore, key: &TokenHash) -> LockoutState {
        match store
            .find_for_login(&LoginName::Malformed, key)
            .await
            .unwrap()
        {
            LoginTarget::Unknown(state) => state,
            LoginTarget::Account(user) => panic!("no account expected: {user:?}"),
        }
    }

    /// Fills the map to its bound, the i-th identifier failing at `t0 + i` seconds.
    async fn fill(store: &MemoryStore, from: usize) {
        for i in from..MAX_UNKNOWN_LOGINS {
            fail(store, &key(i), t0_plus(i64::try_from(i).unwrap())).await;
        }
    }

    #[tokio::test]
    async fn a_full_map_drops_the_identifiers_whose_last_failure_is_oldest() {
        let store = MemoryStore::new();
        fill(&store, 0).await;
        assert_eq!(store.lock().unknown_logins.len(), MAX_UNKNOWN_LOGINS);

        let newcomer = key(MAX_UNKNOWN_LOGINS);
        fail(&store, &newcomer, t0() + Duration::days(1)).await;

        assert_eq!(
            store.lock().unknown_logins.len(),
            MAX_UNKNOWN_LOGINS - UNKNOWN_LOGINS_EVICTED + 1
        );
        assert_eq!(lockout(&store, &key(0)).await, LockoutState::default());
        assert_eq!(
            lockout(&store, &key(UNKNOWN_LOGINS_EVICTED - 1)).await,
            LockoutState::default()
        );
        assert_eq!(
            lockout(&store, &key(UNKNOWN_LOGINS_EVICTED))
                .await
                .failed_attempts,
            1,
            "only the oldest go"
        );
        assert_eq!(lockout(&store, &newcomer).await.failed_attempts, 1);
    }

    #[tokio::test]
    async fn an_expired_lock_is_dropped_before_any_live_count() {
        let store = MemoryStore::new();
        let locked = key(0);
        for _ in 0..5 {
            fail(&store, &locked, t0()).await;
        }
        fill(&store, 1).await;
        let after_the_lock = t0() + Duration::minutes(31);

        fail(&store, &key(MAX_UNKNOWN_LOGINS), after_the_lock).await;

        assert_eq!(store.lock().unknown_logins.len(), MAX_UNKNOWN_LOGINS);
        assert_eq!(lockout(&store, &locked).await, LockoutState::default());
        assert_eq!(lockout(&store, &key(1)).await.failed_attempts, 1);
    }

    #[tokio::test]
    async fn a_live_lock_survives_a_full_map_when_others_failed_longer_ago() {
        let store = MemoryStore::new();
        fill(&store, 1).await;
        let locked = key(0);
        let recently = t0() + Duration::days(1);
        for _ in 0..5 {
            fail(&store, &locked, recently).await;
        }

        fail(&store, &key(MAX_UNKNOWN_LOGINS), recently).await;

        assert!(
            LockoutPolicy::default()
                .locked_until(&lockout(&store, &locked).await, recently)
                .is_some()
        );
    }
}
