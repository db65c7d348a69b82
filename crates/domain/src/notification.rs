//! The emails authd sends. The domain says what to tell whom; the mail adapter renders the text
//! and the links (from `APP_BASE_URL`).
//!
//! A queued notification never holds a token. The single-use token of a verification, reset or
//! unlock link is minted by the delivery worker just before sending (see
//! [`crate::services::MailDelivery`]): only its hash is ever stored, the outbox can be dumped
//! without leaking a working link, and an outage of the mail server does not eat into the link's
//! lifetime.

use crate::Timestamp;
use crate::ids::{MessageId, UserId};
use crate::mfa::OtpCode;
use crate::ports::CodeTarget;
use crate::token::{RawToken, TokenPurpose};
use crate::values::{Email, MobileNumber, Username};

#[derive(Debug, Clone)]
pub enum Notification {
    /// "Confirm your address", with a verification link.
    VerifyEmail {
        user_id: UserId,
        to: Email,
        username: Username,
    },
    /// "Reset your password", with a reset link.
    PasswordReset {
        user_id: UserId,
        to: Email,
        username: Username,
    },
    PasswordChanged {
        to: Email,
        username: Username,
        at: Timestamp,
    },
    /// "Your account is locked until ...", with a self-unlock link when `user_id` is known.
    AccountLocked {
        /// `None` only for a mail queued by a version without the unlock link: it goes out
        /// without one.
        user_id: Option<UserId>,
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
    /// "Two-step verification was turned on" (a factor was confirmed).
    MfaEnabled {
        to: Email,
        username: Username,
        at: Timestamp,
    },
    /// "Two-step verification was turned off".
    MfaDisabled {
        to: Email,
        username: Username,
        at: Timestamp,
    },
    /// "A backup code was used; `remaining` are left".
    BackupCodeUsed {
        to: Email,
        username: Username,
        at: Timestamp,
        remaining: u32,
    },
    /// "Your verification code": a 6-digit code for `target`, minted by the delivery worker
    /// just before sending (the outbox never holds it).
    MfaCode {
        user_id: UserId,
        to: Email,
        username: Username,
        target: CodeTarget,
    },
    /// The same code by SMS to `phone` (an SMS factor's number), minted by the delivery worker
    /// just before sending and sent through the [`SmsSender`](crate::ports::SmsSender), not the
    /// mailer. Given up, not retried, once a code sent now could no longer arrive in time (see
    /// [`SMS_CODE_GIVE_UP`]). `to` is the account's address, for logs to redact.
    SmsCode {
        user_id: UserId,
        to: Email,
        phone: MobileNumber,
        target: CodeTarget,
    },
    /// "A new sign-in to your account": a login from a device (browser, OS, network) the
    /// account had not used before (`NEW_DEVICE_ALERTS`).
    NewSignIn {
        to: Email,
        username: Username,
        at: Timestamp,
        /// `Chrome on Windows`.
        device: String,
        ip: Option<String>,
        /// `Hanoi, VN` when a GeoIP database knows the address.
        location: Option<String>,
    },
}

/// An SMS code still queued this long after it was queued is given up rather than sent: it is
/// what the user waits for on a login or setup screen, and a code of 10 minutes that arrives
/// after the challenge (5 minutes) or the user's patience is spam. Same as the code's lifetime.
pub const SMS_CODE_GIVE_UP: chrono::Duration = crate::mfa::EMAIL_CODE_TTL;

impl Notification {
    #[must_use]
    pub fn recipient(&self) -> &Email {
        match self {
            Self::VerifyEmail { to, .. }
            | Self::PasswordReset { to, .. }
            | Self::PasswordChanged { to, .. }
            | Self::AccountLocked { to, .. }
            | Self::RefreshTokenReuse { to, .. }
            | Self::MfaEnabled { to, .. }
            | Self::MfaDisabled { to, .. }
            | Self::BackupCodeUsed { to, .. }
            | Self::MfaCode { to, .. }
            | Self::SmsCode { to, .. }
            | Self::NewSignIn { to, .. } => to,
        }
    }

    /// A stable name for logs and metrics.
    #[must_use]
    pub const fn kind(&self) -> &'static str {
        // A new variant must be added to [`Self::KINDS`] as well.
        match self {
            Self::VerifyEmail { .. } => "verify_email",
            Self::PasswordReset { .. } => "password_reset",
            Self::PasswordChanged { .. } => "password_changed",
            Self::AccountLocked { .. } => "account_locked",
            Self::RefreshTokenReuse { .. } => "refresh_token_reuse",
            Self::MfaEnabled { .. } => "mfa_enabled",
            Self::MfaDisabled { .. } => "mfa_disabled",
            Self::BackupCodeUsed { .. } => "backup_code_used",
            Self::MfaCode { .. } => "mfa_code",
            Self::SmsCode { .. } => "mfa_sms_code",
            Self::NewSignIn { .. } => "new_sign_in",
        }
    }
}

impl Notification {
    /// Every [`Self::kind`], e.g. to report each one before the first is sent.
    pub const KINDS: [&'static str; 11] = [
        "verify_email",
        "password_reset",
        "password_changed",
        "account_locked",
        "refresh_token_reuse",
        "mfa_enabled",
        "mfa_disabled",
        "backup_code_used",
        "mfa_code",
        "mfa_sms_code",
        "new_sign_in",
    ];

    /// The account and purpose of the single-use token its link needs, if it has a link.
    #[must_use]
    pub const fn link(&self) -> Option<(UserId, TokenPurpose)> {
        match self {
            Self::VerifyEmail { user_id, .. } => Some((*user_id, TokenPurpose::EmailVerification)),
            Self::PasswordReset { user_id, .. } => Some((*user_id, TokenPurpose::PasswordReset)),
            Self::AccountLocked {
                user_id: Some(user_id),
                ..
            } => Some((*user_id, TokenPurpose::AccountUnlock)),
            Self::PasswordChanged { .. }
            | Self::AccountLocked { user_id: None, .. }
            | Self::RefreshTokenReuse { .. }
            | Self::MfaEnabled { .. }
            | Self::MfaDisabled { .. }
            | Self::BackupCodeUsed { .. }
            | Self::MfaCode { .. }
            | Self::SmsCode { .. }
            | Self::NewSignIn { .. } => None,
        }
    }
}

/// A notification on its way to the mail server, with the raw token of its link when it has one
/// and the code it carries when it is an [`Notification::MfaCode`] (neither shows in `Debug`).
#[derive(Debug, Clone)]
pub struct Letter {
    pub notification: Notification,
    pub link_token: Option<RawToken>,
    pub code: Option<OtpCode>,
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
