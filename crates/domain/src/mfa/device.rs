use crate::Timestamp;
use crate::ids::{DeviceId, UserId};
use crate::token::TokenHash;

/// A browser or app that passed the second factor with `rememberDevice: true`: until
/// `expires_at`, a login presenting its `deviceToken` skips the second factor. Stored under the
/// token's hash only. Forgotten when the password changes or is reset, when MFA is turned off,
/// and one by one at the user's request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RememberedDevice {
    pub id: DeviceId,
    pub hash: TokenHash,
    pub user_id: UserId,
    /// The user agent that was remembered, for the user to recognise it in the list.
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
}

impl RememberedDevice {
    #[must_use]
    pub fn is_live(&self, now: Timestamp) -> bool {
        now < self.expires_at
    }
}
