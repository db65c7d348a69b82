//! The Redis section: `REDIS_URL`, or the Perfect21 doc's `REDIS_HOST`, `REDIS_PORT`,
//! `REDIS_PASSWORD`, `REDIS_DB` assembled into one URL; the pool, the command timeout and the key
//! prefix. No Redis variable at all means the in-memory denylist and rate limiter (one instance).
//!
//! The URL may carry a password, so it lives in a `SecretString`, is never echoed in a
//! configuration error, and [`RedisConfig::target`] is what logs show instead.
//!
//! TLS: a `rediss://` URL (or `REDIS_TLS=true` with `REDIS_HOST`), verified against
//! `REDIS_TLS_CA_FILE` or Mozilla's roots, host name included; never `#insecure`.
//!
//! Instead of one server: `REDIS_SENTINELS` with `REDIS_SENTINEL_MASTER` (and
//! `REDIS_SENTINEL_PASSWORD`), or `REDIS_CLUSTER_NODES`; their data nodes' login is
//! `REDIS_USERNAME`/`REDIS_PASSWORD`. Exactly one of the four ways may be set. With them,
//! `REDIS_TLS=true` is TLS to the sentinels and the data nodes alike, with the same CA.

use super::database::{MOZILLA, ca_file, encode, host_part, target_of};
use super::reader::Reader;
use super::values;
use authd_redis::{Login, RedisSettings, RedisTopology as AdapterTopology};
use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use std::time::Duration;

mod topology;

use topology::topology;

/// The variables that only make sense with `REDIS_HOST`.
const REDIS_PARTS: [&str; 4] = ["REDIS_PORT", "REDIS_USERNAME", "REDIS_PASSWORD", "REDIS_DB"];

/// The four ways to say where Redis is; at most one may be set.
const WAYS: [&str; 4] = [
    "REDIS_URL",
    "REDIS_HOST",
    "REDIS_SENTINELS",
    "REDIS_CLUSTER_NODES",
];

/// A command slower than this fails; the callers then degrade or answer 503 (docs/redis.md).
const DEFAULT_TIMEOUT: Duration = Duration::from_millis(250);

/// The HTTP layer lets a request through when the rate limiter has not answered within 1 s; the
/// local fallback must answer before that, so a Redis call must give up earlier.
const MAX_TIMEOUT: Duration = Duration::from_millis(800);

/// Which Redis deployment authd talks to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RedisTopology {
    /// One server: `REDIS_URL`, or `REDIS_HOST` and its parts ([`RedisConfig::url`]).
    Server,
    /// `REDIS_SENTINELS` (`host:port` each) and `REDIS_SENTINEL_MASTER`; `REDIS_DB` (0);
    /// `REDIS_TLS`.
    Sentinel {
        sentinels: Vec<(String, u16)>,
        master: String,
        db: i64,
        tls: bool,
    },
    /// `REDIS_CLUSTER_NODES` (`host:port` each, some or all of the cluster's nodes);
    /// `REDIS_TLS`.
    Cluster {
        nodes: Vec<(String, u16)>,
        tls: bool,
    },
}

/// Where and how to reach Redis.
#[derive(Clone)]
pub struct RedisConfig {
    /// One server's URL; empty with sentinels or a cluster.
    url: SecretString,
    /// One server, sentinels or a cluster.
    pub topology: RedisTopology,
    /// `REDIS_USERNAME`, with sentinels or a cluster (one server has it in its URL).
    pub username: Option<String>,
    /// `REDIS_PASSWORD`, with sentinels or a cluster: the data nodes' password.
    password: Option<SecretString>,
    /// `REDIS_SENTINEL_PASSWORD`: the sentinels' own password.
    sentinel_password: Option<SecretString>,
    /// `REDIS_POOL_MAX` (16): connections at most.
    pub pool_max: usize,
    /// `REDIS_TIMEOUT` (250ms): connecting, waiting for a pooled connection, and each command.
    pub timeout: Duration,
    /// `REDIS_KEY_PREFIX` (`authd:`): every key starts with it, so that several services (or
    /// test runs) can share one Redis database.
    pub key_prefix: String,
    /// `REDIS_TLS_CA_FILE`: the PEM file of the CA a `rediss://` server's certificate must
    /// lead to (else Mozilla's roots).
    pub tls_ca_file: Option<String>,
}

impl RedisConfig {
    /// One server's connection URL, password included: hand it to the adapter, never to a
    /// log. Empty unless [`Self::topology`] is [`RedisTopology::Server`].
    #[must_use]
    pub fn url(&self) -> &SecretString {
        &self.url
    }

    /// The data nodes' password behind sentinels or in a cluster.
    #[must_use]
    pub fn password(&self) -> Option<&SecretString> {
        self.password.as_ref()
    }

    /// The sentinels' password.
    #[must_use]
    pub fn sentinel_password(&self) -> Option<&SecretString> {
        self.sentinel_password.as_ref()
    }

