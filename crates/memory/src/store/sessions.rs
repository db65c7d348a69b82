//! [`SessionRepository`] over the in-memory tables: sessions, their refresh-token families and
//! the session limit, decided by the domain's rotation and eviction policies under the lock.

use super::{MemoryStore, SessionRow, Tables};
use async_trait::async_trait;
use authd_domain::Timestamp;
use authd_domain::error::PortError;
use authd_domain::ids::{SessionId, UserId};
use authd_domain::policy::rotation::{self, RotationDecision, RotationPolicy};
use authd_domain::policy::session_limit::sessions_to_evict;
use authd_domain::ports::{CreateSessionError, RotateOutcome, SessionRepository};
use authd_domain::session::{RefreshToken, RefreshTokenState, Session};
use authd_domain::token::TokenHash;
use authd_domain::user::{AccountStatus, User};
use authd_domain::values::PasswordHash;
use chrono::Duration;
use std::cmp::Reverse;

/// What presenting a refresh token means, with copies of what the caller needs to act on it.
struct Presented {
    token: RefreshToken,
    session: Session,
    /// The account holding the session, as the outcome reports it.
    account: User,
    /// The expiry of the family's current token.
    current_expires_at: Timestamp,
    decision: RotationDecision,
}

impl Tables {
    /// Not revoked, and the family's current token has not expired at `now`.
    fn is_live(&self, row: &SessionRow, now: Timestamp) -> bool {
        !row.session.is_revoked()
            && self
                .refresh_tokens
                .get(&row.current)
                .is_some_and(|t| t.expires_at > now)
    }

    fn live_sessions(&self, user_id: UserId, now: Timestamp) -> Vec<Session> {
        self.sessions_by_user
            .get(&user_id)
            .into_iter()
            .flatten()
            .filter_map(|id| self.sessions.get(id))
            .filter(|row| self.is_live(row, now))
            .map(|row| row.session.clone())
            .collect()
    }

    /// Marks the session revoked and takes it out of the per-user index: a revoked session is
    /// never live again.
    fn revoke_session(&mut self, id: SessionId, now: Timestamp) -> Option<Session> {
        let row = self.sessions.get_mut(&id)?;
        row.session.revoked_at = Some(now);
        let session = row.session.clone();
        self.unindex_session(session.user_id, id);
        Some(session)
    }

    /// The answer to a token that [`Tables::present`] does not know: `Revoked` for the
    /// tombstone of a compacted revoked session (what its row answered), `Invalid` otherwise.
    fn unknown_token(&self, presented: &TokenHash) -> RotateOutcome {
        if self.revoked_tokens.contains_key(presented) {
            RotateOutcome::Revoked
        } else {
            RotateOutcome::Invalid
        }
    }

    /// Whether `hash` is already taken by a stored token or a tombstone.
    fn token_hash_taken(&self, hash: &TokenHash) -> bool {
        self.refresh_tokens.contains_key(hash) || self.revoked_tokens.contains_key(hash)
    }

    /// Revokes every live session of `user_id` but `keep`; returns them in id order.
    pub(super) fn revoke_sessions_of(
        &mut self,
        user_id: UserId,
        now: Timestamp,
        keep: Option<SessionId>,
    ) -> Vec<SessionId> {
        let mut ids: Vec<SessionId> = self
            .live_sessions(user_id, now)
            .into_iter()
            .map(|s| s.id)
            .filter(|id| Some(*id) != keep)
            .collect();
        ids.sort_unstable();
        for id in &ids {
            self.revoke_session(*id, now);
        }
        ids
    }

    /// Applies [`rotation::decide`] to `presented`; `None` for an unknown token.
    fn present(&self, presented: &TokenHash, now: Timestamp, grace: Duration) -> Option<Presented> {
        let token = self.refresh_tokens.get(presented)?;
        let row = self.sessions.get(&token.session_id)?;
        let current = self.refresh_tokens.get(&row.current)?;
        let current_is_successor = rotation::successor_of(token)
            .is_some_and(|s| *s == current.hash)
            && current.state == RefreshTokenState::Active
            && current.expires_at > now;
        let decision = rotation::decide(token, &row.session, current_is_successor, now, grace);
        let account = self.users.get(&row.session.user_id)?.clone();
        Some(Presented {
            token: token.clone(),
            session: row.session.clone(),
            account,
            current_expires_at: current.expires_at,
            decision,
        })
    }

    /// Every outcome but `Rotate`, which is the only one that differs between rotating and
    /// touching: `None` for it.
    fn settle(&mut self, p: &Presented, now: Timestamp) -> Option<RotateOutcome> {
        Some(match p.decision {
            RotationDecision::Rotate => return None,
            RotationDecision::Replay => RotateOutcome::Replayed {
                session: p.session.clone(),
                account: p.account.clone(),
                expires_at: p.current_expires_at,
            },
            RotationDecision::ReuseDetected => match self.revoke_session(p.session.id, now) {
                Some(session) => RotateOutcome::ReuseDetected { session },
                None => RotateOutcome::Invalid,
            },
            RotationDecision::Expired => RotateOutcome::Invalid,
            RotationDecision::Revoked => RotateOutcome::Revoked,
        })
    }

    fn touch_session(&mut self, id: SessionId, now: Timestamp) -> Option<&mut SessionRow> {
        let row = self.sessions.get_mut(&id)?;
        row.session.last_activity = now;
        Some(row)
    }
}

