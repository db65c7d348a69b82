//! Refresh-token rotation with reuse detection.
//!
//! ```text
//!   presented token ──▶ unknown / expired / session revoked ─────────────▶ Reject
//!          │
//!          ├── Active ─────────────────────────────────────────────────▶ Rotate (issue successor)
//!          │
//!          └── Rotated at t ── now - t <= grace and successor still the
//!                              family's current token ─────────────────▶ Replay (same successor)
//!                          └── otherwise ──────────────────────────────▶ ReuseDetected (revoke family)
//! ```
//! The replay branch exists for two browser tabs refreshing at once: both must stay logged in.
//! Later reuse of a rotated token means two parties hold the family: the whole family dies.

use crate::Timestamp;
use crate::session::{RefreshToken, RefreshTokenState, Session};
use crate::token::TokenHash;
use chrono::Duration;

/// The lifetimes that govern rotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RotationPolicy {
    /// How long a rotated token may be replayed for the same successor (`REFRESH_REUSE_GRACE`).
    pub grace: Duration,
    /// Refresh-token lifetime of a `rememberMe` session (`JWT_REFRESH_EXPIRY`).
    pub ttl_remembered: Duration,
    /// Refresh-token lifetime of any other session.
    pub ttl_short: Duration,
}

impl RotationPolicy {
    /// When a token issued to `session` at `now` expires: each rotation slides the window.
    #[must_use]
    pub fn successor_expiry(&self, session: &Session, now: Timestamp) -> Timestamp {
        now + if session.remember_me {
            self.ttl_remembered
        } else {
            self.ttl_short
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RotationDecision {
    /// The token is current: mark it rotated and store its successor.
    Rotate,
    /// A replay inside the grace window: answer the same successor again, change nothing.
    Replay,
    /// A rotated token presented after the window: revoke the whole family.
    ReuseDetected,
    /// The token has expired.
    Expired,
    /// The family was already revoked.
    Revoked,
}

/// Decides what presenting `token` at `now` means. `current_is_successor` tells whether the
/// token's successor (if it has one) is still the family's active, unexpired token.
#[must_use]
pub fn decide(
    token: &RefreshToken,
    session: &Session,
    current_is_successor: bool,
    now: Timestamp,
    grace: Duration,
) -> RotationDecision {
    if session.is_revoked() {
        return RotationDecision::Revoked;
    }
    match &token.state {
        RefreshTokenState::Active if token.expires_at <= now => RotationDecision::Expired,
        RefreshTokenState::Active => RotationDecision::Rotate,
        RefreshTokenState::Rotated { at, .. } => {
            if now - *at <= grace && current_is_successor {
                RotationDecision::Replay
            } else {
                RotationDecision::ReuseDetected
            }
        }
    }
}

/// The successor recorded on a rotated token, if any.
#[must_use]
pub fn successor_of(token: &RefreshToken) -> Option<&TokenHash> {
    match &token.state {
        RefreshTokenState::Rotated { successor, .. } => Some(successor),
        RefreshTokenState::Active => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{SessionId, UserId};
    use crate::session::ClientInfo;
    use chrono::{TimeZone, Utc};

    fn t0() -> Timestamp {
        Utc.with_ymd_and_hms(2024, 1, 1, 12, 0, 0).unwrap()
    }

    fn grace() -> Duration {
        Duration::seconds(10)
    }

    fn session(remember_me: bool) -> Session {
        Session {
            id: SessionId::new(),
            user_id: UserId::new(),
            client: ClientInfo::default(),
            remember_me,
            created_at: t0() - Duration::days(1),
            last_activity: t0() - Duration::hours(1),
            revoked_at: None,
        }
    }

    fn token(session: &Session, state: RefreshTokenState) -> RefreshToken {
        RefreshToken {
            hash: TokenHash::from_trusted("presented".into()),
            session_id: session.id,
            user_id: session.user_id,
            issued_at: t0() - Duration::hours(1),
            expires_at: t0() + Duration::days(6),
            state,
        }
    }

    fn rotated_at(at: Timestamp) -> RefreshTokenState {
        RefreshTokenState::Rotated {
            at,
            successor: TokenHash::from_trusted("successor".into()),
        }
    }

    #[test]
    fn the_current_token_is_rotated() {
        let s = session(true);
        let t = token(&s, RefreshTokenState::Active);
        assert_eq!(
            decide(&t, &s, false, t0(), grace()),
            RotationDecision::Rotate
        );
    }

    #[test]
    fn a_current_token_past_its_lifetime_is_expired() {
        let s = session(true);
        let mut t = token(&s, RefreshTokenState::Active);
        t.expires_at = t0();
        assert_eq!(
            decide(&t, &s, false, t0(), grace()),
            RotationDecision::Expired
        );
        t.expires_at = t0() - Duration::seconds(1);
        assert_eq!(
            decide(&t, &s, false, t0(), grace()),
            RotationDecision::Expired
        );
    }

    #[test]
    fn a_replay_inside_the_grace_window_gets_the_same_successor() {
        let s = session(true);
        let t = token(&s, rotated_at(t0() - Duration::seconds(3)));
        assert_eq!(
            decide(&t, &s, true, t0(), grace()),
            RotationDecision::Replay
        );
    }

    #[test]
    fn a_replay_at_the_very_end_of_the_grace_window_is_still_a_replay() {
        let s = session(true);
        let t = token(&s, rotated_at(t0() - grace()));
        assert_eq!(
            decide(&t, &s, true, t0(), grace()),
            RotationDecision::Replay
        );
    }

    #[test]
    fn reuse_after_the_grace_window_is_theft() {
        let s = session(true);
        let t = token(&s, rotated_at(t0() - grace() - Duration::seconds(1)));
        assert_eq!(
            decide(&t, &s, true, t0(), grace()),
            RotationDecision::ReuseDetected
        );
    }

    #[test]
    fn a_replay_whose_successor_was_already_rotated_is_theft_even_inside_the_window() {
        let s = session(true);
        let t = token(&s, rotated_at(t0() - Duration::seconds(2)));
        assert_eq!(
            decide(&t, &s, false, t0(), grace()),
            RotationDecision::ReuseDetected
        );
    }

    #[test]
    fn any_token_of_a_revoked_family_is_refused_as_revoked() {
        let mut s = session(true);
        s.revoked_at = Some(t0() - Duration::minutes(1));
        let active = token(&s, RefreshTokenState::Active);
        let rotated = token(&s, rotated_at(t0() - Duration::seconds(1)));
        assert_eq!(
            decide(&active, &s, false, t0(), grace()),
            RotationDecision::Revoked
        );
        assert_eq!(
            decide(&rotated, &s, true, t0(), grace()),
            RotationDecision::Revoked
        );
    }

    #[test]
    fn the_successor_lifetime_follows_remember_me_and_slides_with_each_rotation() {
        let policy = RotationPolicy {
            grace: grace(),
            ttl_remembered: Duration::days(7),
            ttl_short: Duration::hours(24),
        };
        assert_eq!(
            policy.successor_expiry(&session(true), t0()),
            t0() + Duration::days(7)
        );
        assert_eq!(
            policy.successor_expiry(&session(false), t0()),
            t0() + Duration::hours(24)
        );
        let later = t0() + Duration::days(3);
        assert_eq!(
            policy.successor_expiry(&session(true), later),
            later + Duration::days(7)
        );
    }

    #[test]
    fn only_a_rotated_token_names_a_successor() {
        let s = session(true);
        assert_eq!(successor_of(&token(&s, RefreshTokenState::Active)), None);
        assert_eq!(
            successor_of(&token(&s, rotated_at(t0()))).map(TokenHash::as_str),
            Some("successor")
        );
    }
}
