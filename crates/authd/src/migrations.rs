//! The schema migrations embedded in the binary (the root `migrations/` directory, compiled into
//! `authd-postgres`): `authd migrate` applies them, and so does `authd serve` at start-up unless
//! `AUTO_MIGRATE=false`.

use crate::config::DatabaseConfig;
use secrecy::ExposeSecret;
use thiserror::Error;

/// The database could not be migrated. Names the target (host, port, database), never the URL.
#[derive(Debug, Error)]
#[error("cannot migrate the PostgreSQL database {target}: {source}")]
pub struct MigrationError {
    target: String,
    #[source]
    source: authd_postgres::PgError,
}

/// Applies every pending migration, oldest first, and returns their versions (empty when the
/// schema is up to date).
///
/// # Errors
/// [`MigrationError`] when PostgreSQL cannot be reached or a migration fails; the failing
/// migration's own transaction is rolled back.
pub async fn apply(db: &DatabaseConfig) -> Result<Vec<String>, MigrationError> {
    authd_postgres::run_migrations(db.url().expose_secret())
        .await
        .map_err(|source| MigrationError {
            target: db.target(),
            source,
        })
}

/// The migrations this binary holds that the database has not applied yet.
///
/// # Errors
/// [`MigrationError`] when PostgreSQL cannot be reached.
pub async fn pending(db: &DatabaseConfig) -> Result<Vec<String>, MigrationError> {
    authd_postgres::pending_migrations(db.url().expose_secret())
        .await
        .map_err(|source| MigrationError {
            target: db.target(),
            source,
        })
}

/// What `authd serve` does about migrations before it opens the pool.
pub(crate) async fn at_start_up(db: &DatabaseConfig) -> Result<(), MigrationError> {
    if db.auto_migrate {
        let applied = apply(db).await?;
        if applied.is_empty() {
            tracing::info!("database schema is up to date");
        } else {
            tracing::info!(migrations = ?applied, "applied {} pending migration(s)", applied.len());
        }
        return Ok(());
    }
    // Serving on an old schema fails request by request; say why once, up front.
    match pending(db).await {
        Ok(waiting) if waiting.is_empty() => {}
        Ok(waiting) => tracing::warn!(
            migrations = ?waiting,
            "AUTO_MIGRATE=false and {} migration(s) are pending: run `authd migrate`",
            waiting.len()
        ),
        Err(e) => tracing::warn!(error = %e, "cannot tell whether migrations are pending"),
    }
    Ok(())
}
