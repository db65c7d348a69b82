//! A throw-away Redis Sentinel group: one master, one replica and three sentinels (quorum 2)
//! on random loopback ports. [`sentinels`] starts one per test process for the tests that never
//! fail it over: its master is declared down only after 5 s without an answer, so that a loaded
//! machine does not fail it over by itself under a test that does not expect it. A test that
//! fails a group over starts its own with [`RedisSentinels::start_to_fail_over`] (down after
//! 1 s) and calls [`RedisSentinels::fail_over`], which kills the master as a crash would, or
//! [`RedisSentinels::demote_master`] (`SENTINEL FAILOVER`, the old master stays up); either
//! with a sentinel hung ([`RedisSentinels::hang_sentinel`]).

use super::node::{Node, cli, data_node_args, tls_settings, try_cli, wait_until};
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
    /// Which sentinels are stopped ([`RedisSentinels::hang_sentinel`]): not asked when waiting.
    hung: Mutex<Vec<usize>>,
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
            hung: Mutex::new(Vec::new()),
        }
    }

    /// Stops (`SIGSTOP`) sentinel `index` of [`Self::sentinel_nodes`]: it still accepts
    /// connections (the kernel does) but never answers, like a host that drops packets, until
    /// [`Self::resume_sentinel`]. (Dropping the group kills it all the same.)
    pub fn hang_sentinel(&self, index: usize) {
        self.sentinels[index].signal("STOP");
        self.hung
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(index);
    }

    /// Lets sentinel `index` run again after [`Self::hang_sentinel`].
    pub fn resume_sentinel(&self, index: usize) {
        self.sentinels[index].signal("CONT");
        self.hung
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|i| *i != index);
    }

    /// The sentinels that answer.
    fn answering(&self) -> Vec<&Node> {
        let hung = self
            .hung
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        (0..self.sentinels.len())
            .filter(|i| !hung.contains(i))
            .map(|i| &self.sentinels[i])
            .collect()
    }

    /// `redis-cli <args>` on the current master: its output.
    pub fn master_cli(&self, args: &[&str]) -> String {
        cli(self.master_port(), None, args)
    }

    /// `SENTINEL FAILOVER`: the sentinels promote the replica and turn the master, which stays
    /// up, into its replica. Blocks until the old master says it is a replica of the new one
    /// and every answering sentinel names the new one; returns its port.
    pub fn demote_master(&self) -> u16 {
        let old = self.master_port();
        let Some(new) = self.data.iter().map(Node::port).find(|port| *port != old) else {
            panic!("no replica to fail over to");
        };
        wait_until("the replica's catching up", Duration::from_secs(10), || {
            replication_offset(old) == replication_offset(new)
        });
        let answering = self.answering();
        let reply = answering[0].cli(&["sentinel", "failover", MASTER_NAME]);
        assert!(reply.starts_with("OK"), "SENTINEL FAILOVER: {reply}");
        self.wait_for_master(new);
        wait_until("the old master's demotion", Duration::from_secs(30), || {
            try_cli(old, &["role"]).is_some_and(|role| role.starts_with("slave"))
        });
        new
    }

    /// Blocks until `new` is master and every answering sentinel names it.
    fn wait_for_master(&self, new: u16) {
        wait_until("the failover", Duration::from_secs(30), || {
            try_cli(new, &["role"]).is_some_and(|role| role.starts_with("master"))
                && self.answering().iter().all(|sentinel| {
                    sentinel
                        .cli(&["sentinel", "get-master-addr-by-name", MASTER_NAME])
                        .lines()
                        .nth(1)
                        == Some(new.to_string().as_str())
                })
        });
        *self.master.lock().unwrap_or_else(PoisonError::into_inner) = new;
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
        self.wait_for_master(new);
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
