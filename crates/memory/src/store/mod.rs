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
//! tokens, rotated refresh tokens past their own expiry by as much, and expired MFA challenges
//! and remembered devices (the `mfa` module also caps each user's challenges). The audit trail
//! keeps the latest [`MAX_AUDIT_EVENTS`], and each account's login devices the latest
//! [`MAX_KNOWN_DEVICES`] seen. Accounts are never removed: a deleted account keeps
//! its email and username reserved.
//!
//! The failure counts of identifiers that name no account are keyed by what a client sends, so
//! an attacker could grow them without end: they are capped at [`MAX_UNKNOWN_LOGINS`] entries
//! (each a 64-character digest and a lockout state, some 150 to 200 bytes with the map's own
//! overhead: 15 to 20 MB at most). When a new identifier finds the map full, the entries whose
//! lock has expired go first (such an entry answers exactly as no entry does), then the
//! [`UNKNOWN_LOGINS_EVICTED`] whose last failure is oldest, so the next 1% of new identifiers
//! cost no scan.
//!
//! # Sessions follow the live ones
//! The per-user index holds only sessions that are not revoked (a revocation takes the session
//! out at once; the sweep takes out those expired for at least [`SWEEP_INTERVAL`]), so the
//! session limit, the list and "log out everywhere" cost what the user's live sessions cost,
//! however many sessions the user had before.
//!
//! A revoked session can only ever answer `Revoked` for its refresh tokens again (and revoked
//! sessions are refused by everything else), so the sweep compacts it: the row and its refresh
//! tokens are dropped, and each token's hash is kept alone as a tombstone that answers
//! `Revoked`, until the moment the row or the token would have been dropped anyway (above).
//! Presenting a token therefore answers exactly what it answered before compaction; only
//! [`SessionRepository::find`](authd_domain::ports::SessionRepository::find) of a compacted
//! session answers `None` instead of the revoked session, which every caller treats alike
//! (the denylist's fallback refuses an unknown session as it refuses a revoked one).

mod audit;
mod directory;
mod known_devices;
mod login_attempts;
mod mfa;
mod one_time_tokens;
mod outbox;
mod retention;
mod sessions;
#[cfg(test)]
mod tests;
mod users;

use authd_domain::Timestamp;
use authd_domain::audit::AuditEvent;
use authd_domain::ids::{MessageId, SessionId, UserId};
use authd_domain::policy::lockout::LockoutState;
use authd_domain::session::{RefreshToken, Session};
use authd_domain::token::{OneTimeToken, TokenHash, TokenPurpose};
use authd_domain::user::User;
use authd_domain::values::UsernameSkeleton;
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

/// The devices remembered per account; a new one beyond them pushes out the one seen longest
/// ago (which then reads as new again, should it come back).
const MAX_KNOWN_DEVICES: usize = 100;

/// The identifiers naming no account whose failed logins are counted at once.
const MAX_UNKNOWN_LOGINS: usize = 100_000;

/// How many of the oldest of them a full map drops, once the expired locks are gone.
const UNKNOWN_LOGINS_EVICTED: usize = MAX_UNKNOWN_LOGINS / 100;

