//! Sessions. Each login starts one session, which is also a refresh-token family: every refresh
//! token the session ever issued belongs to it, and revoking the session revokes them all.

use crate::Timestamp;
use crate::ids::{SessionId, UserId};
use crate::token::TokenHash;

/// Where a request came from; recorded on sessions and audit events.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientInfo {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: SessionId,
    pub user_id: UserId,
    pub client: ClientInfo,
    /// `false`: the refresh cookie is a session cookie and tokens live the short lifetime.
    pub remember_me: bool,
    pub created_at: Timestamp,
    /// The last login or refresh; the session limit evicts the least recent.
    pub last_activity: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

impl Session {
    #[must_use]
    pub fn is_revoked(&self) -> bool {
        self.revoked_at.is_some()
    }
}

/// Where one refresh token is in its life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshTokenState {
    /// The family's current token.
    Active,
    /// Exchanged for `successor` at `at`. Presenting it again is a replay (inside the grace
    /// window) or theft (after it).
    Rotated { at: Timestamp, successor: TokenHash },
}

/// A stored refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshToken {
    pub hash: TokenHash,
    pub session_id: SessionId,
    pub user_id: UserId,
    pub issued_at: Timestamp,
    pub expires_at: Timestamp,
    pub state: RefreshTokenState,
}
