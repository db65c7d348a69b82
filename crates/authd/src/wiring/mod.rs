//! The one place that knows which adapter serves which port. Everything else talks to ports.
//!
//! - storage: PostgreSQL when a database is configured, memory otherwise (`storage`);
//! - denylist and rate limits: Redis when configured, memory otherwise (`cache`);
//! - mail: SMTP when `SMTP_HOST` is set, `.eml` files otherwise (`mail`);
//! - SMS codes: the webhook of `SMS_WEBHOOK_URL` when set, none otherwise (`sms`);
//! - places of addresses: the MaxMind DB of `GEOIP_DATABASE` when set, none otherwise (`admin`);
//! - passwords bcrypt, tokens JWT and opaque tokens, TOTP codes, sealed TOTP secrets and QR codes
//!   from `authd-crypto` (`keys`), the system clock.
//!
//! Every health probe is wrapped in a [`CachedProbe`], so `/v1/health` costs each backing
//! service at most one check per `HEALTH_CACHE_TTL` however often it is polled.

mod admin;
mod cache;
mod keys;
mod mail;
mod metrics;
mod services;
mod sms;
mod storage;

pub(crate) use admin::{admin_tools, describe as describe_admin_error};
pub(crate) use metrics::Sampler;

use crate::app::StartupError;
use crate::config::Config;
use authd_clock::SystemClock;
use authd_crypto::{AesGcmSealer, BcryptConfig, BcryptHasher, OpaqueTokens, OtpCodes, PngQr};
use authd_domain::ports::{
    AccessTokenCodec, Clock, OneTimePasswords, PasswordHasher, QrRenderer, SecretSealer,
    TokenGenerator,
};
use authd_domain::services::{CleanupSweep, CleanupSweepPorts, MailDelivery};
use authd_http::{AppState, CachedProbe, HealthProbes, HttpSettings, Probe, RateLimits};
use authd_resilience::audit_writer::{self, AuditWriter};
use std::sync::Arc;
use std::time::Duration;

/// What the running service is made of.
pub(crate) struct Wired {
    pub(crate) state: AppState,
    pub(crate) delivery: MailDelivery,
    /// The background writer of audit events, on PostgreSQL (see `audit_writer`).
    pub(crate) audit_writer: Option<AuditWriter>,
    /// Refreshes the sampled gauges of `/metrics` (none when metrics are off).
    pub(crate) sampler: Option<metrics::Sampler>,
    /// The cleanup sweep and how often it runs (none when `SWEEP_INTERVAL` is off).
    pub(crate) sweep: Option<(CleanupSweep, Duration)>,
}

/// Builds every adapter and service from `config` (whose port is the one actually bound).
pub(crate) async fn wire(config: &Config) -> Result<Wired, StartupError> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    // Before anything touches the database: a missing key is a configuration mistake.
    let mfa_keys = keys::mfa_keys(config)?;
    let instruments = metrics::Instruments::new(&config.metrics);
    let telemetry = instruments.telemetry.clone();
    let mut storage = match &config.database {
        Some(db) => storage::postgres(db).await?,
        None => storage::memory(),
    };
    // In memory a write is a push onto a list: only a database is worth the queue.
    let audit_writer = config.database.is_some().then(|| {
        let (buffered, writer) = audit_writer::start(storage.audit.clone());
        storage.audit = buffered;
        writer
    });
    let cache = match &config.redis {
        Some(redis) => {
            let horizon = config.auth.access_ttl;
            cache::redis(redis, clock.clone(), storage.sessions.clone(), horizon).await?
        }
        None => cache::memory(clock.clone(), config.database.is_some()),
    };
    if !config.rate_limits.enabled {
        tracing::info!("rate limits are off (RATE_LIMIT_ENABLED=false)");
    }
    if !config.api.ignored.is_empty() {
        tracing::warn!(
            variables = %config.api.ignored.join(", "),
            "CheckInn variables with no effect in authd: its refresh token is opaque, its cookie \
             always HttpOnly with a Max-Age of JWT_COOKIE_EXPIRES_IN days"
        );
    }

    let access_tokens: Arc<dyn AccessTokenCodec> = Arc::new(keys::access_token_codec(config)?);
    let hasher = bcrypt(config)?.with_telemetry(telemetry.clone());
    let tokens =
        OpaqueTokens::new(keys::refresh_secret(config)?).map_err(StartupError::RefreshSecret)?;
    let mailer = mail::mailer(config)?;
    let sms_sender = sms::sender(config)?;

    let hasher: Arc<dyn PasswordHasher> = Arc::new(hasher);
    let tokens: Arc<dyn TokenGenerator> = Arc::new(tokens);
    let otp: Arc<dyn OneTimePasswords> = Arc::new(OtpCodes::new(mfa_keys.clone()));
    let sealer: Arc<dyn SecretSealer> = Arc::new(AesGcmSealer::new(mfa_keys));
    let qr: Arc<dyn QrRenderer> = Arc::new(PngQr);
    let crypto = services::Crypto {
        hasher: &hasher,
        access_tokens: &access_tokens,
        tokens: &tokens,
        otp: &otp,
        sealer: &sealer,
        qr: &qr,
    };
    let geolocator = admin::geolocator(config)?;
    let services = services::services(
        &storage,
        &cache,
        &crypto,
        &clock,
        &telemetry,
        &geolocator,
        &config.auth,
    );
    // Storage is ready and nothing is served yet: the moment for the first admin.
    if let Some(bootstrap) = &config.bootstrap_admin {
        let first_admin = admin::first_admin(
            &storage,
            cache.denylist.clone(),
            hasher.clone(),
            clock.clone(),
            &config.auth,
        );
        admin::bootstrap(&first_admin, bootstrap).await?;
    }
    let delivery = services::mail_delivery(
        &storage,
        &crypto,
        services::Transports {
            mailer: &mailer,
            sms: sms_sender,
        },
        &clock,
        &telemetry,
        &config.auth,
        config.mail.retry,
    );
    let sweep = config.sweep.interval.map(|every| {
        let ports = CleanupSweepPorts {
            retention: storage.retention.clone(),
            clock: clock.clone(),
            telemetry: telemetry.clone(),
        };
        (
            CleanupSweep::new(ports, config.sweep.retention, crate::sweeper::BATCH),
            every,
        )
    });
    let check_timeout = health_check_timeout(config.health.timeout);
    let cached = |probe: Arc<dyn Probe>| -> Arc<dyn Probe> {
        Arc::new(CachedProbe::new(
            probe,
            config.health.cache_ttl,
            check_timeout,
        ))
    };
    let health = HealthProbes {
        database: cached(storage.probe),
        redis: cached(cache.probe),
        email: cached(Arc::new(mail::MailerProbe(mailer))),
    };
    let pools = [("postgres", storage.pool), ("redis", cache.pool)]
        .into_iter()
        .filter_map(|(name, pool)| pool.map(|p| (name, p)))
        .collect();
    let (http_metrics, sampler) = instruments.finish(
        pools,
        metrics::SamplerInputs {
            outbox: storage.outbox.clone(),
            sessions: storage.sessions.clone(),
            probes: health.clone(),
            clock: clock.clone(),
        },
    );
    let state = AppState::new(
        services,
        access_tokens,
        http_settings(config),
        health,
        cache.rate_limiter,
        clock.clone(),
    );
    let state = state.with_geolocator(geolocator);
    let state = match http_metrics {
        Some((http, endpoint)) => state.with_metrics(http, endpoint),
        None => state,
    };
    Ok(Wired {
        state,
        delivery,
        audit_writer,
        sampler,
        sweep,
    })
}

