//! One service per use case. Each holds the ports it needs and the settings that shape it, and
//! returns its own error enum: the cases a caller branches on, plus `Infra` for failures.

mod authenticate;
mod email_verification;
mod login;
#[cfg(test)]
mod login_tests;
mod logout;
#[cfg(test)]
mod logout_tests;
mod mail_delivery;
#[cfg(test)]
mod mail_delivery_tests;
mod password;
#[cfg(test)]
mod password_change_tests;
#[cfg(test)]
mod password_tests;
mod profile;
#[cfg(test)]
mod profile_tests;
mod refresh;
#[cfg(test)]
mod refresh_tests;
mod registration;
#[cfg(test)]
mod registration_tests;
mod sessions;
#[cfg(test)]
mod sessions_tests;
#[cfg(test)]
pub(crate) mod test_support;
mod tokens;

pub use authenticate::{Authenticate, AuthenticateError};
pub use email_verification::{EmailVerification, ResendError, VerifyEmailError};
pub use login::{Login, LoginError, LoginInput, LoginSuccess};
pub use logout::Logout;
pub use mail_delivery::MailDelivery;
pub use password::{ChangePasswordError, PasswordChange, PasswordReset, ResetPasswordError};
pub use profile::{
    DeactivateError, ProfileError, ProfileInput, Profiles, UpdateProfileError, UserView,
};
pub use refresh::{Refresh, RefreshError, RefreshSuccess};
pub use registration::{RegisterError, RegisterInput, Registration};
pub use sessions::{RevokeSessionError, SessionView, Sessions};
pub use tokens::IssuedTokens;

use crate::authorization::RolePermissions;
use crate::policy::lockout::LockoutPolicy;
use crate::policy::password::PasswordPolicy;
use crate::ports::{
    AccessTokenCodec, AuditLog, Clock, OneTimeTokenRepository, Outbox, PasswordHasher,
    SessionRepository, TokenDenylist, TokenGenerator, UserRepository,
};
use chrono::Duration;
use std::sync::Arc;

/// Every port a use case may need. Cheap to clone.
#[derive(Clone)]
pub struct Ports {
    pub users: Arc<dyn UserRepository>,
    pub sessions: Arc<dyn SessionRepository>,
    pub one_time_tokens: Arc<dyn OneTimeTokenRepository>,
    pub outbox: Arc<dyn Outbox>,
    pub audit: Arc<dyn AuditLog>,
    pub denylist: Arc<dyn TokenDenylist>,
    pub hasher: Arc<dyn PasswordHasher>,
    pub access_tokens: Arc<dyn AccessTokenCodec>,
    pub tokens: Arc<dyn TokenGenerator>,
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Ports {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Ports { .. }")
    }
}

/// The knobs of the use cases, from configuration.
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
    pub permissions: RolePermissions,
}

/// The most clock leeway any [`crate::ports::AccessTokenCodec`] may allow past `exp` (API.md:
/// at most 30 s). A denial must outlive the token by this much, or a revoked token would pass
/// again in its last seconds.
pub const MAX_ACCESS_TOKEN_LEEWAY: Duration = Duration::seconds(30);

impl AuthSettings {
    /// Until when a denial issued at `now` must hold to cover every access token issued before
    /// it: the longest lifetime plus the verification leeway.
    #[must_use]
    pub fn denial_until(&self, now: crate::Timestamp) -> crate::Timestamp {
        now + self.access_ttl + MAX_ACCESS_TOKEN_LEEWAY
    }
}

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
            permissions: RolePermissions::default(),
        }
    }
}

/// Every service, built once from the ports and settings.
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
}

impl Services {
    #[must_use]
    pub fn new(ports: &Ports, settings: &AuthSettings) -> Self {
        let settings = Arc::new(settings.clone());
        Self {
            registration: Registration::new(ports.clone(), settings.clone()),
            email_verification: EmailVerification::new(ports.clone(), settings.clone()),
            login: Login::new(ports.clone(), settings.clone()),
            refresh: Refresh::new(ports.clone(), settings.clone()),
            logout: Logout::new(ports.clone(), settings.clone()),
            authenticate: Authenticate::new(ports.clone(), settings.clone()),
            password_reset: PasswordReset::new(ports.clone(), settings.clone()),
            password_change: PasswordChange::new(ports.clone(), settings.clone()),
            profiles: Profiles::new(ports.clone(), settings.clone()),
            sessions: Sessions::new(ports.clone(), settings),
        }
    }
}

/// Generates the `new` constructor every service shares.
macro_rules! service {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name {
            ports: crate::services::Ports,
            settings: std::sync::Arc<crate::services::AuthSettings>,
        }

        impl $name {
            #[must_use]
            pub fn new(ports: crate::services::Ports, settings: std::sync::Arc<crate::services::AuthSettings>) -> Self {
                Self { ports, settings }
            }
        }
    };
}
pub(crate) use service;