    /// What the adapter is given; the only place the passwords leave their `SecretString`.
    #[must_use]
    pub fn settings(&self) -> RedisSettings {
        let secret = |s: Option<&SecretString>| s.map(|s| s.expose_secret().to_owned());
        let login = || Login {
            username: self.username.clone(),
            password: secret(self.password.as_ref()),
        };
        let topology = match &self.topology {
            RedisTopology::Server => AdapterTopology::Server {
                url: self.url.expose_secret().to_owned(),
            },
            RedisTopology::Sentinel {
                sentinels,
                master,
                db,
                tls,
            } => AdapterTopology::Sentinel {
                sentinels: sentinels.clone(),
                master: master.clone(),
                login: login(),
                sentinel_password: secret(self.sentinel_password.as_ref()),
                db: *db,
                tls: *tls,
            },
            RedisTopology::Cluster { nodes, tls } => AdapterTopology::Cluster {
                nodes: nodes.clone(),
                login: login(),
                tls: *tls,
            },
        };
        RedisSettings {
            pool_max: self.pool_max,
            command_timeout: self.timeout,
            key_prefix: self.key_prefix.clone(),
            tls_ca_file: self.tls_ca_file.as_ref().map(Into::into),
            ..RedisSettings::with_topology(topology)
        }
    }

    /// Whether the connections are TLS (`rediss://`, or `REDIS_TLS=true` with sentinels or a
    /// cluster).
    #[must_use]
    pub fn tls(&self) -> bool {
        match &self.topology {
            RedisTopology::Server => self.url.expose_secret().starts_with("rediss://"),
            RedisTopology::Sentinel { tls, .. } | RedisTopology::Cluster { tls, .. } => *tls,
        }
    }

    /// `host:port/db`, without password: safe to log. With TLS, where the CA comes from, so
    /// that an error naming the target names the CA's variable.
    #[must_use]
    pub fn target(&self) -> String {
        let list = |nodes: &[(String, u16)]| {
            nodes
                .iter()
                .map(|(host, port)| format!("{}:{port}", host_part(host)))
                .collect::<Vec<_>>()
                .join(",")
        };
        let target = match &self.topology {
            RedisTopology::Server => target_of(self.url.expose_secret()),
            RedisTopology::Sentinel {
                sentinels,
                master,
                db,
                ..
            } => format!(
                "master {master:?} of the sentinels {}, db {db}",
                list(sentinels)
            ),
            RedisTopology::Cluster { nodes, .. } => format!("the cluster of {}", list(nodes)),
        };
        if !self.tls() {
            return target;
        }
        let ca = if self.tls_ca_file.is_some() {
            "REDIS_TLS_CA_FILE"
        } else {
            MOZILLA
        };
        format!("{target} over TLS (CA: {ca})")
    }
}

impl fmt::Debug for RedisConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisConfig")
            .field("target", &self.target())
            .field("username", &self.username)
            .field("pool_max", &self.pool_max)
            .field("timeout", &self.timeout)
            .field("key_prefix", &self.key_prefix)
            .field("tls_ca_file", &self.tls_ca_file)
            .finish_non_exhaustive()
    }
}

pub(super) fn redis(r: &mut Reader) -> Option<RedisConfig> {
    let ways: Vec<&'static str> = WAYS.into_iter().filter(|way| r.is_set(way)).collect();
    // REDIS_URL with REDIS_HOST alone has its own message in `url`; any other pair (or more)
    // is one line here naming them all.
    if ways.len() > 1 && ways[..] != ["REDIS_URL", "REDIS_HOST"] {
        let others: Vec<&str> = ways.iter().copied().filter(|way| *way != ways[1]).collect();
        r.problem(
            ways[1],
            format!(
                "is set together with {}: keep one of REDIS_URL, REDIS_HOST, \
                 REDIS_SENTINELS, REDIS_CLUSTER_NODES",
                others.join(" and ")
            ),
        );
    }
    if !r.is_set("REDIS_SENTINELS") {
        for part in ["REDIS_SENTINEL_MASTER", "REDIS_SENTINEL_PASSWORD"] {
            if r.is_set(part) {
                r.problem(
                    part,
                    "is set but REDIS_SENTINELS is not: set REDIS_SENTINELS too",
                );
            }
        }
    }
    let topology = topology(r);
    let url = if r.is_set("REDIS_SENTINELS") || r.is_set("REDIS_CLUSTER_NODES") {
        None
    } else {
        url(r)
    };
    let pool_max = r.or("REDIS_POOL_MAX", 16, |v| {
        values::integer::<usize>(v, 1..=1000)
    });
    let timeout = r.or("REDIS_TIMEOUT", DEFAULT_TIMEOUT, |v| {
        let d = values::short_duration(v, 1, MAX_TIMEOUT)?;
        if d.is_zero() {
            Err("must be longer than zero".to_owned())
        } else {
            Ok(d)
        }
    });
    let key_prefix = r.or("REDIS_KEY_PREFIX", "authd:".to_owned(), |v| {
        if v.chars().all(|c| c.is_ascii_graphic()) {
            Ok(v.to_owned())
        } else {
            Err(format!("{v:?} must be printable ASCII without spaces"))
        }
    });
    let tls_ca_file = r.optional("REDIS_TLS_CA_FILE", ca_file);
    if let Some(topology) = topology {
        let tls = matches!(
            topology.topology,
            RedisTopology::Sentinel { tls: true, .. } | RedisTopology::Cluster { tls: true, .. }
        );
        if tls_ca_file.is_some() && !tls {
            r.problem(
                "REDIS_TLS_CA_FILE",
                "is set but Redis is reached in plain text: set REDIS_TLS=true",
            );
        }
        return Some(RedisConfig {
            url: SecretString::from(String::new()),
            topology: topology.topology,
            username: topology.username,
            password: topology.password,
            sentinel_password: topology.sentinel_password,
            pool_max,
            timeout,
            key_prefix,
            tls_ca_file,
        });
    }
    let url = url?;
    if tls_ca_file.is_some() && !url.expose_secret().starts_with("rediss://") {
        r.problem(
            "REDIS_TLS_CA_FILE",
            "is set but Redis is reached in plain text: use a rediss:// REDIS_URL (or \
             REDIS_TLS=true with REDIS_HOST)",
        );
    }
    Some(RedisConfig {
        url,
        topology: RedisTopology::Server,
        username: None,
        password: None,
        sentinel_password: None,
        pool_max,
        timeout,
        key_prefix,
        tls_ca_file,
    })
}

