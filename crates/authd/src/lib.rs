//! The authd binary as a library: configuration ([`Config`]), the wiring of adapters to ports
//! (one place: `wiring`), and the running service ([`Application`]). `main.rs` is a thin command
//! line over it; the end-to-end tests start an [`Application`] on port 0. [`migrations`] applies
//! the embedded schema migrations (`authd migrate`); [`admin_cli`] makes administrators
//! (`authd admin`); [`keys_cli`] makes signing keys (`authd keys`).

pub mod admin_cli;
mod app;
mod config;
#[cfg(unix)]
pub mod descriptors;
pub mod healthcheck;
pub mod keys_cli;
mod mail_worker;
pub mod migrations;
mod periodic;
mod sweeper;
pub mod telemetry;
mod wiring;

pub use app::{Application, StartupError, StopHandle};
pub use config::{
    BootstrapAdmin, Config, ConfigError, ConfigErrors, DatabaseConfig, HashingConfig, HealthConfig,
    JwtConfig, LogConfig, LogFormat, MailConfig, MetricsConfig, RateLimitConfig, RedisConfig,
    ServerConfig, Signing, SmtpConfig, SmtpSecurity,
};
