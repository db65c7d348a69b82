//! The use cases, each given exactly the adapters it calls (its `*Ports`) and its share of the
//! settings. A new service is wired here, one constructor call naming what it uses.

use super::cache::Cache;
use super::storage::Storage;
use authd_domain::policy::backoff::RetryPolicy;
use authd_domain::ports::{
    AccessTokenCodec, Clock, Geolocator, Mailer, OneTimePasswords, PasswordHasher, QrRenderer,
    SecretSealer, SmsSender, TokenGenerator,
};
use authd_domain::services::{
    AccountUnlock, AccountUnlockPorts, Activity, Admin, AdminPorts, AuthSettings, Authenticate,
    AuthenticatePorts, EmailVerification, EmailVerificationPorts, FreshSession, Login, LoginPorts,
    LoginSettings, Logout, LogoutPorts, MailDelivery, MailDeliveryPorts, MailDeliverySettings, Mfa,
    MfaPorts, PasswordChange, PasswordChangePorts, PasswordReset, PasswordResetPorts, Profiles,
    ProfilesPorts, Refresh, RefreshPorts, RefreshSettings, Registration, RegistrationPorts,
    Services, Sessions, SessionsPorts,
};
use authd_domain::telemetry::Telemetry;
use std::sync::Arc;

/// The credentials' adapters: passwords, access tokens, opaque tokens.
pub(super) struct Crypto<'a> {
    pub(super) hasher: &'a Arc<dyn PasswordHasher>,
    pub(super) access_tokens: &'a Arc<dyn AccessTokenCodec>,
    pub(super) tokens: &'a Arc<dyn TokenGenerator>,
    pub(super) otp: &'a Arc<dyn OneTimePasswords>,
    pub(super) sealer: &'a Arc<dyn SecretSealer>,
    pub(super) qr: &'a Arc<dyn QrRenderer>,
}