fn url(r: &mut Reader) -> Option<SecretString> {
    let from_parts = r.is_set("REDIS_HOST");
    if r.is_set("REDIS_URL") {
        if from_parts {
            r.problem(
                "REDIS_HOST",
                "is set together with REDIS_URL: keep one of them (REDIS_URL, or REDIS_HOST \
                 with REDIS_PORT, REDIS_PASSWORD, REDIS_DB)",
            );
        }
        let url = r.optional("REDIS_URL", |v| {
            redis_url(v).map(|()| SecretString::from(v.to_owned()))
        });
        if let Some(url) = &url {
            let rediss = url.expose_secret().starts_with("rediss://");
            match r.optional("REDIS_TLS", values::boolean) {
                Some(true) if !rediss => r.problem(
                    "REDIS_TLS",
                    "is true but REDIS_URL is redis:// (plain text): use rediss://",
                ),
                Some(false) if rediss => r.problem(
                    "REDIS_TLS",
                    "is false but REDIS_URL is rediss:// (TLS): drop one",
                ),
                _ => {}
            }
        }
        return url;
    }
    if !from_parts {
        for part in REDIS_PARTS {
            if r.is_set(part) {
                r.problem(
                    part,
                    "is set but REDIS_HOST is not: set REDIS_HOST too (or use REDIS_URL)",
                );
            }
        }
        return None;
    }
    let host = r.or("REDIS_HOST", String::new(), values::host);
    let port = r.or("REDIS_PORT", 6379, |v| {
        values::integer::<u16>(v, 1..=u16::MAX)
    });
    let db = r.or("REDIS_DB", 0, |v| values::integer::<u32>(v, 0..=1023));
    let password = r.raw("REDIS_PASSWORD").map(str::to_owned);
    let username = r.raw("REDIS_USERNAME").map(str::to_owned);
    if username.is_some() && password.is_none() {
        r.problem("REDIS_USERNAME", "is set without REDIS_PASSWORD: set both");
    }
    let scheme = if r.or("REDIS_TLS", false, values::boolean) {
        "rediss"
    } else {
        "redis"
    };
    if host.is_empty() {
        return None;
    }
    let user = username.as_deref().map_or_else(String::new, encode);
    let credentials = password.map_or_else(String::new, |p| format!("{user}:{}@", encode(&p)));
    Some(SecretString::from(format!(
        "{scheme}://{credentials}{}:{port}/{db}",
        host_part(&host)
    )))
}

/// Checks `REDIS_URL` without ever quoting it: it may hold a password.
fn redis_url(raw: &str) -> Result<(), String> {
    let rest = raw
        .strip_prefix("redis://")
        .or_else(|| raw.strip_prefix("rediss://"))
        .ok_or(
            "must start with redis:// or rediss:// (the value is not shown: it may hold a \
             password)",
        )?;
    if rest.contains("#insecure") {
        return Err(
            "#insecure would turn off the check of the server's certificate, which authd \
             never does: give REDIS_TLS_CA_FILE instead"
                .to_owned(),
        );
    }
    if rest.is_empty() || rest.chars().any(char::is_whitespace) {
        return Err(
            "is not a valid URL (the value is not shown: it may hold a password)".to_owned(),
        );
    }
    Ok(())
}
