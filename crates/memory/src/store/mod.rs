//! [`MemoryStore`]: every storage table of authd in one process, behind one mutex.
//!
//! One lock over all tables is what makes the cross-table units of work atomic (an account with
//! its verification mail; a reset that replaces the password, revokes the sessions and queues a
//! mail). Each port method takes the lock once, checks everything it needs, then writes, and
//! never awaits while holding it, so contention stays at a few map operations.
//!
//! # Growth
//! Used and superseded one-time tokens are dropped at once, and so are delivered and dead outbox
//! messages. At most once per [`SWEEP_INTERVAL`] (measured in the timestamps callers pass in), a
//! write also sweeps what can no longer matter: one-time tokens expired for longer than
//! [`RETENTION`], sessions revoked or expired for longer than that together with their refresh
//! tokens, and rotated refresh tokens past their own expiry by as much. The audit trail keeps the
//! latest [`MAX_AUDIT_EVENTS`]. Accounts are never removed: a deleted account keeps its email and
//! username reserved.

mod audit;
mod one_time_tokens;
mod outbox;
mod sessions;
#[cfg(test)]
mod tests;
mod users;

use authd_domain::Timestamp;
use authd_domain::audit::AuditEvent;
use authd_domain::ids::{MessageId, SessionId, UserId};
use authd_domain::session::{RefreshToken, Session};
use authd_domain::token::{OneTimeToken, TokenHash, TokenPurpose};
use authd_domain::user::User;
use chrono::Duration;
use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// How long dead data stays answerable ("link expired" rather than "invalid link").
const RETENTION: Duration = Duration::days(7);

/// The minimum time between two sweeps of dead data.
const SWEEP_INTERVAL: Duration = Duration::minutes(5);

/// The audit events kept; older ones are dropped first.
const MAX_AUDIT_EVENTS: usize = 100_000;

/// Every storage port, in memory. Share one instance (`Arc<MemoryStore>`) as all five ports.
#[derive(Default)]
pub struct MemoryStore {
    tables: Mutex<Tables>,
}

impl MemoryStore {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The tables, for one unit of work.
    ///
    /// A poisoned lock is recovered rather than reported: every unit of work validates before
    /// its first write, and its writes are plain map insertions that do not panic, so a panic
    /// elsewhere while holding the guard cannot have left half a unit behind.
    fn lock(&self) -> MutexGuard<'_, Tables> {
        self.tables.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.lock();
        f.debug_struct("MemoryStore")
            .field("users", &t.users.len())
            .field("sessions", &t.sessions.len())
            .field("refresh_tokens", &t.refresh_tokens.len())
            .field("one_time_tokens", &t.one_time_tokens.len())
            .field("outbox", &t.outbox.len())
            .field("audit", &t.audit.len())
            .finish()
    }
}

/// A session and the hash of its family's current refresh token.
struct SessionRow {
    session: Session,
    current: TokenHash,
}

/// A queued email and its delivery state.
struct OutboxRow {
    message: authd_domain::notification::OutboxMessage,
    /// Insertion order, to claim older messages first.
    seq: u64,
    due_at: Timestamp,
    leased_until: Option<Timestamp>,
}

#[derive(Default)]
struct Tables {
    users: HashMap<UserId, User>,
    /// [`authd_domain::values::Email::normalized`] to account.
    user_by_email: HashMap<String, UserId>,
    /// [`authd_domain::values::Username::normalized`] to account.
    user_by_username: HashMap<String, UserId>,
    sessions: HashMap<SessionId, SessionRow>,
    sessions_by_user: HashMap<UserId, HashSet<SessionId>>,
    refresh_tokens: HashMap<TokenHash, RefreshToken>,
    one_time_tokens: HashMap<TokenHash, OneTimeToken>,
    /// The only valid token per user and purpose: issuing a new one drops the previous one.
    latest_one_time: HashMap<(UserId, TokenPurpose), TokenHash>,
    outbox: HashMap<MessageId, OutboxRow>,
    outbox_seq: u64,
    audit: VecDeque<AuditEvent>,
    next_sweep: Option<Timestamp>,
}

impl Tables {
    /// Drops dead data when the last sweep is at least [`SWEEP_INTERVAL`] old at `now`.
    fn maybe_sweep(&mut self, now: Timestamp) {
        if self.next_sweep.is_some_and(|next| now < next) {
            return;
        }
        self.next_sweep = Some(plus(now, SWEEP_INTERVAL));
        let horizon = now
            .checked_sub_signed(RETENTION)
            .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC);

        let stale_tokens: Vec<TokenHash> = self
            .one_time_tokens
            .values()
            .filter(|t| t.expires_at <= horizon)
            .map(|t| t.hash.clone())
            .collect();
        for hash in &stale_tokens {
            self.remove_one_time_token(hash);
        }

        let dead_sessions: HashSet<SessionId> = self
            .sessions
            .values()
            .filter(|row| {
                let revoked_long_ago = row.session.revoked_at.is_some_and(|at| at <= horizon);
                let expired_long_ago = self
                    .refresh_tokens
                    .get(&row.current)
                    .is_none_or(|t| t.expires_at <= horizon);
                revoked_long_ago || expired_long_ago
            })
            .map(|row| row.session.id)
            .collect();
        for id in &dead_sessions {
            if let Some(row) = self.sessions.remove(id)
                && let Some(ids) = self.sessions_by_user.get_mut(&row.session.user_id)
            {
                ids.remove(id);
                if ids.is_empty() {
                    self.sessions_by_user.remove(&row.session.user_id);
                }
            }
        }
        self.refresh_tokens.retain(|_, t| {
            let rotated_long_ago = authd_domain::policy::rotation::successor_of(t).is_some()
                && t.expires_at <= horizon;
            !dead_sessions.contains(&t.session_id) && !rotated_long_ago
        });
    }
}

/// `at + d`, saturating instead of panicking at the end of representable time.
fn plus(at: Timestamp, d: Duration) -> Timestamp {
    at.checked_add_signed(d)
        .unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC)
}
