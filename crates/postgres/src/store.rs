//! [`PostgresStore`]: the pooled connection every port goes through.
//!
//! Connections come from a bb8 pool of diesel-async [`AsyncPgConnection`]s (tokio-postgres
//! underneath, so no libpq). Every new connection is established within the connect timeout
//! and gets the statement timeout, so a slow query fails instead of holding a request, and
//! every unit of work is bounded as a whole as well, so a dead network fails it too.

use crate::error::{DbFailure, PgError, Redactor, pool_error};
use authd_domain::error::PortError;
use authd_domain::telemetry::PoolStats;
use diesel::ConnectionError;
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, PoolError, PoolableConnection, RecyclingMethod,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

pub(crate) type Pool = bb8::Pool<AsyncDieselConnectionManager<AsyncPgConnection>>;
pub(crate) type Conn<'a> =
    bb8::PooledConnection<'a, AsyncDieselConnectionManager<AsyncPgConnection>>;

/// How long `/v1/health` waits for the database.
const PING_TIMEOUT: Duration = Duration::from_secs(2);

/// How to reach PostgreSQL.
#[derive(Clone)]
pub struct PgSettings {
    /// `postgres://user:password@host:port/database`. Never logged.
    pub url: String,
    /// Connections kept open even when idle (`DB_POOL_MIN`).
    pub pool_min: u32,
    /// At most this many connections (`DB_POOL_MAX`).
    pub pool_max: u32,
    /// Establishing one connection, and waiting for a free one, gives up after this long.
    pub connect_timeout: Duration,
    /// The server cancels any statement running longer (`SET statement_timeout`).
    pub statement_timeout: Duration,
}

impl fmt::Debug for PgSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgSettings")
            .field("url", &"<redacted>")
            .field("pool_min", &self.pool_min)
            .field("pool_max", &self.pool_max)
            .field("connect_timeout", &self.connect_timeout)
            .field("statement_timeout", &self.statement_timeout)
            .finish()
    }
}

/// Every storage port over PostgreSQL. Share one instance (`Arc<PostgresStore>`) as all seven.
#[derive(Clone)]
pub struct PostgresStore {
    pool: Pool,
    /// The longest one unit of work may take, waiting for a connection included.
    op_timeout: Duration,
    /// Failures to reach the database (no connection, a timeout), for metrics; shared by clones.
    errors: Arc<AtomicU64>,
    /// Requests waiting for a connection now, for metrics; shared by clones. Counted here and
    /// not from bb8's statistics: a wait abandoned midway (its request dropped) never counts as
    /// finished there, so the difference would only grow.
    waiting: Arc<AtomicU64>,
    pool_max: u32,
}

impl fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.pool.state();
        f.debug_struct("PostgresStore")
            .field("connections", &state.connections)
            .field("idle_connections", &state.idle_connections)
            .finish_non_exhaustive()
    }
}

/// The check of a pooled connection before each use. The default (`SELECT 1` on every
/// checkout) doubles the round trips of a one-query request such as `GET /v1/users/me`; a
/// connection whose socket the server closed, or whose transaction broke, is known without
/// asking the server, and one that dies between this check and its query fails that query,
/// which answers 503 and drops the connection.
fn reusable(
    conn: &mut AsyncPgConnection,
) -> futures_util::future::BoxFuture<'_, diesel::QueryResult<()>> {
    let result = if conn.is_broken() {
        Err(diesel::result::Error::BrokenTransactionManager)
    } else {
        Ok(())
    };
    Box::pin(std::future::ready(result))
}

