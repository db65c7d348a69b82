//! The one place that knows which adapter serves which port. Everything else talks to ports.
//!
//! Storage is PostgreSQL when a database is configured, in memory otherwise. The access-token
//! denylist stays in memory until the Redis adapter lands, so a single instance is assumed: a
//! token revoked on one instance would still pass on another. Passwords use bcrypt and tokens
//! JWT from `authd-crypto`, time the system clock, mail the file transport.

use crate::app::StartupError;
use crate::config::{Config, DatabaseConfig, Signing};
use crate::migrations;
use async_trait::async_trait;
use authd_clock::SystemClock;
use authd_crypto::{
    BcryptConfig, BcryptHasher, JwtCodec, JwtSettings, OpaqueTokens, RsaSigningKey,
};
use authd_domain::policy::backoff::RetryPolicy;
use authd_domain::ports::{
    AccessTokenCodec, AuditLog, Clock, Mailer, OneTimeTokenRepository, Outbox, SessionRepository,
    UserRepository,
};
use authd_domain::services::{MailDelivery, Ports, Services};
use authd_http::{AppState, FixedProbe, HealthProbes, HttpSettings, Probe, ProbeStatus};
use authd_memory::{MemoryDenylist, MemoryStore};
use authd_postgres::{PgSettings, PostgresStore};
use authd_smtp::{FileMailer, Templates};
use secrecy::ExposeSecret;
use std::sync::Arc;

/// What the running service is made of.
pub(crate) struct Wired {
    pub(crate) state: AppState,
    pub(crate) delivery: MailDelivery,
}

/// The storage ports, all served by one adapter, and the probe `/v1/health` asks about it.
struct Storage {
    users: Arc<dyn UserRepository>,
    sessions: Arc<dyn SessionRepository>,
    one_time_tokens: Arc<dyn OneTimeTokenRepository>,
    outbox: Arc<dyn Outbox>,
    audit: Arc<dyn AuditLog>,
    probe: Arc<dyn Probe>,
}

impl Storage {
    fn of<S>(store: Arc<S>, probe: Arc<dyn Probe>) -> Self
    where
        S: UserRepository
            + SessionRepository
            + OneTimeTokenRepository
            + Outbox
            + AuditLog
            + 'static,
    {
        Self {
            users: store.clone(),
            sessions: store.clone(),
            one_time_tokens: store.clone(),
            outbox: store.clone(),
            audit: store,
            probe,
        }
    }
}

/// Builds every adapter and service from `config` (whose port is the one actually bound).
pub(crate) async fn wire(config: &Config) -> Result<Wired, StartupError> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let storage = match &config.database {
        Some(db) => postgres(db).await?,
        None => memory(),
    };
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
        users: storage.users,
        sessions: storage.sessions,
        one_time_tokens: storage.one_time_tokens,
        outbox: storage.outbox,
        audit: storage.audit,
        denylist,
        hasher: Arc::new(hasher),
        access_tokens: access_tokens.clone(),
        tokens: Arc::new(tokens),
        clock: clock.clone(),
    };
    let services = Services::new(&ports, &config.auth);
    let delivery = MailDelivery::new(&ports, mailer.clone(), &config.auth, RetryPolicy::default());
    let health = HealthProbes {
        database: storage.probe,
        redis: Arc::new(FixedProbe(ProbeStatus::Disabled)),
        email: Arc::new(MailerProbe(mailer)),
    };
    let state = AppState::new(services, access_tokens, http_settings(config), health);
    Ok(Wired { state, delivery })
}

/// PostgreSQL: migrate (or report pending migrations), then open the pool. Failing to reach the
/// database at start-up stops start-up: serving 503s from the first request helps nobody.
async fn postgres(db: &DatabaseConfig) -> Result<Storage, StartupError> {
    migrations::at_start_up(db)
        .await
        .map_err(StartupError::Migrations)?;
    let settings = PgSettings {
        url: db.url().expose_secret().to_owned(),
        pool_min: db.pool_min,
        pool_max: db.pool_max,
        connect_timeout: db.connect_timeout,
        statement_timeout: db.statement_timeout,
    };
    let store =
        PostgresStore::connect(&settings)
            .await
            .map_err(|source| StartupError::Database {
                target: db.target(),
                source,
            })?;
    let store = Arc::new(store);
    tracing::info!(
        database = %db.target(),
        pool_max = db.pool_max,
        "storage: PostgreSQL"
    );
    tracing::warn!(
        "the access-token denylist is in memory until Redis support lands: run a single \
         instance (a token revoked on one instance would pass on another)"
    );
    Ok(Storage::of(store.clone(), Arc::new(DatabaseProbe(store))))
}

fn memory() -> Storage {
    tracing::warn!(
        "!!! STORAGE IS IN MEMORY: every account, session and queued email is LOST when this \
         process exits. Fine for development and tests only; set DATABASE_URL (or DB_HOST, \
         DB_NAME, DB_USER, DB_PASSWORD) to store them in PostgreSQL. !!!"
    );
    Storage::of(
        Arc::new(MemoryStore::new()),
        Arc::new(FixedProbe(ProbeStatus::Healthy)),
    )
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

/// `database` in `/v1/health`: whether PostgreSQL answers a trivial query right now.
struct DatabaseProbe(Arc<PostgresStore>);

#[async_trait]
impl Probe for DatabaseProbe {
    async fn status(&self) -> ProbeStatus {
        if self.0.ping().await {
            ProbeStatus::Healthy
        } else {
            ProbeStatus::Unhealthy
        }
    }
}
