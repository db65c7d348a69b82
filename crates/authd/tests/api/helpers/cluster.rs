//! Several `authd` processes sharing one PostgreSQL database, one Redis (under one key prefix)
//! and one SMTP server, as behind a load balancer; `next()` spreads requests over them in turn.

use super::{Production, TestApp};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Shared by every instance: tokens issued by one must verify on the others, and a refresh
/// token's successor must be the same whichever instance derives it.
const SHARED_KEYS: [(&str, &str); 3] = [
    ("JWT_ALGORITHM", "HS256"),
    (
        "JWT_ACCESS_SECRET",
        "cluster-access-secret-shared-by-every-instance",
    ),
    (
        "JWT_REFRESH_SECRET",
        "cluster-refresh-secret-shared-by-every-instance",
    ),
];

pub struct Cluster {
    pub nodes: Vec<TestApp>,
    turn: AtomicUsize,
}

impl Cluster {
    /// `count` instances on `production`'s services with `overrides`, started concurrently.
    pub async fn start(production: &Production, count: usize, overrides: &[(&str, &str)]) -> Self {
        let mut all = SHARED_KEYS.to_vec();
        all.extend_from_slice(overrides);
        let nodes =
            futures_util::future::join_all((0..count).map(|_| production.spawn_process(&all)))
                .await;
        Self {
            nodes,
            turn: AtomicUsize::new(0),
        }
    }

    /// The next instance, round robin.
    pub fn next(&self) -> &TestApp {
        let i = self.turn.fetch_add(1, Ordering::SeqCst);
        &self.nodes[i % self.nodes.len()]
    }
}
