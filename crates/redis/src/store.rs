//! [`RedisStore`]: the pooled connection every port goes through, and the bound on each call.

use crate::error::{Redactor, RedisError, TimedOut};
use crate::pool::{Manager, Pool};
use crate::settings::RedisSettings;
use crate::{denylist, failure_spread, rate_limiter};
use authd_domain::error::PortError;
use authd_domain::ports::Clock;
use authd_domain::telemetry::PoolStats;
use deadpool::Runtime;
use redis::{
    AsyncConnectionConfig, Client, Cmd, ConnectionInfo, ErrorKind, FromRedisValue, Script,
    ServerErrorKind,
};
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The access-token denylist, the rate limiter and the failed-login spreads over one Redis
/// server (or anything speaking its protocol). Cheap to clone: clones share the pool. Hand one
/// to the application as `Arc<dyn TokenDenylist>`, `Arc<dyn RateLimiter>` and
/// `Arc<dyn FailureSpread>`.
#[derive(Clone)]
pub struct RedisStore {
    pool: Pool,
    timeout: Duration,
    pub(crate) prefix: String,
    redactor: Redactor,
    /// What "now" is when a denial's end becomes a time to live (the port carries no `now`).
    pub(crate) clock: Arc<dyn Clock>,
    /// Calls that failed or timed out, for metrics; shared by clones.
    errors: Arc<AtomicU64>,
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let status = self.pool.status();
        f.debug_struct("RedisStore")
            .field("connections", &status.size)
            .field("idle_connections", &status.available)
            .field("command_timeout", &self.timeout)
            .field("key_prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// Builds the pool, then connects once, checks the server answers and loads the scripts,
    /// all within the command timeout, so that a wrong URL or a server that is down is
    /// reported here rather than on the first request. Denials are sent with their time to
    /// live from `clock`'s now.
    ///
    /// # Errors
    /// [`RedisError::InvalidSettings`] for `pool_max == 0` or a zero timeout,
    /// [`RedisError::InvalidUrl`], [`RedisError::Connect`] when the server refuses (or fails the
    /// login), [`RedisError::Timeout`] when it does not answer in time. No message contains the
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
        let timeout = settings.command_timeout;
        let redactor = Redactor::for_url(&settings.url);
        // The client's own timeouts too: they end a connection attempt or a lost reply even
        // when nobody waits for it any more.
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout));
        let manager = deadpool_redis::Manager::new_with_config(target(settings)?, config)
            .map_err(|e| RedisError::InvalidUrl(redactor.clean(e)))?;
        let pool = Pool::builder(Manager::new(manager))
            .max_size(settings.pool_max)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(timeout))
            .create_timeout(Some(timeout))
            .recycle_timeout(Some(timeout))
            .build()
            .map_err(|e| RedisError::InvalidSettings(build_error(&e)))?;
        let store = Self {
            pool,
            timeout,
            prefix: settings.key_prefix.clone(),
            redactor,
            clock,
            errors: Arc::new(AtomicU64::new(0)),
        };
        store.warm_up().await?;
        Ok(store)
    }

    /// Whether the server answers `PING` within the command timeout (for `/v1/health`).
    pub async fn ping(&self) -> bool {
        self.query::<String>(&redis::cmd("PING"), None)
            .await
            .is_ok_and(|pong| pong == "PONG")
    }

    /// One connection, a `PING` and the scripts loaded, so the first requests pay for none.
    async fn warm_up(&self) -> Result<(), RedisError> {
        let warm_up = async {
            let mut conn = self.pool.get().await?;
            redis::cmd("PING")
                .query_async::<String>(&mut conn.link)
                .await?;
            for script in [
                &*rate_limiter::HIT,
                &*denylist::DENY,
                &*denylist::CUT_OFF,
                &*failure_spread::RECORD,
            ] {
                script.load_async(&mut conn.link).await?;
            }
            Ok::<_, deadpool::managed::PoolError<redis::RedisError>>(())
        };
        match tokio::time::timeout(self.timeout, warm_up).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(deadpool::managed::PoolError::Timeout(_))) | Err(_) => {
                Err(RedisError::Timeout(self.timeout))
            }
            Ok(Err(e)) => Err(RedisError::Connect(self.redactor.clean(e))),
        }
    }

    /// Sends `cmd` on a pooled connection and reads its reply, all within the command timeout.
    /// When `cmd` runs `script` by its hash and the server has lost it (a restart, `SCRIPT
    /// FLUSH`), the script is loaded and `cmd` sent once more.
    pub(crate) async fn query<T: FromRedisValue>(
        &self,
        cmd: &Cmd,
        script: Option<&Script>,
    ) -> Result<T, PortError> {
        let reply = tokio::time::timeout(self.timeout, self.query_unbounded(cmd, script))
            .await
            .unwrap_or_else(|_| Err(PortError::unavailable(TimedOut(self.timeout))));
        if reply.is_err() {
            self.errors.fetch_add(1, Ordering::Relaxed);
        }
        reply
    }

    /// The pool as metrics show it.
    #[must_use]
    pub fn pool_stats(&self) -> PoolStats {
        let status = self.pool.status();
        let open = status.size as u64;
        PoolStats {
            max: status.max_size as u64,
            open,
            in_use: open.saturating_sub(status.available as u64),
            waiting: status.waiting as u64,
            // deadpool keeps no count of past waits, only of current waiters.
            waits_total: None,
            errors_total: self.errors.load(Ordering::Relaxed),
        }
    }

    async fn query_unbounded<T: FromRedisValue>(
        &self,
        cmd: &Cmd,
        script: Option<&Script>,
    ) -> Result<T, PortError> {
        let mut conn = self.pool.get().await.map_err(|e| self.redactor.pool(&e))?;
        conn.trusted = false;
        let mut reply = cmd.query_async(&mut conn.link).await;
        if let (Err(e), Some(script)) = (&reply, script)
            && e.kind() == ErrorKind::Server(ServerErrorKind::NoScript)
        {
            reply = match script.load_async(&mut conn.link).await {
                Ok(_) => cmd.query_async(&mut conn.link).await,
                Err(e) => Err(e),
            };
        }
        conn.trusted = reply.is_ok();
        reply.map_err(|e| self.redactor.command(&e))
    }
}