impl PostgresStore {
    /// Connects and builds the pool: one connection is made at once (so a wrong URL, password
    /// or database is reported here, with the server's reason), then the pool opens up to
    /// `pool_min` more.
    ///
    /// # Errors
    /// [`PgError::InvalidSettings`] for `pool_max == 0`, [`PgError::ConnectTimeout`] when the
    /// server does not answer in time, [`PgError::Connect`] when it refuses.
    pub async fn connect(settings: &PgSettings) -> Result<Self, PgError> {
        if settings.pool_max == 0 {
            return Err(PgError::InvalidSettings("DB_POOL_MAX must be at least 1"));
        }
        let redactor = Redactor::for_url(&settings.url);
        let connect_timeout = settings.connect_timeout;
        let statement_timeout = settings.statement_timeout;

        let first = establish(&settings.url, connect_timeout, Some(statement_timeout))
            .await
            .map_err(|e| setup_error(&e, connect_timeout, &redactor))?;

        let errors = Arc::new(AtomicU64::new(0));
        let mut config = ManagerConfig::<AsyncPgConnection>::default();
        config.recycling_method = RecyclingMethod::CustomFunction(Box::new(reusable));
        config.custom_setup = Box::new(move |url| {
            Box::pin(establish_owned(
                url.to_owned(),
                connect_timeout,
                statement_timeout,
            ))
        });
        let manager = AsyncDieselConnectionManager::new_with_config(settings.url.clone(), config);
        let build = bb8::Pool::builder()
            .max_size(settings.pool_max)
            .min_idle(Some(settings.pool_min.min(settings.pool_max)))
            .connection_timeout(connect_timeout)
            .error_sink(Box::new(LogSink(redactor.clone(), errors.clone())))
            .build(manager);
        // `build` waits for `pool_min` connections, each bounded by the connect timeout; the
        // outer bound keeps a server that accepts and then stalls from hanging start-up.
        let pool = match tokio::time::timeout(connect_timeout.saturating_mul(2), build).await {
            Ok(Ok(pool)) => pool,
            Ok(Err(e)) => return Err(PgError::Connect(redactor.clean(e))),
            Err(_) => return Err(PgError::ConnectTimeout(connect_timeout)),
        };
        // A full pool has no room for it; then it is simply closed.
        let _ = pool.add(first);
        Ok(Self {
            pool,
            errors,
            waiting: Arc::default(),
            pool_max: settings.pool_max,
            op_timeout: connect_timeout
                .saturating_add(statement_timeout.saturating_mul(2))
                .max(Duration::from_secs(1)),
        })
    }

    /// Whether the database answers `SELECT 1` within two seconds (for `/v1/health`).
    pub async fn ping(&self) -> bool {
        let check = async {
            let mut conn = self.pool.get().await.ok()?;
            diesel::sql_query("SELECT 1").execute(&mut *conn).await.ok()
        };
        matches!(tokio::time::timeout(PING_TIMEOUT, check).await, Ok(Some(_)))
    }

    /// The pool as metrics show it.
    #[must_use]
    pub fn pool_stats(&self) -> PoolStats {
        let state = self.pool.state();
        let open = u64::from(state.connections);
        let stats = &state.statistics;
        PoolStats {
            max: u64::from(self.pool_max),
            open,
            in_use: open.saturating_sub(u64::from(state.idle_connections)),
            waiting: AtomicU64::load(&self.waiting, Ordering::Relaxed),
            waits_total: Some(stats.get_waited),
            errors_total: AtomicU64::load(&self.errors, Ordering::Relaxed),
        }
    }

    /// A pooled connection.
    pub(crate) async fn conn(&self) -> Result<Conn<'_>, PortError> {
        let _waiting = Waiting::enter(&self.waiting);
        // Counted by `bounded`, which every unit of work runs in.
        self.pool.get().await.map_err(|e| pool_error(&e))
    }

    /// A connection of its own, outside the pool, set up as the pooled ones are: closing it
    /// ends its session, and with it any session-level advisory lock it holds, whatever
    /// interrupted its holder.
    pub(crate) async fn dedicated(&self) -> Result<AsyncPgConnection, PortError> {
        self.pool.dedicated_connection().await.map_err(|e| {
            self.errors.fetch_add(1, Ordering::Relaxed);
            PortError::unavailable(DbFailure::new(format!("no database connection: {e}")))
        })
    }

    /// Runs one unit of work, failing it as unavailable when it takes too long. A transaction
    /// cut short leaves its connection marked broken, and the pool drops it. Every failure to
    /// reach the database (no connection, a broken one, a timeout) is counted for metrics.
    pub(crate) async fn bounded<T, E>(
        &self,
        work: impl Future<Output = Result<T, E>>,
    ) -> Result<T, E>
    where
        E: From<PortError> + Unreachable,
    {
        match tokio::time::timeout(self.op_timeout, work).await {
            Ok(Err(e)) => {
                if e.unreachable() {
                    self.errors.fetch_add(1, Ordering::Relaxed);
                }
                Err(e)
            }
            Ok(ok) => ok,
            Err(_) => {
                self.errors.fetch_add(1, Ordering::Relaxed);
                Err(PortError::unavailable(DbFailure::new(format!(
                    "database operation timed out after {:?}",
                    self.op_timeout
                )))
                .into())
            }
        }
    }
}

