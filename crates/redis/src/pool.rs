//! The connection pool: deadpool over deadpool-redis's manager, minus its `PING` on every
//! checkout.
//!
//! deadpool-redis checks each connection with a round trip before handing it out, which would
//! double the cost of every call on the hot path. Here a connection is checked only when it
//! might be broken: its last call failed or was cut off by the timeout, or it sat idle long
//! enough for the server to have restarted or dropped it. A broken one then fails the check
//! and the pool replaces it, so calls succeed again as soon as the server is back.

use deadpool::managed::{self, Metrics, RecycleResult};
use redis::RedisError as ClientError;
use redis::aio::MultiplexedConnection;
use std::time::Duration;

/// A connection used more recently than this, without a failure since, is handed out unchecked.
const TRUSTED_FOR: Duration = Duration::from_secs(1);

pub(crate) type Pool = managed::Pool<Manager>;

pub(crate) struct Manager {
    inner: deadpool_redis::Manager,
}

impl Manager {
    pub(crate) fn new(inner: deadpool_redis::Manager) -> Self {
        Self { inner }
    }
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
        Ok(Conn {
            link: self.inner.create().await?,
            trusted: true,
        })
    }

    async fn recycle(&self, conn: &mut Conn, metrics: &Metrics) -> RecycleResult<ClientError> {
        if conn.trusted && metrics.last_used() < TRUSTED_FOR {
            return Ok(());
        }
        self.inner.recycle(&mut conn.link, metrics).await?;
        conn.trusted = true;
        Ok(())
    }
}
