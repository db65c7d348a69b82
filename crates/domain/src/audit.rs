//! Audit events: security-relevant facts, kept for administrators.

use crate::Timestamp;
use crate::ids::{EventId, SessionId, UserId};
use crate::session::ClientInfo;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditKind {
    UserRegistered,
    EmailVerified,
    LoginSucceeded,
    LoginFailed,
    AccountLocked,
    TokenRefreshed,
    RefreshTokenReuse,
    Logout,
    LogoutAllDevices,
    SessionRevoked,
    PasswordResetRequested,
    PasswordReset,
    PasswordChanged,
    ProfileUpdated,
    AccountDeactivated,
    MfaEnabled,
    MfaDisabled,
    MfaSucceeded,
    MfaFailed,
    MfaReplayRefused,
    BackupCodeUsed,
    BackupCodesRegenerated,
    DeviceRemembered,
    DeviceForgotten,
    /// The account's lock and failure count were cleared: by its self-unlock link, or by an
    /// administrator (then `actor_id` is set).
    AccountUnlocked,
    /// An administrator changed the profile or the verified flag.
    UserUpdated,
    /// The account's roles changed (an administrator, `authd admin grant`, or the first admin).
    RolesChanged,
    AccountSuspended,
    /// A suspended account made active again.
    AccountReactivated,
    /// Deleted by an administrator (final).
    AccountDeleted,
    /// An administrator revoked every session of the account.
    SessionsRevoked,
    /// A login from a device (browser, OS and network) the account had not used before.
    NewDeviceLogin,
    /// One address failed logins against many accounts within the window; `detail` says how many.
    CredentialStuffingSuspected,
}

impl AuditKind {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::UserRegistered => "user_registered",
            Self::EmailVerified => "email_verified",
            Self::LoginSucceeded => "login_succeeded",
            Self::LoginFailed => "login_failed",
            Self::AccountLocked => "account_locked",
            Self::TokenRefreshed => "token_refreshed",
            Self::RefreshTokenReuse => "refresh_token_reuse",
            Self::Logout => "logout",
            Self::LogoutAllDevices => "logout_all_devices",
            Self::SessionRevoked => "session_revoked",
            Self::PasswordResetRequested => "password_reset_requested",
            Self::PasswordReset => "password_reset",
            Self::PasswordChanged => "password_changed",
            Self::ProfileUpdated => "profile_updated",
            Self::AccountDeactivated => "account_deactivated",
            Self::MfaEnabled => "mfa_enabled",
            Self::MfaDisabled => "mfa_disabled",
            Self::MfaSucceeded => "mfa_succeeded",
            Self::MfaFailed => "mfa_failed",
            Self::MfaReplayRefused => "mfa_replay_refused",
            Self::BackupCodeUsed => "backup_code_used",
            Self::BackupCodesRegenerated => "backup_codes_regenerated",
            Self::DeviceRemembered => "device_remembered",
            Self::DeviceForgotten => "device_forgotten",
            Self::AccountUnlocked => "account_unlocked",
            Self::UserUpdated => "user_updated",
            Self::RolesChanged => "roles_changed",
            Self::AccountSuspended => "account_suspended",
            Self::AccountReactivated => "account_reactivated",
            Self::AccountDeleted => "account_deleted",
            Self::SessionsRevoked => "sessions_revoked",
            Self::NewDeviceLogin => "new_device_login",
            Self::CredentialStuffingSuspected => "credential_stuffing_suspected",
        }
    }
}

impl AuditKind {
    /// Every kind, e.g. to read stored names back. A new variant must be added here as well.
    pub const ALL: [Self; 33] = [
        Self::UserRegistered,
        Self::EmailVerified,
        Self::LoginSucceeded,
        Self::LoginFailed,
        Self::AccountLocked,
        Self::TokenRefreshed,
        Self::RefreshTokenReuse,
        Self::Logout,
        Self::LogoutAllDevices,
        Self::SessionRevoked,
        Self::PasswordResetRequested,
        Self::PasswordReset,
        Self::PasswordChanged,
        Self::ProfileUpdated,
        Self::AccountDeactivated,
        Self::MfaEnabled,
        Self::MfaDisabled,
        Self::MfaSucceeded,
        Self::MfaFailed,
        Self::MfaReplayRefused,
        Self::BackupCodeUsed,
        Self::BackupCodesRegenerated,
        Self::DeviceRemembered,
        Self::DeviceForgotten,
        Self::AccountUnlocked,
        Self::UserUpdated,
        Self::RolesChanged,
        Self::AccountSuspended,
        Self::AccountReactivated,
        Self::AccountDeleted,
        Self::SessionsRevoked,
        Self::NewDeviceLogin,
        Self::CredentialStuffingSuspected,
    ];
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub id: EventId,
    pub at: Timestamp,
    pub kind: AuditKind,
    pub user_id: Option<UserId>,
    pub session_id: Option<SessionId>,
    pub client: ClientInfo,
    /// Who did it, when not the account's holder (an administrator).
    pub actor_id: Option<UserId>,
    /// A short, secret-free note (`"unknown user"`, `"evicted by session limit"`).
    pub detail: Option<String>,
}

impl AuditEvent {
    #[must_use]
    pub fn new(
        kind: AuditKind,
        at: Timestamp,
        user_id: Option<UserId>,
        client: &ClientInfo,
    ) -> Self {
        Self {
            id: EventId::new(),
            at,
            kind,
            user_id,
            session_id: None,
            client: client.clone(),
            actor_id: None,
            detail: None,
        }
    }

    #[must_use]
    pub fn with_session(mut self, session_id: SessionId) -> Self {
        self.session_id = Some(session_id);
        self
    }

    #[must_use]
    pub fn by(mut self, actor_id: UserId) -> Self {
        self.actor_id = Some(actor_id);
        self
    }

    #[must_use]
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

impl AuditKind {
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The kinds a holder sees in their own activity (`GET /v1/users/me/activity`): sign-ins,
    /// password and MFA changes, locks, sessions ended, and what administrators did to the
    /// account. Not refreshes (too many to read) nor failed second factors of a stranger's
    /// guess (they show as `login_failed`).
    pub const OWN_ACTIVITY: [Self; 24] = [
        Self::UserRegistered,
        Self::EmailVerified,
        Self::LoginSucceeded,
        Self::LoginFailed,
        Self::NewDeviceLogin,
        Self::AccountLocked,
        Self::AccountUnlocked,
        Self::RefreshTokenReuse,
        Self::Logout,
        Self::LogoutAllDevices,
        Self::SessionRevoked,
        Self::SessionsRevoked,
        Self::PasswordResetRequested,
        Self::PasswordReset,
        Self::PasswordChanged,
        Self::MfaEnabled,
        Self::MfaDisabled,
        Self::BackupCodeUsed,
        Self::BackupCodesRegenerated,
        Self::DeviceForgotten,
        Self::RolesChanged,
        Self::AccountSuspended,
        Self::AccountReactivated,
        Self::UserUpdated,
    ];
}
