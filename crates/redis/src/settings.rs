//! [`RedisSettings`]: how to reach Redis, and how long to wait for it.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// The key prefix when none is configured.
pub const DEFAULT_KEY_PREFIX: &str = "authd:";
/// The pool size when none is configured.
pub const DEFAULT_POOL_MAX: usize = 16;
/// How long one call may take when nothing else is configured: long enough for a loaded
/// server, short enough that a request fails instead of hanging.
pub const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(1);

/// How to reach Redis.
#[derive(Clone)]
pub struct RedisSettings {
    /// `redis://[user:password@]host:port/db`, or `rediss://` for TLS. Never logged: it may
    /// carry the password.
    pub url: String,
    /// At most this many connections; each one multiplexes many concurrent calls.
    pub pool_max: usize,
    /// The longest one call may take, waiting for a connection included. A call that takes
    /// longer fails as unavailable.
    pub command_timeout: Duration,
    /// Put before every key, so that several deployments (or tests) can share one server.
    pub key_prefix: String,
    /// With `rediss://`: the PEM file of the CA the server's certificate must lead to; without
    /// it, Mozilla's roots. The certificate is always verified, host name included.
    pub tls_ca_file: Option<PathBuf>,
}

impl RedisSettings {
    /// Settings for `url` with the default pool size, timeout and key prefix.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            pool_max: DEFAULT_POOL_MAX,
            command_timeout: DEFAULT_COMMAND_TIMEOUT,
            key_prefix: DEFAULT_KEY_PREFIX.to_owned(),
            tls_ca_file: None,
        }
    }
}

impl fmt::Debug for RedisSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisSettings")
            .field("url", &"<redacted>")
            .field("pool_max", &self.pool_max)
            .field("command_timeout", &self.command_timeout)
            .field("key_prefix", &self.key_prefix)
            .field("tls_ca_file", &self.tls_ca_file)
            .finish()
    }
}