/// One connection within `connect_timeout`, with the statement timeout when given.
pub(crate) async fn establish(
    url: &str,
    connect_timeout: Duration,
    statement_timeout: Option<Duration>,
) -> Result<AsyncPgConnection, ConnectionError> {
    // tokio-postgres directly rather than `AsyncPgConnection::establish`, which keeps only the
    // outer message ("error connecting to server") and drops the reason.
    let target = crate::tls::target(url).map_err(ConnectionError::BadConnection)?;
    let connecting = async {
        let failed = |e: tokio_postgres::Error| ConnectionError::BadConnection(with_causes(&e));
        match &target.tls {
            None => {
                let (client, connection) =
                    tokio_postgres::connect(&target.url, tokio_postgres::NoTls)
                        .await
                        .map_err(failed)?;
                AsyncPgConnection::try_from_client_and_connection(client, connection).await
            }
            Some((mode, root)) => {
                let tls = crate::tls::connector(*mode, root.as_deref())
                    .map_err(ConnectionError::BadConnection)?;
                let (client, connection) = tokio_postgres::connect(&target.url, tls)
                    .await
                    .map_err(failed)?;
                AsyncPgConnection::try_from_client_and_connection(client, connection).await
            }
        }
    };
    let mut conn = tokio::time::timeout(connect_timeout, connecting)
        .await
        .map_err(|_| ConnectionError::BadConnection(TIMED_OUT.to_owned()))??;
    if let Some(timeout) = statement_timeout {
        // An integer: milliseconds. Zero would mean "no limit", so at least one.
        let ms = timeout.as_millis().clamp(1, i32::MAX as u128);
        diesel::sql_query(format!("SET statement_timeout = {ms}"))
            .execute(&mut conn)
            .await
            .map_err(ConnectionError::CouldntSetupConfiguration)?;
    }
    Ok(conn)
}

async fn establish_owned(
    url: String,
    connect_timeout: Duration,
    statement_timeout: Duration,
) -> Result<AsyncPgConnection, ConnectionError> {
    establish(&url, connect_timeout, Some(statement_timeout)).await
}

const TIMED_OUT: &str = "connect timeout";

/// An error and its chain of causes, on one line.
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut message = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        message.push_str(": ");
        message.push_str(&c.to_string());
        cause = c.source();
    }
    message
}

pub(crate) fn setup_error(e: &ConnectionError, timeout: Duration, redactor: &Redactor) -> PgError {
    match e {
        ConnectionError::BadConnection(m) if m == TIMED_OUT => PgError::ConnectTimeout(timeout),
        other => PgError::Connect(redactor.clean(other)),
    }
}

/// Logs the pool's background connection failures (they have no caller to return to).
#[derive(Debug, Clone)]
struct LogSink(Redactor, Arc<AtomicU64>);

impl bb8::ErrorSink<PoolError> for LogSink {
    fn sink(&self, error: PoolError) {
        self.1.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(error = %self.0.clean(error), "PostgreSQL pool could not open a connection");
    }

    fn boxed_clone(&self) -> Box<dyn bb8::ErrorSink<PoolError>> {
        Box::new(self.clone())
    }
}

/// One request waiting for a connection, from the call to `get` until it returns or is dropped.
struct Waiting<'a>(&'a AtomicU64);

impl<'a> Waiting<'a> {
    fn enter(count: &'a AtomicU64) -> Self {
        count.fetch_add(1, Ordering::Relaxed);
        Self(count)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// An error that says whether the database could not be reached, for the error count.
pub(crate) trait Unreachable {
    fn unreachable(&self) -> bool;
}

impl Unreachable for PortError {
    fn unreachable(&self) -> bool {
        matches!(self, PortError::Unavailable(_))
    }
}

impl Unreachable for authd_domain::ports::CreateUserError {
    fn unreachable(&self) -> bool {
        matches!(self, Self::Port(e) if e.unreachable())
    }
}

impl Unreachable for authd_domain::ports::ChangePasswordStoreError {
    fn unreachable(&self) -> bool {
        matches!(self, Self::Port(e) if e.unreachable())
    }
}

impl Unreachable for authd_domain::ports::CreateSessionError {
    fn unreachable(&self) -> bool {
        matches!(self, Self::Port(e) if e.unreachable())
    }
}

impl Unreachable for authd_domain::ports::BeginSetupError {
    fn unreachable(&self) -> bool {
        matches!(self, Self::Port(e) if e.unreachable())
    }
}

impl Unreachable for authd_domain::ports::ConsumeError {
    fn unreachable(&self) -> bool {
        matches!(self, Self::Port(e) if e.unreachable())
    }
}

impl Unreachable for authd_domain::ports::AccountChangeError {
    fn unreachable(&self) -> bool {
        matches!(self, Self::Port(e) if e.unreachable())
    }
}

impl Unreachable for authd_domain::ports::InsertAccountError {
    fn unreachable(&self) -> bool {
        matches!(self, Self::Port(e) if e.unreachable())
    }
}
