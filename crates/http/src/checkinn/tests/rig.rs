//! The app's state as the binary wires it, over the in-memory adapters: bcrypt at its lowest
//! cost, HS256 tokens, a CheckInn deployment's roles and password policy.

use crate::probes::{FixedProbe, HealthProbes, ProbeStatus};
use crate::settings::{HttpSettings, RateLimits};
use crate::state::AppState;
use authd_clock::SystemClock;
use authd_crypto::{
    AesGcmSealer, BcryptConfig, BcryptHasher, JwtCodec, JwtSettings, MfaKeys, OpaqueTokens,
    OtpCodes, PngQr,
};
use authd_domain::authorization::RoleCatalog;
use authd_domain::policy::password::PasswordPolicy;
use authd_domain::ports::{
    AccessTokenCodec, Clock, OneTimePasswords, PasswordHasher, QrRenderer, SecretSealer,
    TokenGenerator,
};
use authd_domain::services::{
    AccountUnlock, AccountUnlockPorts, Activity, Admin, AdminPorts, AuthSettings, Authenticate,
    AuthenticatePorts, EmailVerification, EmailVerificationPorts, FreshSession, Login, LoginPorts,
    LoginSettings, Logout, LogoutPorts, Mfa, MfaPorts, PasswordChange, PasswordChangePorts,
    PasswordReset, PasswordResetPorts, Profiles, ProfilesPorts, Refresh, RefreshPorts,
    RefreshSettings, Registration, RegistrationPorts, Services, Sessions, SessionsPorts,
};
use authd_domain::telemetry::NoTelemetry;
use authd_memory::{MemoryDenylist, MemoryRateLimiter, MemoryStore};
use std::sync::Arc;

/// A CheckInn deployment's roles: both self-assignable, both may use their own account.
fn roles() -> Arc<RoleCatalog> {
    let catalog = RoleCatalog::parse(
        "Customer=users.read;HotelPartner=users.read;Admin=*",
        "Customer",
        Some("Customer,HotelPartner"),
    );
    Arc::new(catalog.unwrap_or_default())
}

/// The app's state; `limits` off unless a test counts them.
pub(in crate::checkinn) fn state(limits: RateLimits) -> AppState {
    state_with(limits, |_| {}, |_| {})
}

