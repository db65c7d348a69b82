//! The schema migrations of `migrations/` at the repository root, embedded in the binary.
//!
//! Diesel's migration harness is synchronous, so it runs on a blocking thread over an
//! [`AsyncConnectionWrapper`] (still tokio-postgres, no libpq). A session advisory lock makes
//! instances that start together apply migrations one at a time.

use crate::error::{PgError, Redactor};
use crate::store::{establish, setup_error};
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use std::time::Duration;

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations");

/// Connecting for a migration gives up after this long.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// An arbitrary key, the same in every authd instance, for `pg_advisory_lock`.
const MIGRATION_LOCK: i64 = 0x6175_7468_645f_6d67; // "authd_mg"

type Wrapper = AsyncConnectionWrapper<AsyncPgConnection>;

/// Applies every pending migration, in order; returns the versions applied.
///
/// # Errors
/// [`PgError::Connect`] / [`PgError::ConnectTimeout`] when the database is out of reach,
/// [`PgError::Migration`] when a migration fails (it is rolled back).
pub async fn run_migrations(url: &str) -> Result<Vec<String>, PgError> {
    with_harness(url, |h| {
        h.run_pending_migrations(MIGRATIONS)
            .map(|versions| versions.iter().map(ToString::to_string).collect())
    })
    .await
}

/// Reverts every applied migration, newest first (tests of the `down.sql` files).
///
/// # Errors
/// As [`run_migrations`].
pub async fn revert_all_migrations(url: &str) -> Result<(), PgError> {
    with_harness(url, |h| h.revert_all_migrations(MIGRATIONS).map(|_| ())).await
}

/// The versions of the embedded migrations not yet applied, oldest first.
///
/// # Errors
/// As [`run_migrations`].
pub async fn pending_migrations(url: &str) -> Result<Vec<String>, PgError> {
    with_harness(url, |h| {
        h.pending_migrations(MIGRATIONS).map(|pending| {
            pending
                .iter()
                .map(|m| m.name().version().to_string())
                .collect()
        })
    })
    .await
}

type HarnessResult<T> = diesel::migration::Result<T>;

/// Runs `work` on a connection of its own, under the migration lock, on a blocking thread.
async fn with_harness<T, F>(url: &str, work: F) -> Result<T, PgError>
where
    F: FnOnce(&mut Wrapper) -> HarnessResult<T> + Send + 'static,
    T: Send + 'static,
{
    let redactor = Redactor::for_url(url);
    let mut conn = establish(url, CONNECT_TIMEOUT, None)
        .await
        .map_err(|e| setup_error(&e, CONNECT_TIMEOUT, &redactor))?;
    // Released when the connection closes at the end of this function.
    diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))
        .execute(&mut conn)
        .await
        .map_err(|e| PgError::Migration(redactor.clean(e)))?;
    let outcome = tokio::task::spawn_blocking(move || {
        let mut wrapper = Wrapper::from(conn);
        work(&mut wrapper)
    })
    .await;
    match outcome {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(PgError::Migration(redactor.clean(e))),
        Err(join) => Err(PgError::Migration(format!("migration task failed: {join}"))),
    }
}
