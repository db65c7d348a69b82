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
