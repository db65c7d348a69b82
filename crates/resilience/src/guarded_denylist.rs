//! The shared denylist (Redis), guarded against what Redis may have missed or forgotten.
//!
//! Redis holds the denials only as a fast copy: every revocation also revokes its session in
//! storage (logout, logout everywhere, password change or reset, refresh-token reuse,
//! deactivation). Two things can leave Redis without a denial storage has:
//! - a denial written while Redis was unreachable (the request answered 503, but storage had
//!   already revoked the session, say on a password reset);
//! - Redis restarted without persistence, or flushed: every denial is gone.
//!
//! So after any doubt (an error from Redis, or one of the per-instance sentinel denials found
//! missing by a check every [`WATCH_EVERY`]; there are several, spread over a cluster's masters,
//! see `canaries.rs`), and for as long as an access token lives, a token Redis does
//! not deny is also checked against its session in storage. A lookup that fails is never read as
//! "not denied": the error goes up and the request answers 503 (fail closed).
//!
//! A denial that could not be written is also kept and written again at each check until Redis
//! takes it, so that the other instances learn of it too once Redis is back.

use async_trait::async_trait;
use authd_domain::Timestamp;
use authd_domain::error::PortError;
use authd_domain::ids::{SessionId, TokenId, UserId};
use authd_domain::ports::{Clock, SessionRepository, TokenDenylist};
use authd_domain::token::AccessClaims;
use chrono::Duration;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError, Weak};

/// How often each instance checks that Redis still holds its sentinel denials.
const WATCH_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// The sentinel is denied this long; far longer than any outage worth surviving.
const SENTINEL_LIFETIME: Duration = Duration::days(30);

/// Failed denials kept for a retry at most; beyond, the oldest are dropped (and the doubt still
/// covers them on this instance).
const MAX_PENDING: usize = 10_000;

/// A denial Redis did not take.
#[derive(Clone)]
enum Pending {
    Token(UserId, TokenId, Timestamp),
    Sessions(UserId, Vec<SessionId>, Timestamp),
    UserBefore(UserId, Timestamp, Timestamp),
}

impl Pending {
    fn until(&self) -> Timestamp {
        match self {
            Self::Token(_, _, until)
            | Self::Sessions(_, _, until)
            | Self::UserBefore(_, _, until) => *until,
        }
    }
}

/// The shared denylist, with storage asked too after any doubt (see the module).
pub struct GuardedDenylist {
    shared: Arc<dyn TokenDenylist>,
    sessions: Arc<dyn SessionRepository>,
    clock: Arc<dyn Clock>,
    /// The longest an access token lives: how long a missed denial can matter.
    horizon: Duration,
    /// Until when storage is asked too; `None` while Redis is trusted.
    doubt_until: Mutex<Option<Timestamp>>,
    /// Denials only this instance writes, for tokens nobody holds, one per slot range of a
    /// cluster (`canaries.rs`).
    sentinels: Vec<AccessClaims>,
    /// Denials to write again, oldest first.
    pending: Mutex<Vec<Pending>>,
}

impl GuardedDenylist {
    /// Writes the sentinel and starts watching it; the watch stops when the guard is dropped.
    pub async fn start(
        shared: Arc<dyn TokenDenylist>,
        sessions: Arc<dyn SessionRepository>,
        clock: Arc<dyn Clock>,
        horizon: Duration,
    ) -> Arc<Self> {
        let now = clock.now();
        let guard = Arc::new(Self {
            shared,
            sessions,
            clock,
            horizon,
            doubt_until: Mutex::new(None),
            sentinels: canaries::spread_users()
                .into_iter()
                .map(|user_id| AccessClaims {
                    user_id,
                    session_id: SessionId::new(),
                    token_id: TokenId::new(),
                    issued_at: now,
                    expires_at: now + SENTINEL_LIFETIME,
                    roles: Vec::new(),
                    permissions: authd_domain::authorization::Permissions::none(),
                })
                .collect(),
            pending: Mutex::new(Vec::new()),
        });
        for sentinel in &guard.sentinels {
            // Redis down: the watch writes the rest later rather than start-up waiting for
            // each to time out.
            if !guard.write_sentinel(sentinel).await {
                break;
            }
        }
        tokio::spawn(watch(Arc::downgrade(&guard)));
        guard
    }

    /// Whether Redis took it.
    async fn write_sentinel(&self, sentinel: &AccessClaims) -> bool {
        let until = self.clock.now() + SENTINEL_LIFETIME;
        let written = self
            .shared
            .deny_token(sentinel.user_id, sentinel.token_id, until)
            .await;
        if let Err(e) = &written {
            self.doubt(e);
        }
        written.is_ok()
    }

    /// Whether Redis still holds every sentinel; a lost one (all of them after a restart or a
    /// flush, those of one master after it restarted empty) is written again.
    async fn check_sentinel(&self) {
        let mut lost = false;
        for sentinel in &self.sentinels {
            match self.shared.is_denied(sentinel).await {
                Ok(true) => {}
                Ok(false) => {
                    lost = true;
                    if !self.write_sentinel(sentinel).await {
                        break;
                    }
                }
                Err(e) => {
                    // One timeout per check is enough while Redis is down.
                    self.doubt(&e);
                    break;
                }
            }
        }
        if lost {
            tracing::warn!(
                "Redis lost data (a server or cluster master restarted without persistence, or \
                 a flush): every access token is also checked against its session in storage \
                 until the longest access-token lifetime has passed"
            );
            self.extend_doubt();
        }
    }

