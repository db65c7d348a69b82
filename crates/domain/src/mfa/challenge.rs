use crate::Timestamp;
use crate::ids::UserId;
use crate::session::ClientInfo;
use crate::token::TokenHash;
use crate::values::PasswordHash;

/// The state between a right password and the second factor: what the `mfaToken` of an
/// `MFA_REQUIRED` answer stands for. Stored under the token's hash only; single use; dies after
/// [`MfaChallenge::MAX_FAILURES`] wrong codes or at `expires_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MfaChallenge {
    pub hash: TokenHash,
    pub user_id: UserId,
    /// The password hash the login verified (after any re-hash): the session is created only
    /// while the account still holds it, so a reset between the two steps wins.
    pub verified: PasswordHash,
    /// The login's `rememberMe`, carried to the session the challenge ends in.
    pub remember_me: bool,
    /// Where the password step came from, for the audit trail.
    pub client: ClientInfo,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    /// Wrong codes presented so far.
    pub failures: u32,
    /// The password step passed a lock because the browser presented a live remembered device:
    /// the lock was caused by failures from elsewhere, so it does not refuse this challenge's
    /// code either (wrong codes still count towards it).
    pub lock_bypass: bool,
}

impl MfaChallenge {
    /// API.md: an `mfaToken` lives 5 minutes.
    pub const LIFETIME_SECS: i64 = 300;

    /// API.md: an `mfaToken` dies after 5 wrong codes.
    pub const MAX_FAILURES: u32 = 5;

    #[must_use]
    pub fn is_live(&self, now: Timestamp) -> bool {
        now < self.expires_at && self.failures < Self::MAX_FAILURES
    }
}