/// `EVALSHA <sha> <keys.len()>`, for the caller to add the keys and arguments to.
pub(crate) fn evalsha(script: &Script, keys: usize) -> Cmd {
    let mut cmd = redis::cmd("EVALSHA");
    cmd.arg(script.get_hash()).arg(keys);
    cmd
}

fn build_error(e: &deadpool::managed::BuildError) -> &'static str {
    match e {
        deadpool::managed::BuildError::NoRuntimeSpecified => {
            "the Redis pool needs a runtime for its timeouts"
        }
    }
}

/// Where to connect: a `rediss://` URL gets rustls with the CA of `tls_ca_file` (or Mozilla's
/// roots), and always verifies the server's certificate and name; a CA file with a plain
/// `redis://` URL is refused rather than silently unused.
fn target(settings: &RedisSettings) -> Result<ConnectionInfo, RedisError> {
    let redactor = Redactor::for_url(&settings.url);
    let invalid = |e: redis::RedisError| RedisError::InvalidUrl(redactor.clean(e));
    let tls = settings.url.starts_with("rediss://");
    if tls {
        // Fails when a provider is installed already, which is as good.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    }
    let client = match (&settings.tls_ca_file, tls) {
        (Some(path), false) => {
            return Err(RedisError::InvalidUrl(format!(
                "a TLS CA file ({}) is given but the URL is not rediss://",
                path.display()
            )));
        }
        (Some(path), true) => {
            let pem = std::fs::read(path).map_err(|e| {
                RedisError::InvalidUrl(format!("cannot read the CA file {}: {e}", path.display()))
            })?;
            let certificates = redis::TlsCertificates {
                client_tls: None,
                root_cert: Some(pem),
            };
            Client::build_with_tls(settings.url.as_str(), certificates).map_err(invalid)?
        }
        (None, _) => Client::open(settings.url.as_str()).map_err(invalid)?,
    };
    Ok(client.get_connection_info().clone())
}
