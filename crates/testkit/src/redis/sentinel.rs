//! A throw-away Redis Sentinel group: one master, one replica and three sentinels (quorum 2)
//! on random loopback ports. [`sentinels`] starts one per test process for the tests that never
//! fail it over: its master is declared down only after 5 s without an answer, so that a loaded
//! machine does not fail it over by itself under a test that does not expect it. A test that
//! fails a group over starts its own with [`RedisSentinels::start_to_fail_over`] (down after
//! 1 s) and calls [`RedisSentinels::fail_over`], which kills the master as a crash would.

use super::node::{Node, cli, data_node_args, tls_settings, wait_until};
use crate::tls::TestCertificates;
use std::fs;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Duration;

/// The name the sentinels monitor the master under (`REDIS_SENTINEL_MASTER`).
pub const MASTER_NAME: &str = "authd-test";

static SENTINELS: OnceLock<RedisSentinels> = OnceLock::new();

/// The test process's shared group, started on first use. Never fail it over.
pub fn sentinels() -> &'static RedisSentinels {
    SENTINELS.get_or_init(|| RedisSentinels::start(Duration::from_secs(5), None))
}

/// Two data nodes, one of them master, watched by three sentinels; no passwords.
#[derive(Debug)]
pub struct RedisSentinels {
    /// The data nodes; which one is master changes with a failover.
    data: Vec<Node>,
    sentinels: Vec<Node>,
    /// The port of the master, as last seen.
    master: Mutex<u16>,
}

impl RedisSentinels {
    /// A group of its own whose master the sentinels declare down after 1 s without an
    /// answer, for [`Self::fail_over`].
    pub fn start_to_fail_over() -> Self {
        Self::start(Duration::from_secs(1), None)
    }

    /// Starts the master, its replica (in sync before this returns) and the sentinels, and
    /// blocks until every sentinel knows the replica and the other sentinels, so that a
    /// failover can happen at once.
    /// A group speaking TLS only (clients, replication, sentinels) with the server certificate
    /// of `certs`, which names `127.0.0.1`, the address the sentinels hand out. Not for
    /// [`Self::fail_over`].
    pub fn start_with_tls(certs: &TestCertificates) -> Self {
        Self::start(Duration::from_secs(5), Some(certs))
    }

    fn start(down_after: Duration, certs: Option<&TestCertificates>) -> Self {
        let down_after = down_after.as_millis();
        let tls = certs.is_some();
        let master = Node::start("master", certs, |dir, port| data_node_args(dir, port, tls));
        let master_port = master.port();
        let replica = Node::start("replica", certs, |dir, port| {
            let mut args = data_node_args(dir, port, tls);
            args.extend(["--replicaof".to_owned(), format!("127.0.0.1 {master_port}")]);
            args
        });
        wait_until("the replica's sync", Duration::from_secs(20), || {
            replica
                .cli(&["info", "replication"])
                .contains("master_link_status:up")
        });
        let sentinels: Vec<Node> = (0..3)
            .map(|_| {
                Node::start("sentinel", certs, |dir, port| {
                    let config = dir.join("sentinel.conf");
                    let file = |name: &str| dir.join(name).display().to_string();
                    let mut ports = format!("port {port}\n");
                    if tls {
                        ports = format!("port 0\ntls-port {port}\n");
                        for (name, value) in tls_settings(dir) {
                            ports.push_str(&format!("{name} {value}\n"));
                        }
                    }
                    let text = format!(
                        "bind 127.0.0.1\n{ports}daemonize no\ndir {}\npidfile {}\n\
                         logfile {}\nsentinel monitor {MASTER_NAME} 127.0.0.1 {master_port} 2\n\
                         sentinel down-after-milliseconds {MASTER_NAME} {down_after}\n\
                         sentinel failover-timeout {MASTER_NAME} 4000\n\
                         sentinel parallel-syncs {MASTER_NAME} 1\n",
                        dir.display(),
                        file("redis.pid"),
                        file("redis.log"),
                    );
                    fs::write(&config, text)
                        .unwrap_or_else(|e| panic!("could not write {}: {e}", config.display()));
                    vec![config.display().to_string(), "--sentinel".to_owned()]
                })
            })
            .collect();
        for sentinel in &sentinels {
            wait_until(
                "every sentinel seeing the replica and two other sentinels",
                Duration::from_secs(30),
                || {
                    let state = sentinel.cli(&["sentinel", "master", MASTER_NAME]);
                    let field = |name: &str| {
                        let mut lines = state.lines();
                        lines
                            .by_ref()
                            .find(|line| *line == name)
                            .and_then(|_| lines.next())
                            .map(str::to_owned)
                    };
                    field("num-slaves").as_deref() == Some("1")
                        && field("num-other-sentinels").as_deref() == Some("2")
                },
            );
        }
        Self {
            data: vec![master, replica],
            sentinels,
            master: Mutex::new(master_port),
        }
    }

    /// `(host, port)` of every sentinel, for the store's sentinel list.
    pub fn sentinel_nodes(&self) -> Vec<(String, u16)> {
        self.sentinels
            .iter()
            .map(|node| ("127.0.0.1".to_owned(), node.port()))
            .collect()
    }

    /// The port of the current master.
    pub fn master_port(&self) -> u16 {
        *self.master.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Kills the master once the replica has every write it took (replication is asynchronous:
    /// a crash right after a write may lose it, which is not what the tests are about), and
    /// blocks until the sentinels have promoted the replica and every sentinel names it.
    /// Returns the new master's port.
    pub fn fail_over(&self) -> u16 {
        let old = self.master_port();
        let Some(new) = self.data.iter().map(Node::port).find(|port| *port != old) else {
            panic!("no replica to fail over to");
        };
        wait_until("the replica's catching up", Duration::from_secs(10), || {
            replication_offset(old) == replication_offset(new)
        });
        if let Some(master) = self.data.iter().find(|node| node.port() == old) {
            master.stop();
        }
        wait_until("the failover", Duration::from_secs(30), || {
            cli(new, None, &["role"]).starts_with("master")
                && self.sentinels.iter().all(|sentinel| {
                    sentinel
                        .cli(&["sentinel", "get-master-addr-by-name", MASTER_NAME])
                        .lines()
                        .nth(1)
                        == Some(new.to_string().as_str())
                })
        });
        *self.master.lock().unwrap_or_else(PoisonError::into_inner) = new;
        new
    }
}

/// `master_repl_offset` of the node on `port`: how much of the replication stream it holds.
fn replication_offset(port: u16) -> Option<u64> {
    cli(port, None, &["info", "replication"])
        .lines()
        .find_map(|line| line.strip_prefix("master_repl_offset:"))
        .and_then(|offset| offset.trim().parse().ok())
}
