//! The running service: the HTTP server and the background tasks (outbox worker, metrics
//! sampler, cleanup sweep, audit writer), started together and stopped together on
//! SIGINT/SIGTERM (how a signal stops the server: [`shutdown`]).

mod shutdown;

use crate::config::{Config, ShutdownConfig};
use crate::mail_worker;
use crate::wiring;
use actix_web::dev::{Server, ServerHandle};
use authd_domain::services::MailDelivery;
use authd_http::Draining;
use authd_resilience::AuditWriter;
use std::net::TcpListener;
use std::path::PathBuf;
use std::time::Duration;
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
    shutdown: ShutdownConfig,
    draining: Draining,
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
        let draining = wired.state.draining.clone();
        let server = authd_http::serve(
            listener,
            wired.state,
            config.server.workers,
            config.shutdown.grace,
        )
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
            shutdown: config.shutdown,
            draining,
        })
    }

    /// A handle that stops this application once it runs: readiness turns off, in-flight
    /// requests finish, the outbox worker makes its last round and [`Self::run_until_stopped`]
    /// returns, as on SIGTERM but without the drain delay.
    #[must_use]
    pub fn stop_handle(&self) -> StopHandle {
        StopHandle {
            server: self.server.handle(),
            draining: self.draining.clone(),
        }
    }

    /// The port actually bound.
    #[must_use]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGINT or SIGTERM, then stops as [`shutdown`] describes: readiness off,
    /// the drain, in-flight requests finished within `SHUTDOWN_GRACE`; then the outbox worker's
    /// last rounds (within [`OUTBOX_STOP_LIMIT`]), the audit writer's flush and the end of a
    /// sweep in progress (each within [`FINAL_WORK_LIMIT`]), together.
    ///
    /// # Errors
    /// What the HTTP server returns.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let (stop, stopped) = watch::channel(false);
        // The sweep is told as soon as a signal comes: it has the drain and the grace to end.
        let (stopping, sweep_stopped) = watch::channel(false);
        let worker = tokio::spawn(mail_worker::run(
            self.delivery,
            self.poll_interval,
            self.mail_batch,
            stopped,
        ));
        let sampler = self.sampler.map(|s| tokio::spawn(s.run(stop.subscribe())));
        let sweeper = self
            .sweep
            .map(|(sweep, every)| tokio::spawn(crate::sweeper::run(sweep, every, sweep_stopped)));
        let signals = tokio::spawn(shutdown::on_signal(
            self.server.handle(),
            self.draining,
            self.shutdown.drain,
            stopping,
        ));
        let served = self.server.await;
        // Dropping its sender also tells the sweep, when the server was stopped by a handle.
        signals.abort();
        let _ = stop.send(true);
        // Bounded: a batch already sending when the stop came may wait on a slow SMTP server
        // for up to half its lease, and the process must exit inside the orchestrator's grace
        // period. A batch cut off stays leased and is sent again after its lease (at least once).
        let outbox = async {
            let abort = worker.abort_handle();
            match tokio::time::timeout(OUTBOX_STOP_LIMIT, worker).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::error!(error = %e, "the outbox worker panicked"),
                Err(_) => {
                    abort.abort();
                    tracing::warn!(
                        "the outbox worker was still sending at the stop; its batch is sent again \
                         after its lease"
                    );
                }
            }
        };
        // The requests are over, so the events of the last ones are queued by now.
        let audit = async {
            if let Some(audit) = self.audit_writer {
                audit.stop().await;
            }
        };
        let sweep = async {
            if let Some(sweeper) = sweeper {
                crate::sweeper::finish(sweeper, FINAL_WORK_LIMIT).await;
            }
        };
        tokio::join!(outbox, audit, sweep);
        if let Some(sampler) = sampler {
            let _ = sampler.await;
        }
        tracing::info!("authd stopped");
        served
    }
}

/// How long the work after the last request (the outbox's last round, the audit flush, the end
/// of a sweep) may hold the exit up, each; they run together.
/// How long the outbox worker may go on after the server stopped: its last rounds (5 s) and a
/// batch already under way.
const OUTBOX_STOP_LIMIT: Duration = Duration::from_secs(10);

const FINAL_WORK_LIMIT: Duration = Duration::from_secs(5);

/// Stops a running [`Application`] from another task (see [`Application::stop_handle`]).
#[derive(Clone)]
pub struct StopHandle {
    server: ServerHandle,
    draining: Draining,
}

impl StopHandle {
    /// Stops gracefully and returns once the HTTP server has stopped.
    pub async fn stop(&self) {
        self.draining.start();
        self.server.stop(true).await;
    }
}

impl std::fmt::Debug for StopHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StopHandle")
    }
}