/// bcrypt on its own thread pool, as `HASH_WORKERS`, `HASH_QUEUE_MAX` and `BCRYPT_ROUNDS` say.
fn bcrypt(config: &Config) -> Result<BcryptHasher, StartupError> {
    BcryptHasher::new(BcryptConfig {
        cost: config.hashing.rounds,
        workers: config.hashing.workers,
        queue_max: config.hashing.queue_max,
        pepper: config.hashing.pepper.clone(),
    })
    .map_err(StartupError::Hasher)
}

/// The health endpoints give up on a probe after 2 s; a check must end (and be cached) before
/// that, or a hung service would be checked again by every probe.
const LONGEST_HEALTH_CHECK: Duration = Duration::from_millis(1900);

fn health_check_timeout(configured: Duration) -> Duration {
    if configured > LONGEST_HEALTH_CHECK {
        tracing::warn!(
            configured_ms = configured.as_millis(),
            used_ms = LONGEST_HEALTH_CHECK.as_millis(),
            "HEALTH_CHECK_TIMEOUT is longer than the health endpoints wait for a check (2 s); \
             using 1900 ms"
        );
        return LONGEST_HEALTH_CHECK;
    }
    configured
}

fn http_settings(config: &Config) -> HttpSettings {
    let limits = &config.rate_limits;
    HttpSettings {
        public_url: config.server.public_url.clone(),
        allowed_origins: config.server.allowed_origins.clone(),
        cookie_secure: config.server.cookie_secure,
        max_body_bytes: config.server.max_body_size,
        client_body_timeout: config.server.client_body_timeout,
        max_connections_per_ip: config.server.max_connections_per_ip,
        trusted_proxies: config.server.trusted_proxies.clone(),
        health_details: config.health.details,
        rate_limits: RateLimits {
            enabled: limits.enabled,
            general: limits.general,
            login: limits.login,
            register: limits.register,
            password_reset: limits.password_reset,
            ipv6_prefix: limits.ipv6_prefix,
        },
        roles: config.auth.roles.clone(),
        admin_allowed_ips: config.server.admin_allowed_ips.clone(),
        dialects: config.api.dialects,
        checkinn_cookie_max_age: config.api.checkinn_cookie_max_age,
        introspection: config.api.introspection.clone(),
        checkinn_delete_requires_password: config.api.checkinn_delete_requires_password,
        // Introspection answers them for the tokens it found active (verified against them).
        token_issuer: config.jwt.issuer.clone(),
        token_audience: config.jwt.audience.clone(),
        builtin_pages: config.server.serves_builtin_pages(&config.api),
        ..HttpSettings::default()
    }
}
