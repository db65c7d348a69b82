//! [`RedisStore`]: the link (a pool, or a cluster connection) every port goes through, and the
//! bound on each call.

use crate::error::{Redactor, RedisError, TimedOut};
use crate::settings::RedisSettings;
use crate::topology::{self, Link};
use crate::{denylist, failure_spread, rate_limiter};
use authd_domain::error::PortError;
use authd_domain::ports::Clock;
use authd_domain::telemetry::PoolStats;
use deadpool::managed::PoolError;
use redis::aio::ConnectionLike;
use redis::{Arg, Cmd, ErrorKind, FromRedisValue, Script, ServerErrorKind};
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// The access-token denylist, the rate limiter and the failed-login spreads over one Redis
/// server (or anything speaking its protocol), the master a set of sentinels names, or a
/// cluster. Cheap to clone: clones share the pool. Hand one
/// to the application as `Arc<dyn TokenDenylist>`, `Arc<dyn RateLimiter>` and
/// `Arc<dyn FailureSpread>`.
#[derive(Clone)]
pub struct RedisStore {
    link: Link,
    timeout: Duration,
    pub(crate) prefix: String,
    redactor: Redactor,
    /// What "now" is when a denial's end becomes a time to live (the port carries no `now`).
    pub(crate) clock: Arc<dyn Clock>,
    /// Calls that failed or timed out, for metrics; shared by clones.
    errors: Arc<AtomicU64>,
    /// Whether the last call succeeded: a cluster connection's "open" for metrics.
    last_ok: Arc<AtomicBool>,
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("RedisStore");
        match &self.link {
            Link::Pooled(pool) => {
                let status = pool.status();
                out.field("connections", &status.size)
                    .field("idle_connections", &status.available)
            }
            Link::Cluster(_) => out.field("topology", &"cluster"),
        };
        out.field("command_timeout", &self.timeout)
            .field("key_prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// Builds the pool (or connects to the cluster), then checks the server answers and loads
    /// the scripts, all within the command timeout, so that a wrong URL or a server that is
    /// down is reported here rather than on the first request. Denials are sent with their
    /// time to live from `clock`'s now.
    ///
    /// # Errors
    /// [`RedisError::InvalidSettings`] for `pool_max == 0` or a zero timeout,
    /// [`RedisError::InvalidUrl`], [`RedisError::Connect`] when the server refuses (or fails the
    /// login), [`RedisError::Timeout`] when it does not answer in time. No message contains a
    /// password.
    pub async fn connect(
        settings: &RedisSettings,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, RedisError> {
        if settings.pool_max == 0 {
            return Err(RedisError::InvalidSettings(
                "the Redis pool needs at least one connection",
            ));
        }
        if settings.command_timeout.is_zero() {
            return Err(RedisError::InvalidSettings(
                "the Redis command timeout must be longer than zero",
            ));
        }
        let redactor = Redactor::for_passwords(settings.topology.secrets());
        let store = Self {
            link: topology::link(settings, &redactor).await?,
            timeout: settings.command_timeout,
            prefix: settings.key_prefix.clone(),
            redactor,
            clock,
            errors: Arc::new(AtomicU64::new(0)),
            last_ok: Arc::new(AtomicBool::new(true)),
        };
        store.warm_up().await?;
        Ok(store)
    }

    /// Whether the server answers `PING` within the command timeout (for `/v1/health`); in a
    /// cluster, whether every node does.
    pub async fn ping(&self) -> bool {
        self.query::<String>(&redis::cmd("PING"), None)
            .await
            .is_ok_and(|pong| pong == "PONG")
    }

    /// One connection, a `PING` and the scripts loaded, so the first requests pay for none. In
    /// a cluster only the `PING` (sent to every master): redis-rs sends `SCRIPT LOAD` to every
    /// node, replicas included, and needs them all to answer, so one replica down would keep
    /// authd from starting; a script a master lacks is sent whole on first use instead
    /// ([`send`]).
    async fn warm_up(&self) -> Result<(), RedisError> {
        let warm_up = async {
            match &self.link {
                Link::Pooled(pool) => {
                    let mut conn = pool.get().await?;
                    redis::cmd("PING")
                        .query_async::<String>(&mut conn.link)
                        .await?;
                    load_scripts(&mut conn.link).await?;
                }
                Link::Cluster(conn) => {
                    redis::cmd("PING")
                        .query_async::<String>(&mut conn.clone())
                        .await?;
                }
            }
            Ok::<_, PoolError<redis::RedisError>>(())
        };
        match tokio::time::timeout(self.timeout, warm_up).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(PoolError::Timeout(_))) | Err(_) => Err(RedisError::Timeout(self.timeout)),
            Ok(Err(e)) => Err(RedisError::Connect(self.redactor.clean(e))),
        }
    }

