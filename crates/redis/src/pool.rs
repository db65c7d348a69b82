//! The connection pool: deadpool over connections to one server or to the master the sentinels
//! name, minus deadpool-redis's `PING` on every checkout.
//!
//! deadpool-redis checks each connection with a round trip before handing it out, which would
//! double the cost of every call on the hot path. Here a connection is checked only when it
//! might be broken: its last call failed or was cut off by the timeout, or it sat idle long
//! enough for the server to have restarted or dropped it. A broken one then fails the check
//! and the pool replaces it, so calls succeed again as soon as the server is back.
//!
//! Behind sentinels the check is `ROLE` rather than `PING`. After a failover the sentinels
//! disconnect the clients of the old master as they turn it into a replica (`CLIENT KILL TYPE
//! normal`); a connection that survives anyway answers `PING` but refuses writes (`READONLY`),
//! so it fails this check instead, and its replacement asks the sentinels for the master again.

use deadpool::managed::{self, Metrics, RecycleError, RecycleResult};
use redis::aio::MultiplexedConnection;
use redis::sentinel::SentinelClient;
use redis::{AsyncConnectionConfig, RedisError as ClientError, Role};
use std::time::Duration;
use tokio::sync::Mutex;

/// A connection used more recently than this, without a failure since, is handed out unchecked.
const TRUSTED_FOR: Duration = Duration::from_secs(1);

pub(crate) type Pool = managed::Pool<Manager>;

pub(crate) enum Manager {
    /// One server.
    Server(deadpool_redis::Manager),
    /// The master the sentinels name at the time each connection is made.
    Sentinel {
        /// Its lookups take `&mut`; they are rare (new connections only).
        client: Mutex<SentinelClient>,
        config: AsyncConnectionConfig,
    },
}

/// One multiplexed connection, and whether its last call succeeded.
pub(crate) struct Conn {
    pub(crate) link: MultiplexedConnection,
    /// Cleared before each call and set again when it succeeds, so that a call that failed or
    /// was dropped mid-flight leaves it cleared.
    pub(crate) trusted: bool,
}

impl managed::Manager for Manager {
    type Type = Conn;
    type Error = ClientError;

    async fn create(&self) -> Result<Conn, ClientError> {
        let link = match self {
            Self::Server(inner) => inner.create().await?,
            Self::Sentinel { client, config } => {
                client
                    .lock()
                    .await
                    .get_async_connection_with_config(config)
                    .await?
            }
        };
        Ok(Conn {
            link,
            trusted: true,
        })
    }

    async fn recycle(&self, conn: &mut Conn, metrics: &Metrics) -> RecycleResult<ClientError> {
        if conn.trusted && metrics.last_used() < TRUSTED_FOR {
            return Ok(());
        }
        match self {
            Self::Server(inner) => inner.recycle(&mut conn.link, metrics).await?,
            Self::Sentinel { .. } => {
                let role: Role = redis::cmd("ROLE").query_async(&mut conn.link).await?;
                if !matches!(role, Role::Primary { .. }) {
                    return Err(RecycleError::message(
                        "the server is no longer the master (failover)",
                    ));
                }
            }
        }
        conn.trusted = true;
        Ok(())
    }
}
