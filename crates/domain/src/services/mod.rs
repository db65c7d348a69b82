//! One service per use case. Each is built from the ports it calls and the settings that shape it,
//! nothing more: its `*Ports` struct names the ports, its constructor the settings (a settings
//! struct where two knobs share a type and could be swapped unnoticed, plain arguments
//! otherwise). Each returns its own error enum: the cases a caller branches on, plus `Infra` for
//! failures. The steps several services share are written once, in `shared`.

mod activity;
mod admin;
mod authenticate;
mod cleanup;
mod email_verification;
mod fresh_session;
mod login;
mod logout;
mod mail_delivery;
mod mfa;
mod password_change;
mod password_reset;
mod profile;
mod refresh;
mod registration;
mod sessions;
mod shared;
#[cfg(test)]
pub(crate) mod test_support;
mod unlock;

pub use activity::Activity;
pub use admin::{
    Actor, Admin, AdminCreated, AdminError, AdminPorts, AdminUpdate, AdminUserView, FirstAdmin,
    FirstAdminError, FirstAdminPorts, NewAdmin,
};
pub use authenticate::{Authenticate, AuthenticateError, AuthenticatePorts};
pub use cleanup::{CleanupSweep, CleanupSweepPorts};
pub use email_verification::{
    EmailVerification, EmailVerificationPorts, ResendError, VerifyEmailError,
};
pub use fresh_session::{FreshSession, SignedUp};
pub use login::{
    DeviceToken, Login, LoginError, LoginInput, LoginPorts, LoginSettings, LoginSuccess,
    MfaCodeRequest, MfaLoginError, MfaLoginInput, MfaLoginSuccess, SendCodeError,
};
pub use logout::{Logout, LogoutPorts};
pub use mail_delivery::{MailDelivery, MailDeliveryPorts, MailDeliverySettings};
pub use mfa::{
    BACKUP_CODES_PER_SET, DeviceView, FactorView, Mfa, MfaError, MfaPorts, MfaSettings, MfaStatus,
    SetupAnswer, SetupDelivery, SetupInput,
};
pub use password_change::{ChangePasswordError, PasswordChange, PasswordChangePorts};
pub use password_reset::{PasswordReset, PasswordResetPorts, ResetPasswordError};
pub use profile::{
    DeactivateError, ProfileError, ProfileInput, Profiles, ProfilesPorts, UpdateProfileError,
    UserView,
};
pub use refresh::{Refresh, RefreshError, RefreshPorts, RefreshSettings, RefreshSuccess};
pub use registration::{RegisterError, RegisterInput, Registration, RegistrationPorts};
pub use sessions::{RevokeSessionError, SessionView, Sessions, SessionsPorts};
pub use shared::IssuedTokens;
pub use unlock::{AccountUnlock, AccountUnlockPorts, UnlockError};

use crate::authorization::RoleCatalog;
use crate::policy::lockout::LockoutPolicy;
use crate::policy::password::PasswordPolicy;
use crate::values::EmailDomains;
use chrono::Duration;

/// The knobs of the use cases, from configuration. Each service takes its own share of them.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    pub password_policy: PasswordPolicy,
    pub lockout: LockoutPolicy,
    /// `JWT_ACCESS_EXPIRY` (15 min).
    pub access_ttl: Duration,
    /// `JWT_REFRESH_EXPIRY` (7 days), for `rememberMe: true`.
    pub refresh_ttl: Duration,
    /// The refresh-token lifetime for `rememberMe: false` (24 h).
    pub refresh_ttl_short: Duration,
    /// `REFRESH_REUSE_GRACE` (10 s).
    pub reuse_grace: Duration,
    /// `REFRESH_TOKEN_ROTATION` (on).
    pub rotate_refresh_tokens: bool,
    /// `MAX_CONCURRENT_SESSIONS` (5; 0 = unlimited).
    pub max_sessions: usize,
    pub verification_ttl: Duration,
    pub reset_ttl: Duration,
    /// `REQUIRE_EMAIL_VERIFICATION` (on).
    pub require_email_verification: bool,
    /// `CHECKINN_REQUIRE_EMAIL_VERIFICATION` (off): the CheckInn dialect's login of a `pending`
    /// account (its register signs in at once, so its login does too unless this is on).
    pub checkinn_require_email_verification: bool,
    /// `ALLOW_LOCAL_EMAIL_DOMAINS` (off): which domains a registration may use.
    pub email_domains: EmailDomains,
    /// `MAIL_COOLDOWN` (60 s; zero = off): at most one verification or reset mail per recipient
    /// per mail kind in this time, counted in the shared rate-limit store.
    pub mail_cooldown: Duration,
    /// `ROLE_PERMISSIONS`, `DEFAULT_ROLE`, `SELF_ASSIGNABLE_ROLES`.
    pub roles: std::sync::Arc<RoleCatalog>,
    pub mfa: MfaSettings,
    /// `NEW_DEVICE_ALERTS` (on).
    pub new_device_alerts: bool,
    /// `STUFFING_THRESHOLD` (10 accounts) / `STUFFING_WINDOW` (15 min).
    pub stuffing: crate::ports::SpreadLimit,
}

/// The most clock leeway any [`crate::ports::AccessTokenCodec`] may allow past `exp` (API.md:
/// at most 30 s). A denial must outlive the token by this much, or a revoked token would pass
/// again in its last seconds.
pub const MAX_ACCESS_TOKEN_LEEWAY: Duration = Duration::seconds(30);

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            password_policy: PasswordPolicy::default(),
            lockout: LockoutPolicy::default(),
            access_ttl: Duration::minutes(15),
            refresh_ttl: Duration::days(7),
            refresh_ttl_short: Duration::hours(24),
            reuse_grace: Duration::seconds(10),
            rotate_refresh_tokens: true,
            max_sessions: 5,
            verification_ttl: Duration::hours(24),
            reset_ttl: Duration::hours(1),
            require_email_verification: true,
            checkinn_require_email_verification: false,
            email_domains: EmailDomains::default(),
            mail_cooldown: Duration::seconds(60),
            roles: std::sync::Arc::new(RoleCatalog::default()),
            mfa: MfaSettings::default(),
            new_device_alerts: true,
            stuffing: crate::ports::SpreadLimit {
                accounts: 10,
                window: Duration::minutes(15),
            },
        }
    }
}

/// Every service the HTTP API calls, each built with its own constructor where the adapters are
/// wired.
#[derive(Debug, Clone)]
pub struct Services {
    pub registration: Registration,
    pub email_verification: EmailVerification,
    pub login: Login,
    pub refresh: Refresh,
    pub logout: Logout,
    pub authenticate: Authenticate,
    pub password_reset: PasswordReset,
    pub password_change: PasswordChange,
    pub profiles: Profiles,
    pub sessions: Sessions,
    pub mfa: Mfa,
    pub unlock: AccountUnlock,
    pub admin: Admin,
    pub activity: Activity,
    /// Registration and password change that end in a new session (the CheckInn dialect).
    pub fresh_session: FreshSession,
    /// The login of the CheckInn dialect: [`Login`] with its own verification rule
    /// (`CHECKINN_REQUIRE_EMAIL_VERIFICATION`, off: its registration already signs in).
    pub checkinn_login: Login,
}
