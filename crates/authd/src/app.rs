//! The running service: the HTTP server and the outbox worker, started together and stopped
//! together on SIGINT/SIGTERM.

use crate::config::Config;
use crate::mail_worker;
use crate::wiring;
use actix_web::dev::{Server, ServerHandle};
use authd_domain::services::MailDelivery;
use authd_resilience::AuditWriter;
use std::net::TcpListener;
use std::path::PathBuf;
use thiserror::Error;
use tokio::sync::watch;

/// Why the service could not start. Each message names what to fix.
#[derive(Debug, Error)]
pub enum StartupError {
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read JWT_PRIVATE_KEY_FILE {}: {source}", path.display())]
    KeyFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("JWT_PRIVATE_KEY_FILE {}: {source}", path.display())]
    Key {
        path: PathBuf,
        #[source]
        source: authd_crypto::KeyError,
    },
    #[error("cannot generate the ephemeral signing key: {0}")]
    KeyGeneration(#[source] authd_crypto::KeyError),
    #[error(
        "MFA_ENCRYPTION_KEY is required with PostgreSQL: TOTP secrets are sealed with it and \
         every instance needs the same key; make one with `openssl rand -base64 32` (or set \
         ENABLE_MFA=false)"
    )]
    MfaKeyMissing,
    #[error("access-token signing: {0}")]
    Jwt(#[source] authd_crypto::JwtConfigError),
    #[error("JWT_REFRESH_SECRET: {0}")]
    RefreshSecret(#[source] authd_crypto::TokenSecretError),
    #[error("password hashing: {0}")]
    Hasher(#[source] authd_crypto::HasherConfigError),
    #[error("MAIL_DIR: {0}")]
    Mailer(#[source] authd_smtp::FileMailerError),
    #[error("SMTP: {0}")]
    Smtp(#[source] authd_smtp::SmtpError),
    #[error("SMS_WEBHOOK: {0}")]
    Sms(#[source] authd_sms::SmsSetupError),
    #[error("cannot read SMTP_CA_FILE {}: {source}", path.display())]
    SmtpCaFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the system random number generator failed")]
    Random,
    #[error("cannot reach the PostgreSQL database {target}: {source}")]
    Database {
        /// host:port/database, never the URL (it holds the password).
        target: String,
        #[source]
        source: authd_postgres::PgError,
    },
    #[error("cannot reach Redis at {target}: {source}")]
    Redis {
        /// host:port/db, never the URL (it may hold the password).
        target: String,
        #[source]
        source: authd_redis::RedisError,
    },
    #[error(transparent)]
    Migrations(crate::migrations::MigrationError),
    #[error("GEOIP_DATABASE {0}")]
    GeoIp(#[source] authd_geoip::GeoIpError),
    /// `BOOTSTRAP_ADMIN_*` could not make the first admin.
    #[error("BOOTSTRAP_ADMIN_EMAIL {email}: cannot make the first admin: {reason}")]
    BootstrapAdmin { email: String, reason: String },
    /// `authd admin` without PostgreSQL.
    #[error("no database is configured")]
    NoDatabase,
    #[error("cannot start the HTTP server: {0}")]
    Server(#[source] std::io::Error),
}

/// A built service, bound to its port but not yet serving.
pub struct Application {
    port: u16,
    server: Server,
    delivery: MailDelivery,
    audit_writer: Option<AuditWriter>,
    sampler: Option<crate::wiring::Sampler>,
    sweep: Option<(authd_domain::services::CleanupSweep, std::time::Duration)>,
    poll_interval: std::time::Duration,
    mail_batch: usize,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl Application {
    /// Binds `HOST:PORT` (so `PORT=0` picks a free port, see [`Self::port`]) and builds every
    /// adapter and service.
    ///
    /// # Errors
    /// [`StartupError`] naming what failed: the address, a key file, the mail directory, ...
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        let address = format!("{}:{}", config.server.host, config.server.port);
        let listener = TcpListener::bind((config.server.host.as_str(), config.server.port))
            .map_err(|source| StartupError::Bind {
                address: address.clone(),
                source,
            })?;
        let port = listener
            .local_addr()
            .map_err(|source| StartupError::Bind { address, source })?
            .port();
        let config = config.with_bound_port(port);
        let wired = wiring::wire(&config).await?;
        let server = authd_http::serve(listener, wired.state, config.server.workers)
            .map_err(StartupError::Server)?;
        tracing::info!(
            address = %format!("{}:{port}", config.server.host),
            public_url = %config.server.public_url,
            "authd is listening"
        );
        Ok(Self {
            port,
            server,
            delivery: wired.delivery,
            audit_writer: wired.audit_writer,
            sampler: wired.sampler,
            sweep: wired.sweep,
            poll_interval: config.mail.poll_interval,
            mail_batch: mail_worker::batch_for(config.mail.smtp.as_ref().map(|s| s.timeout)),
        })
    }

    /// A handle that stops this application once it runs: in-flight requests finish, the
    /// outbox worker makes its last round and [`Self::run_until_stopped`] returns, as on SIGTERM.
    #[must_use]
    pub fn stop_handle(&self) -> StopHandle {
        StopHandle(self.server.handle())
    }

    /// The port actually bound.
    #[must_use]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGINT or SIGTERM, then finishes in-flight requests, lets the outbox worker
    /// make a last round and returns.
    ///
    /// # Errors
    /// What the HTTP server returns.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let (stop, stopped) = watch::channel(false);
        let worker = tokio::spawn(mail_worker::run(
            self.delivery,
            self.poll_interval,
            self.mail_batch,
            stopped,
        ));
        let sampler = self.sampler.map(|s| tokio::spawn(s.run(stop.subscribe())));
        let sweeper = self.sweep.map(|(sweep, every)| {
            tokio::spawn(crate::sweeper::run(sweep, every, stop.subscribe()))
        });
        let signals = tokio::spawn(stop_on_signal(self.server.handle()));
        let served = self.server.await;
        signals.abort();
        let _ = stop.send(true);
        if let Err(e) = worker.await {
            tracing::error!(error = %e, "the outbox worker panicked");
        }
        if let Some(sampler) = sampler {
            let _ = sampler.await;
        }
        if let Some(sweeper) = sweeper {
            // Not waited for: a first sweep of a large backlog may run for minutes. Every batch
            // commits on its own and the lock goes with the sweep's own connection.
            sweeper.abort();
            let _ = sweeper.await;
        }
        // Last, so that the events of the last requests are written too.
        if let Some(audit) = self.audit_writer {
            audit.stop().await;
        }
        tracing::info!("authd stopped");
        served
    }
}

/// Stops a running [`Application`] from another task (see [`Application::stop_handle`]).
#[derive(Clone)]
pub struct StopHandle(ServerHandle);

impl StopHandle {
    /// Stops gracefully and returns once the HTTP server has stopped.
    pub async fn stop(&self) {
        self.0.stop(true).await;
    }
}

impl std::fmt::Debug for StopHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StopHandle")
    }
}

/// Stops the server gracefully on the first SIGINT (Ctrl-C) or SIGTERM (orchestrators).
async fn stop_on_signal(server: ServerHandle) {
    shutdown_signal().await;
    tracing::info!("shutdown signal received: finishing in-flight requests");
    server.stop(true).await;
}

#[cfg(unix)]
async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                () = ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "cannot listen for SIGTERM; only Ctrl-C stops the server");
            ctrl_c().await;
        }
    }
}

#[cfg(not(unix))]
async fn shutdown_signal() {
    ctrl_c().await;
}

/// Ctrl-C; never resolves if the handler cannot be installed (rather than stopping at once).
async fn ctrl_c() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}
