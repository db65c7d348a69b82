//! [`MemoryDenylist`]: revoked access tokens of a single instance.
//!
//! `is_denied` runs on every authenticated request, so it only takes a read lock; writes
//! (logouts, revocations) are rare and take the write lock. Each entry lives until its `until`:
//! lookups ignore expired entries, and writes sweep them out at most once per
//! [`SWEEP_INTERVAL`], so the maps hold about one access-token lifetime of revocations.

use async_trait::async_trait;
use authd_domain::Timestamp;
use authd_domain::error::PortError;
use authd_domain::ids::{SessionId, TokenId, UserId};
use authd_domain::ports::{Clock, TokenDenylist};
use authd_domain::token::AccessClaims;
use chrono::Duration;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt;
use std::hash::Hash;
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

const SWEEP_INTERVAL: Duration = Duration::minutes(1);

/// The access-token denylist, in memory. The port's methods carry no `now`, so entries expire
/// by the [`Clock`] it is given.
pub struct MemoryDenylist {
    clock: Arc<dyn Clock>,
    entries: RwLock<Entries>,
}

#[derive(Default)]
struct Entries {
    /// (User, token id) to the end of its denial. Keyed by the user too, as Redis keys it
    /// (under the user's hash tag): a denial under another user's id denies nothing, here as
    /// there, so a caller passing the wrong user fails the memory tests as well.
    tokens: HashMap<(UserId, TokenId), Timestamp>,
    sessions: HashMap<(UserId, SessionId), Timestamp>,
    users: HashMap<UserId, Cutoff>,
    next_sweep: Option<Timestamp>,
}

/// Tokens issued in a whole second before `before`'s are denied until `until` (see the port).
#[derive(Clone, Copy)]
struct Cutoff {
    before: Timestamp,
    until: Timestamp,
}

impl MemoryDenylist {
    /// A denylist whose entries expire by `clock`.
    #[must_use]
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            clock,
            entries: RwLock::new(Entries::default()),
        }
    }

    // Poisoning is recovered: every write is a single map insertion or a `retain`, which
    // cannot leave the maps half-updated in a way a reader could misread.
    fn read(&self) -> RwLockReadGuard<'_, Entries> {
        self.entries.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// The entries for one write, swept of expired ones when a sweep is due.
    fn write(&self) -> (RwLockWriteGuard<'_, Entries>, Timestamp) {
        let now = self.clock.now();
        let mut e = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        if e.next_sweep.is_none_or(|next| now >= next) {
            e.next_sweep = now.checked_add_signed(SWEEP_INTERVAL);
            e.tokens.retain(|_, until| *until > now);
            e.sessions.retain(|_, until| *until > now);
            e.users.retain(|_, c| c.until > now);
        }
        (e, now)
    }
}

impl fmt::Debug for MemoryDenylist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = self.read();
        f.debug_struct("MemoryDenylist")
            .field("tokens", &e.tokens.len())
            .field("sessions", &e.sessions.len())
            .field("users", &e.users.len())
            .finish_non_exhaustive()
    }
}

/// Denies `key` until `until`, keeping the later end when it is denied already.
fn deny_until<K: Eq + Hash>(map: &mut HashMap<K, Timestamp>, key: K, until: Timestamp) {
    match map.entry(key) {
        Entry::Occupied(mut o) => {
            if until > *o.get() {
                o.insert(until);
            }
        }
        Entry::Vacant(v) => {
            v.insert(until);
        }
    }
}

#[async_trait]
impl TokenDenylist for MemoryDenylist {
    async fn deny_token(
        &self,
        user_id: UserId,
        id: TokenId,
        until: Timestamp,
    ) -> Result<(), PortError> {
        let (mut e, now) = self.write();
        if until > now {
            deny_until(&mut e.tokens, (user_id, id), until);
        }
        Ok(())
    }

    async fn deny_sessions(
        &self,
        user_id: UserId,
        ids: &[SessionId],
        until: Timestamp,
    ) -> Result<(), PortError> {
        let (mut e, now) = self.write();
        if until > now {
            for id in ids {
                deny_until(&mut e.sessions, (user_id, *id), until);
            }
        }
        Ok(())
    }

    async fn deny_user_before(
        &self,
        user_id: UserId,
        cutoff: Timestamp,
        until: Timestamp,
    ) -> Result<(), PortError> {
        let (mut e, now) = self.write();
        if until > now {
            // Two cut-offs for one user merge into the wider one: denying more than asked for
            // a while is safe, denying less is not.
            let merged = match e.users.get(&user_id) {
                Some(old) if old.until > now => Cutoff {
                    before: old.before.max(cutoff),
                    until: old.until.max(until),
                },
                _ => Cutoff {
                    before: cutoff,
                    until,
                },
            };
            e.users.insert(user_id, merged);
        }
        Ok(())
    }

    async fn is_denied(&self, claims: &AccessClaims) -> Result<bool, PortError> {
        let now = self.clock.now();
        let e = self.read();
        let live = |until: &Timestamp| *until > now;
        let user = claims.user_id;
        Ok(e.tokens.get(&(user, claims.token_id)).is_some_and(live)
            || e.sessions.get(&(user, claims.session_id)).is_some_and(live)
            || e.users.get(&claims.user_id).is_some_and(|c| {
                c.until > now && claims.issued_at.timestamp() < c.before.timestamp()
            }))
    }
}
