//! Configuration from the environment (the Perfect21 doc's variable names, and the CheckInn
//! doc's where they mean the same) and an optional `.env`. Every variable is parsed, every problem collected, and start-up fails with one line per
//! problem. Secrets are held in `secrecy` types, so `Debug` output never shows them.
//!
//! The full reference is `docs/configuration.md`.

mod admin;
mod api;
mod database;
mod limits;
mod load;
mod metrics;
mod mfa;
mod pages;
mod reader;
mod redis;
mod shutdown;
mod sms;
mod smtp;
mod sweep;
mod values;

pub use admin::BootstrapAdmin;
pub use api::ApiConfig;
pub use authd_smtp::SmtpSecurity;
pub use database::DatabaseConfig;
pub use limits::{HealthConfig, RateLimitConfig};
pub use metrics::MetricsConfig;
pub use mfa::MfaConfig;
pub use pages::BuiltinPages;
pub use redis::RedisConfig;
pub use shutdown::ShutdownConfig;
pub use sms::SmsConfig;
pub use smtp::SmtpConfig;
pub use sweep::SweepConfig;

use authd_domain::policy::backoff::RetryPolicy;
use authd_domain::services::AuthSettings;
use authd_smtp::Sender;
use ipnet::IpNet;
use secrecy::SecretString;
use std::fmt;
use std::path::PathBuf;

/// Everything the binary needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    pub server: ServerConfig,
    pub jwt: JwtConfig,
    /// The knobs of the use cases (lifetimes, lockout, password policy, sessions).
    pub auth: AuthSettings,
    pub hashing: HashingConfig,
    pub mail: MailConfig,
    pub log: LogConfig,
    /// PostgreSQL storage; `None` (no `DATABASE_URL` nor `DB_HOST`) means in memory.
    pub database: Option<DatabaseConfig>,
    /// The shared denylist and rate limits; `None` (no `REDIS_URL` nor `REDIS_HOST`) means in
    /// memory, per instance.
    pub redis: Option<RedisConfig>,
    pub rate_limits: RateLimitConfig,
    pub health: HealthConfig,
    pub metrics: MetricsConfig,
    pub mfa: MfaConfig,
    /// Text messages to a webhook; `None` (no `SMS_WEBHOOK_URL`) means no SMS can be sent.
    /// Not used by any flow yet.
    pub sms: Option<SmsConfig>,
    /// `BOOTSTRAP_ADMIN_*`: the first admin, made at start-up when no admin exists.
    pub bootstrap_admin: Option<BootstrapAdmin>,
    /// `GEOIP_DATABASE`: a MaxMind DB file placing sessions' addresses; `None`: no places.
    pub geoip_database: Option<PathBuf>,
    /// The cleanup sweep of PostgreSQL (`SWEEP_INTERVAL`, `*_RETENTION`).
    pub sweep: SweepConfig,
    /// The dialects served, the CheckInn cookie, token introspection (`API_DIALECTS`, ...).
    pub api: ApiConfig,
    /// How SIGTERM stops the service (`SHUTDOWN_DRAIN_DELAY`, `SHUTDOWN_GRACE`).
    pub shutdown: ShutdownConfig,
}

#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// `HOST`: the address to bind (127.0.0.1).
    pub host: String,
    /// `PORT` (3000); 0 picks a free port.
    pub port: u16,
    /// `PUBLIC_URL`: the service's own origin (`http://HOST:PORT`), without a trailing slash.
    pub public_url: String,
    /// `APP_BASE_URL`: where the frontend lives; email links point there (`PUBLIC_URL`).
    pub app_base_url: String,
    /// `ALLOWED_ORIGINS`: browser origins for CORS and the CSRF check.
    pub allowed_origins: Vec<String>,
    /// `COOKIE_SECURE`: true iff `APP_BASE_URL` is `https://` unless set.
    pub cookie_secure: bool,
    /// `MAX_BODY_SIZE` in bytes (65536).
    pub max_body_size: usize,
    /// `CLIENT_BODY_TIMEOUT` (10s): how long after its head a request body may take to arrive.
    pub client_body_timeout: std::time::Duration,
    /// `MAX_CONNECTIONS_PER_IP` (64): open connections per client address; 0 is no cap.
    pub max_connections_per_ip: usize,
    /// `TRUSTED_PROXIES`: peers allowed to set `X-Forwarded-For`.
    pub trusted_proxies: Vec<IpNet>,
    /// `WORKERS`: actix worker threads (one per core).
    pub workers: usize,
    /// `ADMIN_ALLOWED_IPS`: the networks that may reach `/v1/admin/*`; `None`: any.
    pub admin_allowed_ips: Option<Vec<IpNet>>,
    /// `BUILTIN_PAGES` (auto): the pages of the mailed links; see
    /// [`ServerConfig::serves_builtin_pages`].
    pub builtin_pages: BuiltinPages,
    /// Whether `PUBLIC_URL` / `APP_BASE_URL` were derived from `HOST:PORT`; then they follow the
    /// port actually bound (`PORT=0`).
    pub(crate) public_url_derived: bool,
    pub(crate) app_base_url_derived: bool,
}

