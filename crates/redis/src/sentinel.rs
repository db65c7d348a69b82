//! Finding the master behind a set of sentinels, once per new pooled connection.
//!
//! redis-rs's `SentinelClient` asks the sentinels one after the other, each with its own
//! timeouts (1 s to connect, 500 ms per reply), which are longer than a command timeout of under
//! a second: one sentinel that hangs (a host dropping packets, a stopped process) first in the
//! list made every new connection miss the pool's creation timeout, so after a failover the
//! store stayed unavailable until that host came back. Here every sentinel is asked at once,
//! each within half the command timeout, and the first master named that confirms it is one
//! (`ROLE`) gets the connection; a sentinel naming a stale master is passed over for the next
//! answer.

use crate::topology::address;
use redis::aio::MultiplexedConnection;
use redis::{
    AsyncConnectionConfig, Client, ErrorKind, IntoConnectionInfo, RedisConnectionInfo,
    RedisError as ClientError, Role, TlsCertificates,
};
use std::io;
use std::time::Duration;
use tokio::task::JoinSet;

pub(crate) struct Sentinels {
    /// One client per sentinel, in the configured order (which no longer matters).
    sentinels: Vec<Client>,
    master_name: String,
    tls: bool,
    certificates: Option<TlsCertificates>,
    /// The master's login and database.
    login: RedisConnectionInfo,
    /// The bound on asking one sentinel, connecting included.
    ask_within: Duration,
    /// The master connection's timeouts.
    config: AsyncConnectionConfig,
}

/// How to reach the sentinels and then the master.
pub(crate) struct SentinelAccess<'a> {
    pub(crate) sentinels: &'a [(String, u16)],
    pub(crate) master_name: &'a str,
    pub(crate) sentinel_password: Option<&'a str>,
    pub(crate) tls: bool,
    pub(crate) certificates: Option<TlsCertificates>,
    pub(crate) login: RedisConnectionInfo,
}

impl Sentinels {
    pub(crate) fn new(access: SentinelAccess<'_>, timeout: Duration) -> Result<Self, ClientError> {
        let mut sentinel_login = RedisConnectionInfo::default();
        if let Some(password) = access.sentinel_password {
            sentinel_login = sentinel_login.set_password(password);
        }
        let sentinels = access
            .sentinels
            .iter()
            .map(|(host, port)| {
                client(
                    address(host, *port, access.tls),
                    sentinel_login.clone(),
                    access.certificates.as_ref(),
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        if sentinels.is_empty() {
            return Err(ClientError::from((
                ErrorKind::EmptySentinelList,
                "no sentinel is given",
            )));
        }
        let ask_within = timeout / 2;
        Ok(Self {
            sentinels,
            master_name: access.master_name.to_owned(),
            tls: access.tls,
            certificates: access.certificates,
            login: access.login,
            ask_within,
            config: AsyncConnectionConfig::new()
                .set_connection_timeout(Some(timeout))
                .set_response_timeout(Some(timeout)),
        })
    }

    /// A connection to the master: the first one a sentinel names that says it is master.
    /// The sentinels still being asked are dropped (their tasks aborted) once it is made.
    pub(crate) async fn connect(&self) -> Result<MultiplexedConnection, ClientError> {
        let mut asks = JoinSet::new();
        for sentinel in &self.sentinels {
            let (sentinel, name) = (sentinel.clone(), self.master_name.clone());
            let (within, config) = (self.ask_within, self.ask_config());
            asks.spawn(async move {
                tokio::time::timeout(within, ask(sentinel, name, config))
                    .await
                    .unwrap_or_else(|_| Err(timed_out("a sentinel did not answer in time")))
            });
        }
        let mut tried = Vec::new();
        let mut last = ClientError::from((
            ErrorKind::MasterNameNotFoundBySentinel,
            "no sentinel names the master",
        ));
        while let Some(joined) = asks.join_next().await {
            let address = match joined {
                Ok(Ok(Some(address))) if !tried.contains(&address) => address,
                Ok(Err(e)) => {
                    last = e;
                    continue;
                }
                _ => continue,
            };
            match self.connect_master(&address).await {
                Ok(link) => return Ok(link),
                Err(e) => last = e,
            }
            tried.push(address);
        }
        Err(last)
    }

    fn ask_config(&self) -> AsyncConnectionConfig {
        AsyncConnectionConfig::new()
            .set_connection_timeout(Some(self.ask_within))
            .set_response_timeout(Some(self.ask_within))
    }

    async fn connect_master(
        &self,
        (host, port): &(String, u16),
    ) -> Result<MultiplexedConnection, ClientError> {
        let client = client(
            address(host, *port, self.tls),
            self.login.clone(),
            self.certificates.as_ref(),
        )?;
        let mut link = client
            .get_multiplexed_async_connection_with_config(&self.config)
            .await?;
        if is_master(&mut link).await? {
            Ok(link)
        } else {
            Err(not_master())
        }
    }
}

/// Whether the server on `link` is a master, by `ROLE`.
pub(crate) async fn is_master(link: &mut MultiplexedConnection) -> Result<bool, ClientError> {
    let role: Role = redis::cmd("ROLE").query_async(link).await?;
    Ok(matches!(role, Role::Primary { .. }))
}

pub(crate) fn not_master() -> ClientError {
    ClientError::from((
        ErrorKind::Client,
        "the server is not the master (a failover)",
    ))
}

/// The master's address as one sentinel names it, `None` when it knows no such master.
async fn ask(
    sentinel: Client,
    name: String,
    config: AsyncConnectionConfig,
) -> Result<Option<(String, u16)>, ClientError> {
    let mut link = sentinel
        .get_multiplexed_async_connection_with_config(&config)
        .await?;
    redis::cmd("SENTINEL")
        .arg("GET-MASTER-ADDR-BY-NAME")
        .arg(name)
        .query_async(&mut link)
        .await
}

fn client(
    address: redis::ConnectionAddr,
    login: RedisConnectionInfo,
    certificates: Option<&TlsCertificates>,
) -> Result<Client, ClientError> {
    let info = address.into_connection_info()?.set_redis_settings(login);
    match certificates {
        Some(certificates) => Client::build_with_tls(info, certificates.clone()),
        None => Client::open(info),
    }
}

fn timed_out(what: &'static str) -> ClientError {
    ClientError::from(io::Error::new(io::ErrorKind::TimedOut, what))
}