    /// Sends `cmd` on a pooled connection (or the cluster's) and reads its reply, all within
    /// the command timeout. When `cmd` runs `script` by its hash and the server has lost it (a
    /// restart, a failover to a replica that never ran it, `SCRIPT FLUSH`), `cmd` is sent once
    /// more as `EVAL` with the script's body, which also caches it there.
    pub(crate) async fn query<T: FromRedisValue>(
        &self,
        cmd: &Cmd,
        script: Option<&Lua>,
    ) -> Result<T, PortError> {
        let reply = tokio::time::timeout(self.timeout, self.query_unbounded(cmd, script))
            .await
            .unwrap_or_else(|_| Err(PortError::unavailable(TimedOut(self.timeout))));
        if reply.is_err() {
            self.errors.fetch_add(1, Ordering::Relaxed);
        }
        self.last_ok.store(reply.is_ok(), Ordering::Relaxed);
        reply
    }

    /// The pool as metrics show it; a cluster's one connection counts as one, open while its
    /// last call succeeded.
    #[must_use]
    pub fn pool_stats(&self) -> PoolStats {
        let errors_total = self.errors.load(Ordering::Relaxed);
        let Link::Pooled(pool) = &self.link else {
            return PoolStats {
                max: 1,
                open: u64::from(self.last_ok.load(Ordering::Relaxed)),
                in_use: 0,
                waiting: 0,
                waits_total: None,
                errors_total,
            };
        };
        let status = pool.status();
        let open = status.size as u64;
        PoolStats {
            max: status.max_size as u64,
            open,
            in_use: open.saturating_sub(status.available as u64),
            waiting: status.waiting as u64,
            // deadpool keeps no count of past waits, only of current waiters.
            waits_total: None,
            errors_total,
        }
    }

    async fn query_unbounded<T: FromRedisValue>(
        &self,
        cmd: &Cmd,
        script: Option<&Lua>,
    ) -> Result<T, PortError> {
        let reply = match &self.link {
            Link::Pooled(pool) => {
                let mut conn = pool.get().await.map_err(|e| self.redactor.pool(&e))?;
                conn.trusted = false;
                let reply = send(&mut conn.link, cmd, script).await;
                conn.trusted = reply.is_ok();
                reply
            }
            Link::Cluster(conn) => send(&mut conn.clone(), cmd, script).await,
        };
        reply.map_err(|e| self.redactor.command(&e))
    }
}

/// A Lua script: its hash for `EVALSHA`, and its body for when a server lacks it.
pub(crate) struct Lua {
    code: &'static str,
    script: Script,
}

impl Lua {
    pub(crate) fn new(code: &'static str) -> Self {
        Self {
            code,
            script: Script::new(code),
        }
    }
}

/// `cmd`, and once more as `EVAL <body>` when the server has lost `script`. In a cluster that
/// `EVAL` goes where the `EVALSHA` went, the master of the keys' slot; `SCRIPT LOAD` would go to
/// every node and fail while any of them is down.
async fn send<T: FromRedisValue, C: ConnectionLike>(
    conn: &mut C,
    cmd: &Cmd,
    script: Option<&Lua>,
) -> redis::RedisResult<T> {
    let reply = cmd.query_async(conn).await;
    match (reply, script) {
        (Err(e), Some(script)) if e.kind() == ErrorKind::Server(ServerErrorKind::NoScript) => {
            let mut eval = redis::cmd("EVAL");
            eval.arg(script.code);
            // After `EVALSHA <hash>`: the key count, the keys and the arguments.
            for arg in cmd.args_iter().skip(2) {
                if let Arg::Simple(bytes) = arg {
                    eval.arg(bytes);
                }
            }
            eval.query_async(conn).await
        }
        (reply, _) => reply,
    }
}

async fn load_scripts<C: ConnectionLike>(conn: &mut C) -> redis::RedisResult<()> {
    for script in [
        &*rate_limiter::HIT,
        &*denylist::DENY,
        &*denylist::CUT_OFF,
        &*failure_spread::RECORD,
    ] {
        script.script.load_async(conn).await?;
    }
    Ok(())
}

/// `EVALSHA <sha> <keys.len()>`, for the caller to add the keys and arguments to.
pub(crate) fn evalsha(script: &Lua, keys: usize) -> Cmd {
    let mut cmd = redis::cmd("EVALSHA");
    cmd.arg(script.script.get_hash()).arg(keys);
    cmd
}
