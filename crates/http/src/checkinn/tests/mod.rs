//! The CheckInn routes through the whole app (`crate::app`: every middleware, the route table,
//! the access check and the rate limits) over the real domain services on the in-memory
//! adapters, bcrypt at its lowest cost and HS256 tokens.

mod account;
mod errors;
mod garbage;
mod sign_in;

use crate::probes::{FixedProbe, HealthProbes, ProbeStatus};
use crate::settings::{HttpSettings, RateLimits};
use crate::state::AppState;
use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::Method;
use actix_web::test::{TestRequest, call_service, read_body};
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
use serde_json::{Value, json};
use std::sync::Arc;

/// The document's example password (and its second one).
pub(super) const PASSWORD: &str = "TestPass123!";
pub(super) const NEW_PASSWORD: &str = "NewSecurePass123!";

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
pub(super) fn state(limits: RateLimits) -> AppState {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let store = Arc::new(MemoryStore::new());
    let denylist = Arc::new(MemoryDenylist::new(clock.clone()));
    let limiter = Arc::new(MemoryRateLimiter::new(clock.clone()));
    let spread = Arc::new(MemoryRateLimiter::new(clock.clone()));
    let roles = roles();
    let auth = AuthSettings {
        password_policy: PasswordPolicy::checkinn(),
        roles: roles.clone(),
        ..AuthSettings::default()
    };
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
    let settings = HttpSettings {
        public_url: "http://localhost:5000".to_owned(),
        allowed_origins: vec!["https://checkinn.example".to_owned()],
        rate_limits: limits,
        roles,
        ..HttpSettings::default()
    };
    let probe = || Arc::new(FixedProbe(ProbeStatus::Healthy));
    let health = HealthProbes {
        database: probe(),
        redis: probe(),
        email: probe(),
    };
    AppState::new(services, access_tokens, settings, health, limiter, clock)
}

/// No limits: tests that send many requests.
pub(super) fn unlimited() -> AppState {
    state(RateLimits {
        enabled: false,
        ..RateLimits::default()
    })
}

/// What a test looks at in an answer.
#[derive(Debug)]
pub(super) struct Answer {
    pub status: u16,
    pub headers: actix_web::http::header::HeaderMap,
    pub body: Value,
}

impl Answer {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// The `Set-Cookie` of the refresh cookie, if any.
    pub fn refresh_cookie(&self) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("refresh_token="))
            .map(str::to_owned)
    }

    /// The field names of `errors`.
    pub fn error_fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|e| {
                e.iter()
                    .filter_map(|e| e["field"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The answer is the CheckInn error envelope of `status` and `code`.
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status, status, "{self:?}");
        assert_eq!(self.body["success"], false, "{self:?}");
        assert_eq!(self.body["code"], code, "{self:?}");
        assert!(self.body["message"].is_string(), "{self:?}");
        assert!(
            self.body.get("error").is_none(),
            "not the /v1 envelope: {self:?}"
        );
    }
}

pub(super) async fn answer(res: ServiceResponse<impl MessageBody>) -> Answer {
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let bytes = read_body(res).await;
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    Answer {
        status,
        headers,
        body,
    }
}

/// `method path` with the JSON `body` (none when `Null`) and the bearer `token`.
pub(super) async fn send<S, B>(
    app: &S,
    method: Method,
    path: &str,
    body: Value,
    token: Option<&str>,
) -> Answer
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let mut req = TestRequest::default()
        .method(method)
        .uri(path)
        .peer_addr("203.0.113.7:40000".parse().unwrap());
    if !body.is_null() {
        req = req.set_json(body);
    }
    if let Some(token) = token {
        req = req.insert_header(("Authorization", format!("Bearer {token}")));
    }
    answer(call_service(app, req.to_request()).await).await
}

/// The document's registration of `email`.
pub(super) fn registration(email: &str) -> Value {
    json!({
        "name": "Test User", "email": email, "phone": "0987654321",
        "password": PASSWORD, "role": "Customer"
    })
}

/// Registers `email` through the CheckInn route; its `data`.
pub(super) async fn register<S, B>(app: &S, email: &str) -> Value
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let res = send(
        app,
        Method::POST,
        "/api/auth/register",
        registration(email),
        None,
    )
    .await;
    assert_eq!(res.status, 201, "{res:?}");
    res.body["data"].clone()
}

macro_rules! app {
    ($state:expr) => {
        actix_web::test::init_service(crate::app($state)).await
    };
    () => {
        app!(crate::checkinn::tests::unlimited())
    };
}
pub(super) use app;
