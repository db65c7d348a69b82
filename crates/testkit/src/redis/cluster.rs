//! A throw-away Redis Cluster: three masters on random loopback ports, the 16384 slots split
//! between them by `redis-cli --cluster create`. [`cluster`] starts one per test process on
//! first use (a second or so); tests share it and stay apart by key prefix, as with
//! [`super::server`]. A test that fails a master over starts a cluster of its own with a
//! replica per master ([`RedisCluster::start_to_fail_over`]). The nodes go away with the
//! process (watchdogs).

use super::free_port;
use super::node::{Node, data_node_args, try_cli, wait_until};
use crate::tls::TestCertificates;
use std::sync::OnceLock;
use std::time::Duration;

static CLUSTER: OnceLock<RedisCluster> = OnceLock::new();

/// The test process's shared cluster, started on first use.
pub fn cluster() -> &'static RedisCluster {
    CLUSTER.get_or_init(RedisCluster::start_new)
}

/// Three masters (and, to fail over, a replica each), no password.
#[derive(Debug)]
pub struct RedisCluster {
    /// The masters first, then their replicas, in the order given to `--cluster create`.
    nodes: Vec<Node>,
}

/// How the cluster is started.
struct Shape<'a> {
    certs: Option<&'a TestCertificates>,
    replicas: bool,
    /// `cluster-node-timeout`: how long a node may not answer before it counts as failed.
    node_timeout: Duration,
}

impl RedisCluster {
    /// Starts three masters, assigns the slots, and blocks until every node reports
    /// `cluster_state:ok`. A node that stalls on a loaded machine counts as failed only after
    /// 15 s (the default), so nothing fails over under tests that do not expect it.
    pub fn start_new() -> Self {
        Self::start(&Shape {
            certs: None,
            replicas: false,
            node_timeout: Duration::from_secs(15),
        })
    }

    /// As [`Self::start_new`], speaking TLS only (clients, cluster bus) with the server
    /// certificate of `certs`, which names `127.0.0.1`, the address the nodes announce.
    pub fn start_with_tls(certs: &TestCertificates) -> Self {
        Self::start(&Shape {
            certs: Some(certs),
            replicas: false,
            node_timeout: Duration::from_secs(15),
        })
    }

    /// Three masters with a replica each, which takes over 1 s after its master stops
    /// answering; for [`Self::fail_over`].
    pub fn start_to_fail_over() -> Self {
        Self::start(&Shape {
            certs: None,
            replicas: true,
            node_timeout: Duration::from_secs(1),
        })
    }

    fn start(shape: &Shape<'_>) -> Self {
        let tls = shape.certs.is_some();
        let node_timeout = shape.node_timeout.as_millis().to_string();
        let count = if shape.replicas { 6 } else { 3 };
        let nodes: Vec<Node> = (0..count)
            .map(|_| {
                Node::start("cluster", shape.certs, |dir, port| {
                    let mut args = data_node_args(dir, port, tls);
                    if tls {
                        args.extend(["--tls-cluster".to_owned(), "yes".to_owned()]);
                    }
                    args.extend(
                        [
                            "--cluster-enabled",
                            "yes",
                            "--cluster-config-file",
                            &dir.join("nodes.conf").display().to_string(),
                            "--cluster-node-timeout",
                            &node_timeout,
                            // The bus port of its own: by default the client port + 10000,
                            // which nobody reserved (and past 65535 for a high client port).
                            "--cluster-port",
                            &free_port().to_string(),
                        ]
                        .map(str::to_owned),
                    );
                    args
                })
            })
            .collect();
        let addresses: Vec<String> = nodes
            .iter()
            .map(|node| format!("127.0.0.1:{}", node.port()))
            .collect();
        let mut create = vec!["--cluster", "create"];
        create.extend(addresses.iter().map(String::as_str));
        let replicas = if shape.replicas { "1" } else { "0" };
        create.extend(["--cluster-replicas", replicas, "--cluster-yes"]);
        nodes[0].cli(&create);
        let cluster = Self { nodes };
        cluster.wait_until_ok(&cluster.nodes);
        cluster
    }

    /// Blocks until every node of `nodes` reports `cluster_state:ok`.
    fn wait_until_ok(&self, nodes: &[Node]) {
        for node in nodes {
            wait_until(
                "cluster_state:ok on every node",
                Duration::from_secs(20),
                || node.cli(&["cluster", "info"]).contains("cluster_state:ok"),
            );
        }
    }

    /// `(host, port)` of every node, for the store's node list.
    pub fn nodes(&self) -> Vec<(String, u16)> {
        self.nodes
            .iter()
            .map(|node| ("127.0.0.1".to_owned(), node.port()))
            .collect()
    }

    /// How many keys starting with `prefix` each master holds (`SCAN MATCH`), in node order.
    pub fn keys_per_master(&self, prefix: &str) -> Vec<usize> {
        let pattern = format!("{prefix}*");
        self.nodes
            .iter()
            .filter(|node| node.cli(&["role"]).starts_with("master"))
            .map(|node| {
                node.cli(&["--scan", "--pattern", &pattern])
                    .lines()
                    .filter(|line| !line.is_empty())
                    .count()
            })
            .collect()
    }

    /// Kills the first master once its replica has every write it took, and blocks until the
    /// replica has taken over its slots and the rest of the cluster reports `cluster_state:ok`.
    /// Only for a cluster from [`Self::start_to_fail_over`].
    pub fn fail_over(&self) {
        let master = &self.nodes[0];
        let offset = |node: &Node| {
            node.cli(&["info", "replication"])
                .lines()
                .find_map(|line| line.strip_prefix("master_repl_offset:"))
                .map(|offset| offset.trim().to_owned())
        };
        let Some(replica) = self.nodes[1..].iter().find(|node| {
            node.cli(&["role"])
                .lines()
                .nth(2)
                .is_some_and(|port| port.trim() == master.port().to_string())
        }) else {
            panic!("the first master has no replica to fail over to");
        };
        wait_until("the replica's catching up", Duration::from_secs(10), || {
            offset(master) == offset(replica)
        });
        master.stop();
        wait_until("the replica's promotion", Duration::from_secs(30), || {
            replica.cli(&["role"]).starts_with("master")
        });
        self.wait_until_ok(&self.nodes[1..]);
    }

    /// Kills the first master without a failover to follow (in a cluster without replicas,
    /// its slots stay down; the others serve theirs until the node timeout marks it failed).
    pub fn stop_first_master(&self) {
        self.nodes[0].stop();
    }

    /// `SCRIPT FLUSH` on every node that runs: the scripts are gone, as after a restart.
    pub fn flush_scripts(&self) {
        for node in &self.nodes {
            let _ = try_cli(node.port(), &["script", "flush"]);
        }
    }
}