#[async_trait]
impl SessionRepository for MemoryStore {
    async fn create(
        &self,
        session: &Session,
        token: &RefreshToken,
        max_sessions: usize,
        verified: &PasswordHash,
    ) -> Result<Vec<SessionId>, CreateSessionError> {
        let mut t = self.lock();
        let now = session.created_at;
        t.maybe_sweep(now);
        // Checked under the same lock as a reset, change or deactivation, so a login whose
        // password check lost the race to one of them gets no session.
        let still_valid = t.users.get(&session.user_id).is_some_and(|u| {
            u.password_hash == *verified
                && !matches!(u.status, AccountStatus::Deleted | AccountStatus::Suspended)
        });
        if !still_valid {
            return Err(CreateSessionError::CredentialsChanged);
        }
        if t.sessions.contains_key(&session.id) {
            return Err(PortError::internal("duplicate session id").into());
        }
        if t.token_hash_taken(&token.hash) {
            return Err(PortError::internal("duplicate refresh token hash").into());
        }
        let active = t.live_sessions(session.user_id, now);
        let evicted = sessions_to_evict(&active, max_sessions);
        for id in &evicted {
            t.revoke_session(*id, now);
        }
        t.sessions.insert(
            session.id,
            SessionRow {
                session: session.clone(),
                current: token.hash.clone(),
            },
        );
        t.sessions_by_user
            .entry(session.user_id)
            .or_default()
            .insert(session.id);
        t.refresh_tokens.insert(token.hash.clone(), token.clone());
        Ok(evicted)
    }

    async fn rotate(
        &self,
        presented: &TokenHash,
        successor: &TokenHash,
        now: Timestamp,
        policy: &RotationPolicy,
    ) -> Result<RotateOutcome, PortError> {
        let mut t = self.lock();
        let Some(p) = t.present(presented, now, policy.grace) else {
            return Ok(t.unknown_token(presented));
        };
        if let Some(outcome) = t.settle(&p, now) {
            return Ok(outcome);
        }
        if t.token_hash_taken(successor) {
            return Err(PortError::internal(
                "successor refresh token already stored",
            ));
        }
        let expires_at = policy.successor_expiry(&p.session, now);
        if let Some(old) = t.refresh_tokens.get_mut(presented) {
            old.state = RefreshTokenState::Rotated {
                at: now,
                successor: successor.clone(),
            };
        }
        t.refresh_tokens.insert(
            successor.clone(),
            RefreshToken {
                hash: successor.clone(),
                session_id: p.token.session_id,
                user_id: p.token.user_id,
                issued_at: now,
                expires_at,
                state: RefreshTokenState::Active,
            },
        );
        let Some(row) = t.touch_session(p.session.id, now) else {
            return Ok(RotateOutcome::Invalid);
        };
        row.current = successor.clone();
        Ok(RotateOutcome::Rotated {
            session: row.session.clone(),
            account: p.account,
            expires_at,
        })
    }

    async fn touch(
        &self,
        presented: &TokenHash,
        now: Timestamp,
    ) -> Result<RotateOutcome, PortError> {
        let mut t = self.lock();
        // Without rotation there is no grace: a token rotated while rotation was still on is
        // as suspicious as any other reuse.
        let Some(p) = t.present(presented, now, Duration::zero()) else {
            return Ok(t.unknown_token(presented));
        };
        if let Some(outcome) = t.settle(&p, now) {
            return Ok(outcome);
        }
        Ok(match t.touch_session(p.session.id, now) {
            Some(row) => RotateOutcome::Rotated {
                session: row.session.clone(),
                account: p.account,
                expires_at: p.token.expires_at,
            },
            None => RotateOutcome::Invalid,
        })
    }

    async fn find(&self, id: SessionId) -> Result<Option<Session>, PortError> {
        Ok(self.lock().sessions.get(&id).map(|row| row.session.clone()))
    }

    async fn count_active(&self, now: Timestamp) -> Result<u64, PortError> {
        let t = self.lock();
        let live = t
            .sessions_by_user
            .values()
            .flatten()
            .filter_map(|id| t.sessions.get(id))
            .filter(|row| t.is_live(row, now))
            .count();
        Ok(live as u64)
    }

    async fn list_active(
        &self,
        user_id: UserId,
        now: Timestamp,
    ) -> Result<Vec<Session>, PortError> {
        let mut sessions = self.lock().live_sessions(user_id, now);
        sessions.sort_by_key(|s| Reverse((s.last_activity, s.created_at, s.id)));
        Ok(sessions)
    }

    async fn revoke(
        &self,
        user_id: UserId,
        id: SessionId,
        now: Timestamp,
    ) -> Result<bool, PortError> {
        let mut t = self.lock();
        let owned_and_live = t
            .sessions
            .get(&id)
            .is_some_and(|row| row.session.user_id == user_id && t.is_live(row, now));
        if owned_and_live {
            t.revoke_session(id, now);
        }
        Ok(owned_and_live)
    }

    async fn revoke_all(
        &self,
        user_id: UserId,
        now: Timestamp,
    ) -> Result<Vec<SessionId>, PortError> {
        Ok(self.lock().revoke_sessions_of(user_id, now, None))
    }
}
