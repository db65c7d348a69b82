//! The one place that knows which adapter serves which port. Everything else talks to ports.
//!
//! Today: in-memory storage and denylist, bcrypt and JWT from `authd-crypto`, the system clock,
//! the file mail transport. PostgreSQL, Redis and SMTP adapters will be chosen here, from
//! configuration, when they land.

use crate::app::StartupError;
use crate::config::{Config, Signing};
use async_trait::async_trait;
use authd_clock::SystemClock;
use authd_crypto::{
    BcryptConfig, BcryptHasher, JwtCodec, JwtSettings, OpaqueTokens, RsaSigningKey,
};
use authd_domain::policy::backoff::RetryPolicy;
use authd_domain::ports::{AccessTokenCodec, Clock, Mailer};
use authd_domain::services::{MailDelivery, Ports, Services};
use authd_http::{AppState, FixedProbe, HealthProbes, HttpSettings, Probe, ProbeStatus};
use authd_memory::{MemoryDenylist, MemoryStore};
use authd_smtp::{FileMailer, Templates};
use secrecy::ExposeSecret;
use std::sync::Arc;

/// What the running service is made of.
pub(crate) struct Wired {
    pub(crate) state: AppState,
    pub(crate) delivery: MailDelivery,
}

/// Builds every adapter and service from `config` (whose port is the one actually bound).
pub(crate) fn wire(config: &Config) -> Result<Wired, StartupError> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let store = Arc::new(MemoryStore::new());
    tracing::warn!(
        "!!! STORAGE IS IN MEMORY: every account, session and queued email is LOST when this \
         process exits. Fine for development and tests only; PostgreSQL support lands in later \
         work. !!!"
    );
    let denylist = Arc::new(MemoryDenylist::with_clock(clock.clone()));
    if config.server.rate_limit_enabled {
        tracing::warn!(
            "rate limits are not implemented in this build yet: put a rate-limiting gateway in \
             front of authd before exposing it (RATE_LIMIT_ENABLED=false silences this warning)"
        );
    }

    let access_tokens: Arc<dyn AccessTokenCodec> = Arc::new(access_token_codec(config)?);
    let hasher = BcryptHasher::new(BcryptConfig {
        cost: config.hashing.rounds,
        workers: config.hashing.workers,
        queue_max: config.hashing.queue_max,
        pepper: config.hashing.pepper.clone(),
    })
    .map_err(StartupError::Hasher)?;
    let tokens = OpaqueTokens::new(refresh_secret(config)?).map_err(StartupError::RefreshSecret)?;

    let mailer: Arc<dyn Mailer> = Arc::new(
        FileMailer::new(
            &config.mail.dir,
            config.mail.from.clone(),
            Templates::new(
                &config.server.app_base_url,
                config.auth.verification_ttl,
                config.auth.reset_ttl,
            ),
        )
        .map_err(StartupError::Mailer)?,
    );
    tracing::info!(
        dir = %config.mail.dir.display(),
        "mail is written to files (SMTP is not supported yet); verification and reset links \
         are also logged"
    );

    let ports = Ports {
        users: store.clone(),
        sessions: store.clone(),
        one_time_tokens: store.clone(),
        outbox: store.clone(),
        audit: store,
        denylist,
        hasher: Arc::new(hasher),
        access_tokens: access_tokens.clone(),
        tokens: Arc::new(tokens),
        clock: clock.clone(),
    };
    let services = Services::new(&ports, &config.auth);
    let delivery = MailDelivery::new(
        ports.outbox.clone(),
        mailer.clone(),
        clock,
        RetryPolicy::default(),
    );
    let health = HealthProbes {
        database: Arc::new(FixedProbe(ProbeStatus::Healthy)),
        redis: Arc::new(FixedProbe(ProbeStatus::Disabled)),
        email: Arc::new(MailerProbe(mailer)),
    };
    let state = AppState::new(services, access_tokens, http_settings(config), health);
    Ok(Wired { state, delivery })
}

fn http_settings(config: &Config) -> HttpSettings {
    HttpSettings {
        public_url: config.server.public_url.clone(),
        allowed_origins: config.server.allowed_origins.clone(),
        cookie_secure: config.server.cookie_secure,
        max_body_bytes: config.server.max_body_size,
        trusted_proxies: config.server.trusted_proxies.clone(),
        ..HttpSettings::default()
    }
}

fn access_token_codec(config: &Config) -> Result<JwtCodec, StartupError> {
    let settings = JwtSettings::new(&config.jwt.issuer, &config.jwt.audience);
    match &config.jwt.signing {
        Signing::Hs256 { secret } => {
            JwtCodec::hs256(secret.expose_secret().as_bytes(), settings).map_err(StartupError::Jwt)
        }
        Signing::Rs256 { key_files } => {
            let keys = if key_files.is_empty() {
                tracing::warn!(
                    "no JWT_PRIVATE_KEY_FILE: signing access tokens with an EPHEMERAL RS256 key \
                     generated now; every token becomes invalid when this process exits"
                );
                vec![RsaSigningKey::generate_ephemeral().map_err(StartupError::KeyGeneration)?]
            } else {
                key_files
                    .iter()
                    .map(|path| {
                        let pem = std::fs::read_to_string(path).map_err(|source| {
                            StartupError::KeyFile {
                                path: path.clone(),
                                source,
                            }
                        })?;
                        RsaSigningKey::from_pem(&pem).map_err(|source| StartupError::Key {
                            path: path.clone(),
                            source,
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?
            };
            JwtCodec::rs256(keys, settings).map_err(StartupError::Jwt)
        }
    }
}

/// `JWT_REFRESH_SECRET`, or 32 random bytes: successors then change across restarts, which
/// only matters to a grace window that straddles one.
fn refresh_secret(config: &Config) -> Result<Vec<u8>, StartupError> {
    if let Some(secret) = &config.jwt.refresh_secret {
        return Ok(secret.expose_secret().as_bytes().to_vec());
    }
    let mut secret = vec![0_u8; 32];
    aws_lc_rs::rand::fill(&mut secret).map_err(|_| StartupError::Random)?;
    Ok(secret)
}

/// `email` in `/v1/health`: whether the mail transport accepts mail right now.
struct MailerProbe(Arc<dyn Mailer>);

#[async_trait]
impl Probe for MailerProbe {
    async fn status(&self) -> ProbeStatus {
        if self.0.is_healthy().await {
            ProbeStatus::Healthy
        } else {
            ProbeStatus::Unhealthy
        }
    }
}
