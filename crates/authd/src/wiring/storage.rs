//! The storage ports: PostgreSQL when a database is configured, memory otherwise; and the
//! `database` probe of `/v1/health`.

use super::metrics::PoolSource;
use crate::app::StartupError;
use crate::config::DatabaseConfig;
use crate::migrations;
use async_trait::async_trait;
use authd_domain::ports::{
    AuditLog, KnownDevices, LoginAttempts, MfaRepository, OneTimeTokenRepository, Outbox,
    Retention, SessionRepository, UserDirectory, UserRepository,
};
use authd_http::{FixedProbe, Probe, ProbeStatus};
use authd_memory::MemoryStore;
use authd_postgres::{PgSettings, PostgresStore};
use secrecy::ExposeSecret;
use std::sync::Arc;

/// The storage ports, all served by one adapter, and the probe `/v1/health` asks about it.
pub(super) struct Storage {
    pub(super) users: Arc<dyn UserRepository>,
    /// The failed logins of identifiers naming no account live in the same store as the
    /// accounts' own lockout, so they hold across instances exactly as those do.
    pub(super) login_attempts: Arc<dyn LoginAttempts>,
    pub(super) sessions: Arc<dyn SessionRepository>,
    pub(super) one_time_tokens: Arc<dyn OneTimeTokenRepository>,
    pub(super) outbox: Arc<dyn Outbox>,
    pub(super) audit: Arc<dyn AuditLog>,
    pub(super) mfa: Arc<dyn MfaRepository>,
    pub(super) directory: Arc<dyn UserDirectory>,
    pub(super) known_devices: Arc<dyn KnownDevices>,
    /// The cleanup sweep's deletions.
    pub(super) retention: Arc<dyn Retention>,
    pub(super) probe: Arc<dyn Probe>,
    /// The connection pool's figures, for `/metrics` (none in memory).
    pub(super) pool: Option<PoolSource>,
}

impl Storage {
    fn of<S>(store: Arc<S>, probe: Arc<dyn Probe>) -> Self
    where
        S: UserRepository
            + LoginAttempts
            + SessionRepository
            + OneTimeTokenRepository
            + Outbox
            + AuditLog
            + MfaRepository
            + UserDirectory
            + KnownDevices
            + Retention
            + 'static,
    {
        Self {
            users: store.clone(),
            login_attempts: store.clone(),
            sessions: store.clone(),
            one_time_tokens: store.clone(),
            outbox: store.clone(),
            audit: store.clone(),
            mfa: store.clone(),
            directory: store.clone(),
            known_devices: store.clone(),
            retention: store,
            probe,
            pool: None,
        }
    }
}

/// PostgreSQL: migrate (or report pending migrations), then open the pool. Failing to reach the
/// database at start-up stops start-up: serving 503s from the first request helps nobody.
pub(super) async fn postgres(db: &DatabaseConfig) -> Result<Storage, StartupError> {
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
        tls = db.tls.as_deref().unwrap_or("off"),
        pool_max = db.pool_max,
        "storage: PostgreSQL"
    );
    let pool: PoolSource = {
        let store = store.clone();
        Arc::new(move || store.pool_stats())
    };
    Ok(Storage {
        pool: Some(pool),
        ..Storage::of(store.clone(), Arc::new(DatabaseProbe(store)))
    })
}

pub(super) fn memory() -> Storage {
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