    /// Writes the kept denials again, oldest first, until one fails; drops the expired ones.
    async fn retry_pending(&self) {
        let now = self.clock.now();
        let pending: Vec<Pending> = {
            let mut kept = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
            kept.retain(|p| p.until() > now);
            kept.clone()
        };
        let mut written = 0;
        for denial in &pending {
            if let Err(e) = self.write(denial).await {
                self.doubt(&e);
                break;
            }
            written += 1;
        }
        if written > 0 {
            let mut kept = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
            let written = written.min(kept.len());
            kept.drain(..written);
            tracing::info!(
                written,
                "denials kept during a Redis outage are written now"
            );
        }
    }

    async fn write(&self, denial: &Pending) -> Result<(), PortError> {
        match denial {
            Pending::Token(user_id, id, until) => {
                self.shared.deny_token(*user_id, *id, *until).await
            }
            Pending::Sessions(user_id, ids, until) => {
                self.shared.deny_sessions(*user_id, ids, *until).await
            }
            Pending::UserBefore(user_id, cutoff, until) => {
                self.shared
                    .deny_user_before(*user_id, *cutoff, *until)
                    .await
            }
        }
    }

    /// Writes a denial; one that fails is kept for a retry and is a doubt.
    async fn deny(&self, denial: Pending) -> Result<(), PortError> {
        let result = self.write(&denial).await;
        if let Err(e) = &result {
            self.doubt(e);
            let mut kept = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
            if kept.len() >= MAX_PENDING {
                kept.remove(0);
                tracing::error!("too many denials waiting for Redis: the oldest is dropped");
            }
            kept.push(denial);
        }
        result
    }

    fn doubt(&self, error: &PortError) {
        let first = self.extend_doubt();
        if first {
            tracing::warn!(
                error = %error,
                "the access-token denylist (Redis) failed: authenticated requests answer 503 \
                 while it is unreachable, and afterwards revocations are also checked in \
                 storage until the longest access-token lifetime has passed"
            );
        }
    }

    /// Doubt until `horizon` from now; whether the guard trusted Redis until now.
    fn extend_doubt(&self) -> bool {
        let until = self.clock.now() + self.horizon;
        let mut doubt = self
            .doubt_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let was_trusting = doubt.is_none_or(|t| t <= self.clock.now());
        *doubt = Some(doubt.map_or(until, |t| t.max(until)));
        was_trusting
    }

    fn doubting(&self) -> bool {
        let now = self.clock.now();
        let mut doubt = self
            .doubt_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match *doubt {
            Some(until) if until > now => true,
            Some(_) => {
                *doubt = None;
                tracing::info!("the access-token denylist (Redis) is trusted again");
                false
            }
            None => false,
        }
    }

    /// Passes a result through; a failure is a doubt.
    fn noted<T>(&self, result: Result<T, PortError>) -> Result<T, PortError> {
        if let Err(e) = &result {
            self.doubt(e);
        }
        result
    }
}

impl fmt::Debug for GuardedDenylist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GuardedDenylist")
            .field("horizon", &self.horizon)
            .field(
                "pending",
                &self.pending.lock().map_or(0, |pending| pending.len()),
            )
            .finish_non_exhaustive()
    }
}

async fn watch(guard: Weak<GuardedDenylist>) {
    let mut ticks = tokio::time::interval(WATCH_EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticks.tick().await;
    loop {
        ticks.tick().await;
        let Some(guard) = guard.upgrade() else {
            return;
        };
        guard.check_sentinel().await;
        guard.retry_pending().await;
    }
}

#[async_trait]
impl TokenDenylist for GuardedDenylist {
    async fn deny_token(
        &self,
        user_id: UserId,
        id: TokenId,
        until: Timestamp,
    ) -> Result<(), PortError> {
        self.deny(Pending::Token(user_id, id, until)).await
    }

    async fn deny_sessions(
        &self,
        user_id: UserId,
        ids: &[SessionId],
        until: Timestamp,
    ) -> Result<(), PortError> {
        self.deny(Pending::Sessions(user_id, ids.to_vec(), until))
            .await
    }

    async fn deny_user_before(
        &self,
        user_id: UserId,
        cutoff: Timestamp,
        until: Timestamp,
    ) -> Result<(), PortError> {
        self.deny(Pending::UserBefore(user_id, cutoff, until)).await
    }

    async fn is_denied(&self, claims: &AccessClaims) -> Result<bool, PortError> {
        if self.noted(self.shared.is_denied(claims).await)? {
            return Ok(true);
        }
        if !self.doubting() {
            return Ok(false);
        }
        let session = self.sessions.find(claims.session_id).await?;
        Ok(session.is_none_or(|s| s.is_revoked() || s.user_id != claims.user_id))
    }
}

mod canaries;

#[cfg(test)]
mod tests;
