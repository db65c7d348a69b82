//! The emails authd sends. The domain says what to tell whom; the mail adapter renders the text
//! and the links (from `APP_BASE_URL`).

use crate::Timestamp;
use crate::ids::MessageId;
use crate::token::RawToken;
use crate::values::{Email, Username};

#[derive(Debug, Clone)]
pub enum Notification {
    /// "Confirm your address": carries the verification token for the link.
    VerifyEmail {
        to: Email,
        username: Username,
        token: RawToken,
    },
    /// "Reset your password": carries the reset token for the link.
    PasswordReset {
        to: Email,
        username: Username,
        token: RawToken,
    },
    PasswordChanged {
        to: Email,
        username: Username,
        at: Timestamp,
    },
    AccountLocked {
        to: Email,
        username: Username,
        until: Timestamp,
    },
    /// A rotated refresh token was presented again: the session was revoked.
    RefreshTokenReuse {
        to: Email,
        username: Username,
        at: Timestamp,
        ip: Option<String>,
    },
}

impl Notification {
    #[must_use]
    pub fn recipient(&self) -> &Email {
        match self {
            Self::VerifyEmail { to, .. }
            | Self::PasswordReset { to, .. }
            | Self::PasswordChanged { to, .. }
            | Self::AccountLocked { to, .. }
            | Self::RefreshTokenReuse { to, .. } => to,
        }
    }

    /// A stable name for logs and metrics.
    #[must_use]
    pub const fn kind(&self) -> &'static str {
        match self {
            Self::VerifyEmail { .. } => "verify_email",
            Self::PasswordReset { .. } => "password_reset",
            Self::PasswordChanged { .. } => "password_changed",
            Self::AccountLocked { .. } => "account_locked",
            Self::RefreshTokenReuse { .. } => "refresh_token_reuse",
        }
    }
}

/// A message waiting in the outbox.
#[derive(Debug, Clone)]
pub struct OutboxMessage {
    pub id: MessageId,
    pub notification: Notification,
    pub created_at: Timestamp,
    /// Failed delivery attempts so far.
    pub attempts: u32,
}