/// The app's state, its settings adjusted by `auth` and `http`.
pub(in crate::checkinn) fn state_with(
    limits: RateLimits,
    adjust_auth: impl FnOnce(&mut AuthSettings),
    adjust_http: impl FnOnce(&mut HttpSettings),
) -> AppState {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let store = Arc::new(MemoryStore::new());
    let denylist = Arc::new(MemoryDenylist::new(clock.clone()));
    let limiter = Arc::new(MemoryRateLimiter::new(clock.clone()));
    let spread = Arc::new(MemoryRateLimiter::new(clock.clone()));
    let roles = roles();
    let mut auth = AuthSettings {
        password_policy: PasswordPolicy::checkinn(),
        roles: roles.clone(),
        ..AuthSettings::default()
    };
    adjust_auth(&mut auth);
    let hasher: Arc<dyn PasswordHasher> = Arc::new(
        BcryptHasher::new(BcryptConfig {
            cost: 4,
            workers: 1,
            queue_max: 64,
            pepper: None,
        })
        .unwrap(),
    );
    let access_tokens: Arc<dyn AccessTokenCodec> = Arc::new(
        JwtCodec::hs256(
            &[7; 32],
            JwtSettings::new("https://authd.test", "checkinn-tests"),
        )
        .unwrap(),
    );
    let tokens: Arc<dyn TokenGenerator> = Arc::new(OpaqueTokens::new(vec![9; 32]).unwrap());
    let keys = Arc::new(MfaKeys::ephemeral());
    let otp: Arc<dyn OneTimePasswords> = Arc::new(OtpCodes::new(keys.clone()));
    let sealer: Arc<dyn SecretSealer> = Arc::new(AesGcmSealer::new(keys));
    let qr: Arc<dyn QrRenderer> = Arc::new(PngQr);
    let telemetry = Arc::new(NoTelemetry);
    let registration = Registration::new(
        RegistrationPorts {
            users: store.clone(),
            hasher: hasher.clone(),
            rate_limiter: limiter.clone(),
            tokens: tokens.clone(),
            audit: store.clone(),
            clock: clock.clone(),
        },
        roles.clone(),
        auth.password_policy,
        auth.email_domains,
        auth.mail_cooldown,
    );
    let login_ports = LoginPorts {
        attempts: store.clone(),
        users: store.clone(),
        sessions: store.clone(),
        hasher: hasher.clone(),
        tokens: tokens.clone(),
        access_tokens: access_tokens.clone(),
        denylist: denylist.clone(),
        audit: store.clone(),
        clock: clock.clone(),
        telemetry: telemetry.clone(),
        mfa: store.clone(),
        otp: otp.clone(),
        sealer: sealer.clone(),
        rate_limiter: limiter.clone(),
        outbox: store.clone(),
        known_devices: store.clone(),
        failure_spread: spread,
        device_names: Arc::new(crate::UserAgentNames),
        geolocator: Arc::new(authd_domain::ports::NoGeolocation),
    };
    let login = Login::new(login_ports.clone(), LoginSettings::from(&auth));
    let checkinn_login = Login::new(
        login_ports,
        LoginSettings {
            require_email_verification: auth.checkinn_require_email_verification,
            ..LoginSettings::from(&auth)
        },
    );
    let password_change = PasswordChange::new(
        PasswordChangePorts {
            users: store.clone(),
            hasher: hasher.clone(),
            denylist: denylist.clone(),
            audit: store.clone(),
            clock: clock.clone(),
        },
        auth.password_policy,
        auth.lockout,
        auth.access_ttl,
    );
    let services = Services {
        fresh_session: FreshSession::new(
            registration.clone(),
            password_change.clone(),
            checkinn_login.clone(),
        ),
        checkinn_login,
        registration,
        email_verification: EmailVerification::new(
            EmailVerificationPorts {
                users: store.clone(),
                one_time_tokens: store.clone(),
                outbox: store.clone(),
                tokens: tokens.clone(),
                rate_limiter: limiter.clone(),
                audit: store.clone(),
                clock: clock.clone(),
            },
            auth.mail_cooldown,
        ),
        login,
        refresh: Refresh::new(
            RefreshPorts {
                sessions: store.clone(),
                tokens: tokens.clone(),
                access_tokens: access_tokens.clone(),
                denylist: denylist.clone(),
                users: store.clone(),
                outbox: store.clone(),
                audit: store.clone(),
                clock: clock.clone(),
                telemetry,
            },
            RefreshSettings::from(&auth),
        ),
        logout: Logout::new(
            LogoutPorts {
                sessions: store.clone(),
                denylist: denylist.clone(),
                audit: store.clone(),
                clock: clock.clone(),
            },
            auth.access_ttl,
        ),
        authenticate: Authenticate::new(AuthenticatePorts {
            access_tokens: access_tokens.clone(),
            denylist: denylist.clone(),
            clock: clock.clone(),
        }),
        password_reset: PasswordReset::new(
            PasswordResetPorts {
                users: store.clone(),
                one_time_tokens: store.clone(),
                outbox: store.clone(),
                tokens: tokens.clone(),
                hasher: hasher.clone(),
                denylist: denylist.clone(),
                rate_limiter: limiter.clone(),
                audit: store.clone(),
                clock: clock.clone(),
            },
            auth.password_policy,
            auth.access_ttl,
            auth.mail_cooldown,
        ),
        password_change,
        profiles: Profiles::new(
            ProfilesPorts {
                users: store.clone(),
                directory: store.clone(),
                hasher: hasher.clone(),
                denylist: denylist.clone(),
                audit: store.clone(),
                clock: clock.clone(),
            },
            roles.clone(),
            auth.lockout,
            auth.access_ttl,
        ),
        sessions: Sessions::new(
            SessionsPorts {
                sessions: store.clone(),
                denylist: denylist.clone(),
                audit: store.clone(),
                clock: clock.clone(),
            },
            auth.access_ttl,
        ),
        mfa: Mfa::new(
            MfaPorts {
                users: store.clone(),
                mfa: store.clone(),
                otp,
                sealer,
                qr,
                hasher,
                tokens: tokens.clone(),
                rate_limiter: limiter.clone(),
                outbox: store.clone(),
                audit: store.clone(),
                clock: clock.clone(),
            },
            auth.mfa.clone(),
        ),
        unlock: AccountUnlock::new(AccountUnlockPorts {
            one_time_tokens: store.clone(),
            tokens,
            audit: store.clone(),
            clock: clock.clone(),
        }),
        admin: Admin::new(
            AdminPorts {
                users: store.clone(),
                directory: store.clone(),
                sessions: store.clone(),
                outbox: store.clone(),
                denylist,
                audit: store.clone(),
                clock: clock.clone(),
            },
            roles.clone(),
            auth.access_ttl,
        ),
        activity: Activity::new(store),
    };
    let mut settings = HttpSettings {
        public_url: "http://localhost:5000".to_owned(),
        allowed_origins: vec!["https://checkinn.example".to_owned()],
        rate_limits: limits,
        roles,
        ..HttpSettings::default()
    };
    adjust_http(&mut settings);
    let probe = || Arc::new(FixedProbe(ProbeStatus::Healthy));
    let health = HealthProbes {
        database: probe(),
        redis: probe(),
        email: probe(),
    };
    AppState::new(services, access_tokens, settings, health, limiter, clock)
}
