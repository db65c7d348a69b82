//! Why a benchmark run stopped before it could write a report.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum BenchError {
    /// Something the run needs could not be prepared (a build, a server, seed data).
    #[error("{0}")]
    Setup(String),
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    /// goose refused the configuration or stopped.
    #[error("the load generator failed: {0}")]
    Load(String),
    #[error("HTTP during setup: {0}")]
    Http(#[from] goose_reqwest::Error),
    #[error("seeding PostgreSQL: {0}")]
    Postgres(#[from] tokio_postgres::Error),
}

impl BenchError {
    pub fn setup(message: impl Into<String>) -> Self {
        Self::Setup(message.into())
    }

    pub fn io(path: impl AsRef<std::path::Path>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.as_ref().display().to_string();
        move |source| Self::Io { path, source }
    }
}
