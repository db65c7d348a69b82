//! A throw-away Redis Cluster: three masters on random loopback ports, the 16384 slots split
//! between them by `redis-cli --cluster create`. [`cluster`] starts one per test process on
//! first use (a second or so); tests share it and stay apart by key prefix, as with
//! [`super::server`]. The nodes go away with the process (watchdogs).

use super::node::{Node, data_node_args, wait_until};
use crate::tls::TestCertificates;
use std::sync::OnceLock;
use std::time::Duration;

static CLUSTER: OnceLock<RedisCluster> = OnceLock::new();

/// The test process's shared cluster, started on first use.
pub fn cluster() -> &'static RedisCluster {
    CLUSTER.get_or_init(RedisCluster::start_new)
}

/// Three masters, no replicas, no password.
#[derive(Debug)]
pub struct RedisCluster {
    masters: Vec<Node>,
}

impl RedisCluster {
    /// Starts three nodes, assigns the slots, and blocks until every node reports
    /// `cluster_state:ok`.
    pub fn start_new() -> Self {
        Self::start(None)
    }

    /// As [`Self::start_new`], speaking TLS only (clients, cluster bus) with the server
    /// certificate of `certs`, which names `127.0.0.1`, the address the nodes announce.
    pub fn start_with_tls(certs: &TestCertificates) -> Self {
        Self::start(Some(certs))
    }

    fn start(certs: Option<&TestCertificates>) -> Self {
        let masters: Vec<Node> = (0..3)
            .map(|_| {
                Node::start("cluster", certs, |dir, port| {
                    let mut args = data_node_args(dir, port, certs.is_some());
                    if certs.is_some() {
                        args.extend(["--tls-cluster".to_owned(), "yes".to_owned()]);
                    }
                    args.extend(
                        [
                            "--cluster-enabled",
                            "yes",
                            "--cluster-config-file",
                            &dir.join("nodes.conf").display().to_string(),
                            // The default: a node stalled for a moment on a loaded machine
                            // must not fail the cluster (it has no replicas to fail over to).
                            "--cluster-node-timeout",
                            "15000",
                        ]
                        .map(str::to_owned),
                    );
                    args
                })
            })
            .collect();
        let addresses: Vec<String> = masters
            .iter()
            .map(|node| format!("127.0.0.1:{}", node.port()))
            .collect();
        let mut create = vec!["--cluster", "create"];
        create.extend(addresses.iter().map(String::as_str));
        create.extend(["--cluster-replicas", "0", "--cluster-yes"]);
        masters[0].cli(&create);
        for node in &masters {
            wait_until(
                "cluster_state:ok on every node",
                Duration::from_secs(20),
                || node.cli(&["cluster", "info"]).contains("cluster_state:ok"),
            );
        }
        Self { masters }
    }

    /// `(host, port)` of every master, for the store's node list.
    pub fn nodes(&self) -> Vec<(String, u16)> {
        self.masters
            .iter()
            .map(|node| ("127.0.0.1".to_owned(), node.port()))
            .collect()
    }

    /// How many keys starting with `prefix` each master holds (`SCAN MATCH`), in node order.
    pub fn keys_per_master(&self, prefix: &str) -> Vec<usize> {
        let pattern = format!("{prefix}*");
        self.masters
            .iter()
            .map(|node| {
                node.cli(&["--scan", "--pattern", &pattern])
                    .lines()
                    .filter(|line| !line.is_empty())
                    .count()
            })
            .collect()
    }
}