/// Every storage port, in memory. Share one instance (`Arc<MemoryStore>`) as all seven ports.
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
            .field("revoked_tokens", &t.revoked_tokens.len())
            .field("one_time_tokens", &t.one_time_tokens.len())
            .field("outbox", &t.outbox.len())
            .field("audit", &t.audit.len())
            .field("unknown_logins", &t.unknown_logins.len())
            .field("known_devices", &t.known_devices.len())
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
    /// [`authd_domain::values::Username::skeleton`] to account: the key look-alikes share.
    user_by_username: HashMap<UsernameSkeleton, UserId>,
    sessions: HashMap<SessionId, SessionRow>,
    /// The sessions of each user that are not revoked (and not expired for long): see the
    /// module documentation.
    sessions_by_user: HashMap<UserId, HashSet<SessionId>>,
    refresh_tokens: HashMap<TokenHash, RefreshToken>,
    /// Tombstones of the refresh tokens of compacted revoked sessions: each answers `Revoked`
    /// until the time given, when the sweep drops it.
    revoked_tokens: HashMap<TokenHash, Timestamp>,
    one_time_tokens: HashMap<TokenHash, OneTimeToken>,
    /// The only valid token per user and purpose: issuing a new one drops the previous one.
    latest_one_time: HashMap<(UserId, TokenPurpose), TokenHash>,
    outbox: HashMap<MessageId, OutboxRow>,
    outbox_seq: u64,
    /// Messages given up on since start (they are dropped, so only counted).
    outbox_dead: u64,
    audit: VecDeque<AuditEvent>,
    /// The lockout of each identifier naming no account, by the digest of the identifier;
    /// bounded, see the module documentation.
    unknown_logins: HashMap<TokenHash, LockoutState>,
    /// Factors, backup codes, login challenges, remembered devices.
    mfa: mfa::MfaTables,
    /// Each account's login devices: fingerprint digest to when it was last seen.
    known_devices: HashMap<UserId, HashMap<String, Timestamp>>,
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

        self.revoked_tokens.retain(|_, drop_at| *drop_at > now);
        self.mfa.sweep(now);

        // What happens to each session: dropped with its tokens (`None`), or compacted into
        // tombstones of its tokens kept until the time given.
        let mut ending: HashMap<SessionId, Option<Timestamp>> = HashMap::new();
        let mut expired: Vec<(UserId, SessionId)> = Vec::new();
        let expired_before = now
            .checked_sub_signed(SWEEP_INTERVAL)
            .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC);
        for row in self.sessions.values() {
            let current_expiry = self.refresh_tokens.get(&row.current).map(|t| t.expires_at);
            // The row is dropped RETENTION after its revocation or its expiry, whichever is first.
            let dies_at = match (row.session.revoked_at, current_expiry) {
                (_, None) => None,
                (Some(revoked), Some(expiry)) => Some(plus(revoked.min(expiry), RETENTION)),
                (None, Some(expiry)) => Some(plus(expiry, RETENTION)),
            };
            match dies_at {
                Some(at) if at > now => {
                    if row.session.is_revoked() {
                        ending.insert(row.session.id, Some(at));
                    } else if current_expiry.is_some_and(|e| e <= expired_before) {
                        expired.push((row.session.user_id, row.session.id));
                    }
                }
                _ => {
                    ending.insert(row.session.id, None);
                }
            }
        }
        for (user_id, id) in expired {
            self.unindex_session(user_id, id);
        }
        for id in ending.keys() {
            if let Some(row) = self.sessions.remove(id) {
                self.unindex_session(row.session.user_id, *id);
            }
        }
        let revoked_tokens = &mut self.revoked_tokens;
        self.refresh_tokens.retain(|hash, t| {
            let rotated = authd_domain::policy::rotation::successor_of(t).is_some();
            let token_dies_at = plus(t.expires_at, RETENTION);
            if rotated && token_dies_at <= now {
                return false;
            }
            match ending.get(&t.session_id) {
                None => true,
                Some(None) => false,
                Some(Some(session_dies_at)) => {
                    let drop_at = if rotated {
                        token_dies_at.min(*session_dies_at)
                    } else {
                        *session_dies_at
                    };
                    revoked_tokens.insert(hash.clone(), drop_at);
                    false
                }
            }
        });
    }

    /// Takes `id` out of the per-user index (it stays stored).
    fn unindex_session(&mut self, user_id: UserId, id: SessionId) {
        if let Some(ids) = self.sessions_by_user.get_mut(&user_id) {
            ids.remove(&id);
            if ids.is_empty() {
                self.sessions_by_user.remove(&user_id);
            }
        }
    }
}

/// `at + d`, saturating instead of panicking at the end of representable time.
fn plus(at: Timestamp, d: Duration) -> Timestamp {
    at.checked_add_signed(d)
        .unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC)
}
