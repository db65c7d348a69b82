use crate::Timestamp;
use crate::ids::UserId;
use crate::session::ClientInfo;
use crate::token::TokenHash;
use crate::values::PasswordHash;

/// The state between a right password and the second factor: what the `mfaToken` of an
/// `MFA_REQUIRED` answer stands for. Stored under the token's hash only; single use; takes at
/// most [`MfaChallenge::MAX_ATTEMPTS`] codes and dies at `expires_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MfaChallenge {
    pub hash: TokenHash,
    pub user_id: UserId,
    /// The password hash the login verified (no re-hash happens on this path): the session is
    /// created only while the account still holds it, so a reset between the two steps wins.
    pub verified: PasswordHash,
    /// The login's `rememberMe`, carried to the session the challenge ends in.
    pub remember_me: bool,
    /// Where the password step came from, for the audit trail.
    pub client: ClientInfo,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    /// Codes presented so far, each counted before it is checked; a right one consumes the
    /// challenge, so it dies after [`MfaChallenge::MAX_ATTEMPTS`] wrong codes.
    pub attempts: u32,
    /// The password step passed a lock because the browser presented a live remembered device:
    /// the lock was caused by failures from elsewhere, so it does not refuse this challenge's
    /// code either (wrong codes still count towards it).
    pub lock_bypass: bool,
}

impl MfaChallenge {
    /// API.md: an `mfaToken` lives 5 minutes.
    pub const LIFETIME_SECS: i64 = 300;

    /// Codes presented; a right one consumes the challenge, so it dies after 5 wrong codes
    /// (API.md).
    pub const MAX_ATTEMPTS: u32 = 5;

    /// Whether another code may be presented at `now`.
    #[must_use]
    pub fn is_live(&self, now: Timestamp) -> bool {
        !self.has_expired(now) && self.attempts < Self::MAX_ATTEMPTS
    }

    /// Past its lifetime at `now`: it can no longer be consumed, whatever its attempts.
    #[must_use]
    pub fn has_expired(&self, now: Timestamp) -> bool {
        now >= self.expires_at
    }
}