/// Every service the HTTP API calls.
pub(super) fn services(
    storage: &Storage,
    cache: &Cache,
    crypto: &Crypto<'_>,
    clock: &Arc<dyn Clock>,
    telemetry: &Arc<dyn Telemetry>,
    geolocator: &Arc<dyn Geolocator>,
    auth: &AuthSettings,
) -> Services {
    let Crypto {
        hasher,
        access_tokens,
        tokens,
        otp,
        sealer,
        qr,
    } = *crypto;
    let Storage {
        users,
        login_attempts,
        sessions,
        one_time_tokens,
        outbox,
        audit,
        mfa,
        directory,
        known_devices,
        ..
    } = storage;
    // The rate-limit store also holds the per-recipient mail cooldown.
    let Cache {
        denylist,
        rate_limiter,
        failure_spread,
        ..
    } = cache;
    let registration = Registration::new(
        RegistrationPorts {
            users: users.clone(),
            hasher: hasher.clone(),
            rate_limiter: rate_limiter.clone(),
            tokens: tokens.clone(),
            audit: audit.clone(),
            clock: clock.clone(),
        },
        auth.roles.clone(),
        auth.password_policy,
        auth.email_domains,
        auth.mail_cooldown,
    );
    let login_ports = LoginPorts {
        attempts: login_attempts.clone(),
        users: users.clone(),
        sessions: sessions.clone(),
        hasher: hasher.clone(),
        tokens: tokens.clone(),
        access_tokens: access_tokens.clone(),
        denylist: denylist.clone(),
        audit: audit.clone(),
        clock: clock.clone(),
        telemetry: telemetry.clone(),
        mfa: mfa.clone(),
        otp: otp.clone(),
        sealer: sealer.clone(),
        rate_limiter: rate_limiter.clone(),
        outbox: outbox.clone(),
        known_devices: known_devices.clone(),
        failure_spread: failure_spread.clone(),
        device_names: Arc::new(authd_http::UserAgentNames),
        geolocator: geolocator.clone(),
    };
    let login = Login::new(login_ports.clone(), LoginSettings::from(auth));
    // The CheckInn dialect's register already signs an unverified account in; its login
    // follows suit unless CHECKINN_REQUIRE_EMAIL_VERIFICATION says otherwise.
    let checkinn_login = Login::new(
        login_ports,
        LoginSettings {
            require_email_verification: auth.checkinn_require_email_verification,
            ..LoginSettings::from(auth)
        },
    );
    let password_change = PasswordChange::new(
        PasswordChangePorts {
            users: users.clone(),
            hasher: hasher.clone(),
            denylist: denylist.clone(),
            audit: audit.clone(),
            clock: clock.clone(),
        },
        auth.password_policy,
        auth.lockout,
        auth.access_ttl,
    );
    Services {
        fresh_session: FreshSession::new(
            registration.clone(),
            password_change.clone(),
            checkinn_login.clone(),
        ),
        checkinn_login,
        registration: registration.clone(),
        email_verification: EmailVerification::new(
            EmailVerificationPorts {
                users: users.clone(),
                one_time_tokens: one_time_tokens.clone(),
                outbox: outbox.clone(),
                tokens: tokens.clone(),
                rate_limiter: rate_limiter.clone(),
                audit: audit.clone(),
                clock: clock.clone(),
            },
            auth.mail_cooldown,
        ),
        login: login.clone(),
        refresh: Refresh::new(
            RefreshPorts {
                sessions: sessions.clone(),
                tokens: tokens.clone(),
                access_tokens: access_tokens.clone(),
                denylist: denylist.clone(),
                users: users.clone(),
                outbox: outbox.clone(),
                audit: audit.clone(),
                clock: clock.clone(),
                telemetry: telemetry.clone(),
            },
            RefreshSettings::from(auth),
        ),
        logout: Logout::new(
            LogoutPorts {
                sessions: sessions.clone(),
                denylist: denylist.clone(),
                audit: audit.clone(),
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
                users: users.clone(),
                one_time_tokens: one_time_tokens.clone(),
                outbox: outbox.clone(),
                tokens: tokens.clone(),
                hasher: hasher.clone(),
                denylist: denylist.clone(),
                rate_limiter: rate_limiter.clone(),
                audit: audit.clone(),
                clock: clock.clone(),
            },
            auth.password_policy,
            auth.access_ttl,
            auth.mail_cooldown,
        ),
        password_change: password_change.clone(),
        profiles: Profiles::new(
            ProfilesPorts {
                users: users.clone(),
                directory: directory.clone(),
                hasher: hasher.clone(),
                denylist: denylist.clone(),
                audit: audit.clone(),
                clock: clock.clone(),
            },
            auth.roles.clone(),
            auth.lockout,
            auth.access_ttl,
        ),
        sessions: Sessions::new(
            SessionsPorts {
                sessions: sessions.clone(),
                denylist: denylist.clone(),
                audit: audit.clone(),
                clock: clock.clone(),
            },
            auth.access_ttl,
        ),
        mfa: Mfa::new(
            MfaPorts {
                users: users.clone(),
                mfa: mfa.clone(),
                otp: otp.clone(),
                sealer: sealer.clone(),
                qr: qr.clone(),
                hasher: hasher.clone(),
                tokens: tokens.clone(),
                rate_limiter: rate_limiter.clone(),
                outbox: outbox.clone(),
                audit: audit.clone(),
                clock: clock.clone(),
            },
            auth.mfa.clone(),
        ),
        unlock: AccountUnlock::new(AccountUnlockPorts {
            one_time_tokens: one_time_tokens.clone(),
            tokens: tokens.clone(),
            audit: audit.clone(),
            clock: clock.clone(),
        }),
        admin: Admin::new(
            AdminPorts {
                users: users.clone(),
                directory: directory.clone(),
                sessions: sessions.clone(),
                outbox: outbox.clone(),
                denylist: denylist.clone(),
                audit: audit.clone(),
                clock: clock.clone(),
            },
            auth.roles.clone(),
            auth.access_ttl,
        ),
        activity: Activity::new(audit.clone()),
    }
}

/// The outbox worker's step: it mints the token of a link, or an emailed or SMS code, when it
/// sends it; SMS codes go to `sms`.
/// Where the outbox worker sends: mails to the mailer, SMS codes to the SMS sender (if any).
pub(super) struct Transports<'a> {
    pub(super) mailer: &'a Arc<dyn Mailer>,
    pub(super) sms: Option<Arc<dyn SmsSender>>,
}

pub(super) fn mail_delivery(
    storage: &Storage,
    crypto: &Crypto<'_>,
    transports: Transports<'_>,
    clock: &Arc<dyn Clock>,
    telemetry: &Arc<dyn Telemetry>,
    auth: &AuthSettings,
    retry: RetryPolicy,
) -> MailDelivery {
    MailDelivery::new(
        MailDeliveryPorts {
            outbox: storage.outbox.clone(),
            users: storage.users.clone(),
            one_time_tokens: storage.one_time_tokens.clone(),
            tokens: crypto.tokens.clone(),
            mfa: storage.mfa.clone(),
            otp: crypto.otp.clone(),
            mailer: transports.mailer.clone(),
            sms: transports.sms,
            clock: clock.clone(),
            telemetry: telemetry.clone(),
        },
        MailDeliverySettings::new(auth, retry),
    )
}
