//! Turning [`RedisTopology`] into a link: a pool of connections to one server or to the master
//! the sentinels name, or one cluster connection.
//!
//! A cluster needs no pool: `ClusterConnection` multiplexes over one connection per node, sends
//! each command to the master of its key's slot, follows `MOVED`/`ASK` and refreshes its slot
//! map on its own. Every script's keys and the denylist's `MGET` share one hash tag
//! (`keys.rs`), so each of them lands on one node.

use crate::error::{Redactor, RedisError};
use crate::pool::{Manager, Pool};
use crate::sentinel::{SentinelAccess, Sentinels};
use crate::settings::{Login, RedisSettings, RedisTopology};
use deadpool::Runtime;
use redis::cluster::ClusterClientBuilder;
use redis::cluster_async::ClusterConnection;
use redis::{
    AsyncConnectionConfig, Client, ConnectionAddr, ConnectionInfo, RedisConnectionInfo,
    TlsCertificates, TlsMode,
};
use std::time::Duration;

/// How the store reaches Redis. Cheap to clone: clones share the connections.
#[derive(Clone)]
pub(crate) enum Link {
    /// One server, or the master the sentinels name.
    Pooled(Pool),
    Cluster(ClusterConnection),
}

/// Builds the link. A cluster is connected here already (its slot map is needed to route);
/// a pool connects on first use.
pub(crate) async fn link(
    settings: &RedisSettings,
    redactor: &Redactor,
) -> Result<Link, RedisError> {
    let timeout = settings.command_timeout;
    // The client's own timeouts too: they end a connection attempt or a lost reply even when
    // nobody waits for it any more.
    let config = AsyncConnectionConfig::new()
        .set_connection_timeout(Some(timeout))
        .set_response_timeout(Some(timeout));
    let manager = match &settings.topology {
        RedisTopology::Server { url } => Manager::Server(
            deadpool_redis::Manager::new_with_config(server(url, settings, redactor)?, config)
                .map_err(|e| RedisError::InvalidUrl(redactor.clean(e)))?,
        ),
        RedisTopology::Sentinel {
            sentinels,
            master,
            login,
            sentinel_password,
            db,
            tls,
        } => {
            let mut login_info = RedisConnectionInfo::default().set_db(*db);
            if let Some(username) = &login.username {
                login_info = login_info.set_username(username);
            }
            if let Some(password) = &login.password {
                login_info = login_info.set_password(password);
            }
            let access = SentinelAccess {
                sentinels,
                master_name: master,
                sentinel_password: sentinel_password.as_deref(),
                tls: *tls,
                certificates: certificates(settings, *tls)?,
                login: login_info,
            };
            Manager::Sentinel(
                Sentinels::new(access, timeout)
                    .map_err(|e| RedisError::InvalidUrl(redactor.clean(e)))?,
            )
        }
        RedisTopology::Cluster { nodes, login, tls } => {
            let certificates = certificates(settings, *tls)?;
            return cluster(nodes, login, *tls, certificates, timeout, redactor).await;
        }
    };
    let pool = Pool::builder(manager)
        .max_size(settings.pool_max)
        .runtime(Runtime::Tokio1)
        .wait_timeout(Some(timeout))
        .create_timeout(Some(timeout))
        .recycle_timeout(Some(timeout))
        .build()
        .map_err(|e| RedisError::InvalidSettings(build_error(&e)))?;
    Ok(Link::Pooled(pool))
}

async fn cluster(
    nodes: &[(String, u16)],
    login: &Login,
    tls: bool,
    certificates: Option<TlsCertificates>,
    timeout: Duration,
    redactor: &Redactor,
) -> Result<Link, RedisError> {
    let mut builder =
        ClusterClientBuilder::new(nodes.iter().map(|(host, port)| address(host, *port, tls)))
            .connection_timeout(timeout)
            .response_timeout(timeout);
    if tls {
        builder = builder.tls(TlsMode::Secure);
    }
    if let Some(certificates) = certificates {
        builder = builder.certs(certificates);
    }
    if let Some(username) = &login.username {
        builder = builder.username(username);
    }
    if let Some(password) = &login.password {
        builder = builder.password(password);
    }
    let client = builder
        .build()
        .map_err(|e| RedisError::InvalidUrl(redactor.clean(e)))?;
    match tokio::time::timeout(timeout, client.get_async_connection()).await {
        Ok(Ok(conn)) => Ok(Link::Cluster(conn)),
        Ok(Err(e)) => Err(RedisError::Connect(redactor.clean(e))),
        Err(_) => Err(RedisError::Timeout(timeout)),
    }
}

/// A sentinel's or a cluster node's address, with TLS (host name verified) or without.
pub(crate) fn address(host: &str, port: u16, tls: bool) -> ConnectionAddr {
    if tls {
        ConnectionAddr::TcpTls {
            host: host.to_owned(),
            port,
            insecure: false,
            tls_params: None,
        }
    } else {
        ConnectionAddr::Tcp(host.to_owned(), port)
    }
}

/// With TLS: the CA of `tls_ca_file`, or `None` for Mozilla's roots. A CA file without TLS is
/// refused rather than silently unused.
fn certificates(
    settings: &RedisSettings,
    tls: bool,
) -> Result<Option<TlsCertificates>, RedisError> {
    if tls {
        // Fails when a provider is installed already, which is as good.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    }
    match (&settings.tls_ca_file, tls) {
        (Some(path), false) => Err(RedisError::InvalidUrl(format!(
            "a TLS CA file ({}) is given but TLS is off",
            path.display()
        ))),
        (Some(path), true) => Ok(Some(TlsCertificates {
            client_tls: None,
            root_cert: Some(read_ca(path)?),
        })),
        (None, _) => Ok(None),
    }
}

fn read_ca(path: &std::path::Path) -> Result<Vec<u8>, RedisError> {
    std::fs::read(path).map_err(|e| {
        RedisError::InvalidUrl(format!("cannot read the CA file {}: {e}", path.display()))
    })
}

fn build_error(e: &deadpool::managed::BuildError) -> &'static str {
    match e {
        deadpool::managed::BuildError::NoRuntimeSpecified => {
            "the Redis pool needs a runtime for its timeouts"
        }
    }
}

/// Where one server is: a `rediss://` URL gets rustls with the CA of `tls_ca_file` (or
/// Mozilla's roots), and always verifies the server's certificate and name; a CA file with a
/// plain `redis://` URL is refused rather than silently unused.
fn server(
    url: &str,
    settings: &RedisSettings,
    redactor: &Redactor,
) -> Result<ConnectionInfo, RedisError> {
    let invalid = |e: redis::RedisError| RedisError::InvalidUrl(redactor.clean(e));
    let tls = url.starts_with("rediss://");
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
            let certificates = TlsCertificates {
                client_tls: None,
                root_cert: Some(read_ca(path)?),
            };
            Client::build_with_tls(url, certificates).map_err(invalid)?
        }
        (None, _) => Client::open(url).map_err(invalid)?,
    };
    Ok(client.get_connection_info().clone())
}
