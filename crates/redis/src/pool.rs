//! The connection pool: deadpool over connections to one server or to the master the sentinels
//! name, minus deadpool-redis's `PING` on every checkout.
//!
//! deadpool-redis checks each connection with a round trip before handing it out, which would
//! double the cost of every call on the hot path. Here a connection is checked only when it
//! might be broken: its last call failed or was cut off by the timeout, or it sat idle long
//! enough for the server to have restarted or dropped it. A broken one then fails the check
//! and the pool replaces it, so calls succeed again as soon as the server is back.
//!
//! Behind sentinels the check is `ROLE` rather than `PING`, and it is also made at least every
//! [`ROLE_EVERY`] on a connection in steady use. After a failover the sentinels disconnect the
//! clients of the old master as they turn it into a replica (`CLIENT KILL TYPE normal`); a
//! connection that survives anyway answers `PING` and reads, but refuses writes (`READONLY`),
//! so it fails this check instead, and its replacement asks the sentinels for the master again
//! (`sentinel.rs`).

use crate::sentinel::{Sentinels, is_master, not_master};
use deadpool::managed::{self, Metrics, RecycleError, RecycleResult};
use redis::RedisError as ClientError;
use redis::aio::MultiplexedConnection;
use std::time::{Duration, Instant};

/// A connection used more recently than this, without a failure since, is handed out unchecked.
const TRUSTED_FOR: Duration = Duration::from_secs(1);

/// Behind sentinels, how long a connection goes without its `ROLE` checked however busy it is,
/// so that one which only reads does not keep reading a demoted master.
const ROLE_EVERY: Duration = Duration::from_secs(3);

pub(crate) type Pool = managed::Pool<Manager>;

pub(crate) enum Manager {
    /// One server.
    Server(deadpool_redis::Manager),
    /// The master the sentinels name at the time each connection is made.
    Sentinel(Sentinels),
}

/// One multiplexed connection, and whether its last call succeeded.
pub(crate) struct Conn {
    pub(crate) link: MultiplexedConnection,
    /// Cleared before each call and set again when it succeeds, so that a call that failed or
    /// was dropped mid-flight leaves it cleared.
    pub(crate) trusted: bool,
    /// When the server last proved to be what the connection expects (made or checked).
    checked: Instant,
}

impl managed::Manager for Manager {
    type Type = Conn;
    type Error = ClientError;

    async fn create(&self) -> Result<Conn, ClientError> {
        let link = match self {
            Self::Server(inner) => inner.create().await?,
            Self::Sentinel(sentinels) => sentinels.connect().await?,
        };
        Ok(Conn {
            link,
            trusted: true,
            checked: Instant::now(),
        })
    }

    async fn recycle(&self, conn: &mut Conn, metrics: &Metrics) -> RecycleResult<ClientError> {
        let role_due = matches!(self, Self::Sentinel(_)) && conn.checked.elapsed() >= ROLE_EVERY;
        if conn.trusted && metrics.last_used() < TRUSTED_FOR && !role_due {
            return Ok(());
        }
        match self {
            Self::Server(inner) => inner.recycle(&mut conn.link, metrics).await?,
            Self::Sentinel(_) => {
                if !is_master(&mut conn.link).await? {
                    return Err(RecycleError::Backend(not_master()));
                }
            }
        }
        conn.checked = Instant::now();
        conn.trusted = true;
        Ok(())
    }
}
