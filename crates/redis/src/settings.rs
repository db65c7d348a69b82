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
    /// One server, the master named by sentinels, or a cluster. Never logged: it may carry
    /// passwords.
    pub topology: RedisTopology,
    /// At most this many connections; each one multiplexes many concurrent calls. A cluster
    /// needs no pool: its one connection multiplexes over one link per node.
    pub pool_max: usize,
    /// The longest one call may take, waiting for a connection included. A call that takes
    /// longer fails as unavailable.
    pub command_timeout: Duration,
    /// Put before every key, so that several deployments (or tests) can share one server.
    pub key_prefix: String,
    /// With TLS (`rediss://`, or `tls` of the sentinels or the cluster): the PEM file of the CA
    /// every certificate must lead to (servers, sentinels, cluster nodes); without it, Mozilla's
    /// roots. Certificates are always verified, host name included; a CA file without TLS is
    /// refused.
    pub tls_ca_file: Option<PathBuf>,
}

/// Which Redis deployment the store talks to.
#[derive(Clone)]
pub enum RedisTopology {
    /// `redis://[user:password@]host:port/db`, or `rediss://` for TLS.
    Server {
        /// May carry the password.
        url: String,
    },
    /// The master that the sentinels know as `master`, looked up again on every new
    /// connection, so that a failover moves the store to the new master.
    Sentinel {
        /// `(host, port)` of each sentinel; any one that answers is enough.
        sentinels: Vec<(String, u16)>,
        /// The name the sentinels monitor the master under (`sentinel monitor <name> ...`).
        master: String,
        /// The data nodes' login.
        login: Login,
        /// The sentinels' own password (`requirepass` of the sentinels), if any.
        sentinel_password: Option<String>,
        /// The database number on the master.
        db: i64,
        /// TLS to the sentinels and the data nodes alike, verified against `tls_ca_file` (or
        /// Mozilla's roots), host names included.
        tls: bool,
    },
    /// A Redis Cluster, discovered from any of `nodes`; commands go to the master of their
    /// key's slot.
    Cluster {
        /// `(host, port)` of some of the cluster's nodes.
        nodes: Vec<(String, u16)>,
        /// Every node's login.
        login: Login,
        /// TLS to every node, verified against `tls_ca_file` (or Mozilla's roots), host names
        /// included: the names (or addresses) the nodes announce must be in their certificates.
        tls: bool,
    },
}

/// A user name and password for the data nodes (`AUTH [user] password`); both optional.
#[derive(Clone, Default)]
pub struct Login {
    /// `AUTH <username> <password>` (ACL); without it, the default user.
    pub username: Option<String>,
    /// Never logged.
    pub password: Option<String>,
}

impl fmt::Debug for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Login")
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl RedisSettings {
    /// Settings for the one server at `url` with the default pool size, timeout and key prefix.
    pub fn new(url: impl Into<String>) -> Self {
        Self::with_topology(RedisTopology::Server { url: url.into() })
    }

    /// Settings for `topology` with the default pool size, timeout and key prefix.
    #[must_use]
    pub fn with_topology(topology: RedisTopology) -> Self {
        Self {
            topology,
            pool_max: DEFAULT_POOL_MAX,
            command_timeout: DEFAULT_COMMAND_TIMEOUT,
            key_prefix: DEFAULT_KEY_PREFIX.to_owned(),
            tls_ca_file: None,
        }
    }
}

impl RedisTopology {
    /// The passwords in these settings, to be kept out of every message.
    pub(crate) fn secrets(&self) -> Vec<String> {
        match self {
            Self::Server { url } => crate::error::url_password(url).into_iter().collect(),
            Self::Sentinel {
                login,
                sentinel_password,
                ..
            } => login
                .password
                .iter()
                .chain(sentinel_password)
                .cloned()
                .collect(),
            Self::Cluster { login, .. } => login.password.iter().cloned().collect(),
        }
    }
}

impl fmt::Debug for RedisTopology {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Server { .. } => f.write_str("Server { url: <redacted> }"),
            Self::Sentinel {
                sentinels,
                master,
                db,
                tls,
                ..
            } => f
                .debug_struct("Sentinel")
                .field("sentinels", sentinels)
                .field("master", master)
                .field("db", db)
                .field("tls", tls)
                .finish_non_exhaustive(),
            Self::Cluster { nodes, tls, .. } => f
                .debug_struct("Cluster")
                .field("nodes", nodes)
                .field("tls", tls)
                .finish_non_exhaustive(),
        }
    }
}

impl fmt::Debug for RedisSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisSettings")
            .field("topology", &self.topology)
            .field("pool_max", &self.pool_max)
            .field("command_timeout", &self.command_timeout)
            .field("key_prefix", &self.key_prefix)
            .field("tls_ca_file", &self.tls_ca_file)
            .finish()
    }
}
