//! `REDIS_SENTINELS` (with `REDIS_SENTINEL_MASTER`, `REDIS_SENTINEL_PASSWORD`, `REDIS_DB`) or
//! `REDIS_CLUSTER_NODES`, and the data nodes' `REDIS_USERNAME`/`REDIS_PASSWORD`; `REDIS_TLS`
//! for the sentinels and the data nodes alike.

use super::RedisTopology;
use crate::config::reader::Reader;
use crate::config::values;
use secrecy::SecretString;

/// The port of a sentinel, and of a cluster node, when an entry gives none.
const SENTINEL_PORT: u16 = 26379;
const NODE_PORT: u16 = 6379;

/// Sentinels or a cluster, with the data nodes' login.
pub(super) struct Topology {
    pub(super) topology: RedisTopology,
    pub(super) username: Option<String>,
    pub(super) password: Option<SecretString>,
    pub(super) sentinel_password: Option<SecretString>,
}

/// `REDIS_SENTINELS` or `REDIS_CLUSTER_NODES` and the variables that go with them; `None` when
/// neither is set (or both, which `redis` reports) or one does not parse.
pub(super) fn topology(r: &mut Reader) -> Option<Topology> {
    let sentinel = r.is_set("REDIS_SENTINELS");
    let cluster = r.is_set("REDIS_CLUSTER_NODES");
    if sentinel == cluster {
        return None;
    }
    let way = if sentinel {
        "REDIS_SENTINELS"
    } else {
        "REDIS_CLUSTER_NODES"
    };
    let refuse = |r: &mut Reader, name: &'static str, why: &str| {
        if r.is_set(name) {
            r.problem(name, format!("is set together with {way}: {why}"));
        }
    };
    refuse(r, "REDIS_PORT", "give each port in the list instead");
    let tls = r.or("REDIS_TLS", false, values::boolean);
    let username = r.raw("REDIS_USERNAME").map(str::to_owned);
    let password = r
        .raw("REDIS_PASSWORD")
        .map(|p| SecretString::from(p.to_owned()));
    if username.is_some() && password.is_none() {
        r.problem("REDIS_USERNAME", "is set without REDIS_PASSWORD: set both");
    }
    let topology = if sentinel {
        let sentinels = r.optional("REDIS_SENTINELS", |v| nodes(v, SENTINEL_PORT));
        let master = r.optional("REDIS_SENTINEL_MASTER", master_name);
        if !r.is_set("REDIS_SENTINEL_MASTER") {
            r.problem(
                "REDIS_SENTINELS",
                "is set without REDIS_SENTINEL_MASTER: name the master the sentinels monitor",
            );
        }
        let db = r.or("REDIS_DB", 0, |v| values::integer::<i64>(v, 0..=1023));
        RedisTopology::Sentinel {
            sentinels: sentinels?,
            master: master?,
            db,
            tls,
        }
    } else {
        refuse(r, "REDIS_DB", "a cluster has database 0 only");
        RedisTopology::Cluster {
            nodes: r.optional("REDIS_CLUSTER_NODES", |v| nodes(v, NODE_PORT))?,
            tls,
        }
    };
    let sentinel_password = r
        .raw("REDIS_SENTINEL_PASSWORD")
        .map(|p| SecretString::from(p.to_owned()));
    Some(Topology {
        topology,
        username,
        password,
        sentinel_password,
    })
}

/// `host[:port],host[:port],...`, an IPv6 address in brackets; `default_port` where none is
/// given.
fn nodes(raw: &str, default_port: u16) -> Result<Vec<(String, u16)>, String> {
    raw.split(',')
        .map(str::trim)
        .map(|entry| {
            if entry.is_empty() {
                return Err(
                    "has an empty entry: list host:port pairs separated by commas".to_owned(),
                );
            }
            let (host, port) = if let Some(rest) = entry.strip_prefix('[') {
                let (host, after) = rest
                    .split_once(']')
                    .ok_or_else(|| format!("{entry:?} misses the closing ]"))?;
                (host, after.strip_prefix(':'))
            } else {
                match entry.split_once(':') {
                    Some((host, port)) if !port.contains(':') => (host, Some(port)),
                    Some(_) => {
                        return Err(format!(
                            "{entry:?}: write an IPv6 address in brackets, [::1]:{default_port}"
                        ));
                    }
                    None => (entry, None),
                }
            };
            let host = values::host(host)?;
            let port = match port {
                Some(port) => values::integer::<u16>(port, 1..=u16::MAX)
                    .map_err(|e| format!("the port of {entry:?} {e}"))?,
                None => default_port,
            };
            Ok((host, port))
        })
        .collect()
}

/// The name sentinels monitor a master under: printable, without spaces.
fn master_name(raw: &str) -> Result<String, String> {
    if raw.chars().all(|c| c.is_ascii_graphic()) {
        Ok(raw.to_owned())
    } else {
        Err(format!("{raw:?} must be printable ASCII without spaces"))
    }
}
