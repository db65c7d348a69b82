//! A throw-away Redis Sentinel group: one master, one replica and three sentinels (quorum 2)
//! on random loopback ports, with short timeouts so that a failover takes a few seconds.
//! [`sentinels`] starts one per test process for the tests that never fail it over; a test that
//! does starts its own with [`RedisSentinels::start_new`].

use super::node::{Node, cli, data_node_args, wait_until};
use std::fs;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Duration;

/// The name the sentinels monitor the master under (`REDIS_SENTINEL_MASTER`).
pub const MASTER_NAME: &str = "authd-test";

static SENTINELS: OnceLock<RedisSentinels> = OnceLock::new();

/// The test process's shared group, started on first use. Never fail it over.
pub fn sentinels() -> &'static RedisSentinels {
    SENTINELS.get_or_init(RedisSentinels::start_new)
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
    /// Starts the master, its replica (in sync before this returns) and the sentinels, and
    /// blocks until every sentinel knows the replica and the other sentinels, so that a
    /// failover can be forced at once.
    pub fn start_new() -> Self {
        let master = Node::start("master", data_node_args);
        let master_port = master.port();
        let replica = Node::start("replica", |dir, port| {
            let mut args = data_node_args(dir, port);
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
                Node::start("sentinel", |dir, port| {
                    let config = dir.join("sentinel.conf");
                    let file = |name: &str| dir.join(name).display().to_string();
                    let text = format!(
                        "bind 127.0.0.1\nport {port}\ndaemonize no\ndir {}\npidfile {}\n\
                         logfile {}\nsentinel monitor {MASTER_NAME} 127.0.0.1 {master_port} 2\n\
                         sentinel down-after-milliseconds {MASTER_NAME} 1000\n\
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

    /// Forces a failover (`SENTINEL FAILOVER`) and blocks until the replica is the master,
    /// every sentinel names it, and the old master follows it as a replica. Returns the new
    /// master's port.
    pub fn fail_over(&self) -> u16 {
        let old = self.master_port();
        let Some(new) = self.data.iter().map(Node::port).find(|port| *port != old) else {
            panic!("no replica to fail over to");
        };
        self.sentinels[0].cli(&["sentinel", "failover", MASTER_NAME]);
        wait_until("the failover", Duration::from_secs(30), || {
            let promoted = cli(new, &["role"]).starts_with("master");
            let demoted = cli(old, &["info", "replication"]).contains("master_link_status:up");
            promoted
                && demoted
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