#[derive(Debug, Clone)]
pub struct JwtConfig {
    pub signing: Signing,
    /// `JWT_ISSUER` ("authd").
    pub issuer: String,
    /// `JWT_AUDIENCE` ("authd").
    pub audience: String,
    /// `JWT_REFRESH_SECRET`: keys the refresh-token successor HMAC; random at start-up when unset.
    pub refresh_secret: Option<SecretString>,
    /// `JWT_VERIFIED_CACHE` (4096): verified access tokens remembered, so that presenting one
    /// again skips the signature check; 0 verifies every request's token in full.
    pub verified_cache: usize,
}

/// How access tokens are signed (`JWT_ALGORITHM`).
#[derive(Debug, Clone)]
pub enum Signing {
    /// RS256 with the PEM files of `JWT_PRIVATE_KEY_FILE` (the first signs); none means an
    /// ephemeral key generated at start-up.
    Rs256 { key_files: Vec<PathBuf> },
    /// HS256 with `JWT_ACCESS_SECRET` (or its CheckInn name, `JWT_SECRET`).
    Hs256 { secret: SecretString },
}

#[derive(Debug, Clone)]
pub struct HashingConfig {
    /// `BCRYPT_ROUNDS` (12).
    pub rounds: u32,
    /// `HASH_WORKERS`: hashing threads (one per core).
    pub workers: usize,
    /// `HASH_QUEUE_MAX` (64): waiting jobs beyond this answer 503 `SERVICE_BUSY`.
    pub queue_max: usize,
    /// `PASSWORD_PEPPER`: keys the pre-hash of passwords over 72 bytes.
    pub pepper: Option<SecretString>,
}

#[derive(Debug, Clone)]
pub struct MailConfig {
    /// `MAIL_DIR` (./var/mail): where the file transport writes `.eml` files.
    pub dir: PathBuf,
    /// `SMTP_FROM` ("authd <no-reply@localhost>").
    pub from: Sender,
    /// `OUTBOX_POLL_INTERVAL_MS` (1000).
    pub poll_interval: std::time::Duration,
    /// `OUTBOX_RETRY_DELAY` (5s) doubling up to `OUTBOX_RETRY_MAX_DELAY` (1h), at most
    /// `OUTBOX_MAX_ATTEMPTS` (20) attempts.
    pub retry: RetryPolicy,
    /// SMTP delivery; `None` (no `SMTP_HOST`) means `.eml` files under `dir`.
    pub smtp: Option<SmtpConfig>,
}

#[derive(Debug, Clone)]
pub struct LogConfig {
    /// `LOG_LEVEL` (info): a level or a `tracing` filter directive; `RUST_LOG` wins when set.
    pub level: String,
    /// `LOG_FORMAT` (pretty).
    pub format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

impl Config {
    /// Loads `.env` from the working directory if there is one (without overriding variables
    /// already set), then reads the process environment.
    ///
    /// # Errors
    /// Every problem found, including a malformed `.env`.
    pub fn from_env() -> Result<Self, ConfigErrors> {
        let dotenv_problem = match dotenvy::dotenv() {
            Err(e) if !e.not_found() => Some(ConfigError {
                variable: ".env",
                message: e.to_string(),
            }),
            _ => None,
        };
        let vars = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)));
        match (Self::from_vars(vars), dotenv_problem) {
            (Ok(config), None) => Ok(config),
            (Ok(_), Some(problem)) => Err(ConfigErrors(vec![problem])),
            (Err(mut errors), Some(problem)) => {
                errors.0.insert(0, problem);
                Err(errors)
            }
            (Err(errors), None) => Err(errors),
        }
    }

    /// Reads only `vars`: no `.env`, no process environment.
    ///
    /// # Errors
    /// Every problem found, one [`ConfigError`] each.
    pub fn from_vars(
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigErrors> {
        load::load(reader::Reader::new(vars))
    }

    /// The configuration with `port` as the bound port: derived URLs follow it.
    pub(crate) fn with_bound_port(mut self, port: u16) -> Self {
        let server = &mut self.server;
        server.port = port;
        if server.public_url_derived {
            server.public_url = values::url_of(&server.host, port);
        }
        if server.app_base_url_derived {
            server.app_base_url = server.public_url.clone();
        }
        self
    }
}

/// One problem with one variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub variable: &'static str,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.variable, self.message)
    }
}

/// Every problem found; displays one line per problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl ConfigErrors {
    pub fn iter(&self) -> impl Iterator<Item = &ConfigError> {
        self.0.iter()
    }

    /// Whether one of the problems concerns `variable`.
    #[cfg(test)]
    #[must_use]
    pub(crate) fn mentions(&self, variable: &str) -> bool {
        self.0.iter().any(|e| e.variable == variable)
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

#[cfg(test)]
mod tests;
