//! The connection pools of the backing services, read at each scrape (a read of a few atomics
//! and one short lock per pool).

use authd_domain::telemetry::PoolStats;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use std::fmt;

type Source = Box<dyn Fn() -> PoolStats + Send + Sync>;

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct PoolLabels {
    backend: &'static str,
}

/// The pools to report, each under its label (`postgres`, `redis`).
#[derive(Default)]
pub struct Pools {
    sources: Vec<(&'static str, Source)>,
}

impl Pools {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Reports the pool `stats` returns as `backend="<name>"`.
    #[must_use]
    pub fn with(
        mut self,
        name: &'static str,
        stats: impl Fn() -> PoolStats + Send + Sync + 'static,
    ) -> Self {
        self.sources.push((name, Box::new(stats)));
        self
    }
}

impl fmt::Debug for Pools {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.sources.iter().map(|(name, _)| *name).collect();
        f.debug_struct("Pools").field("pools", &names).finish()
    }
}

type Field = fn(&PoolStats) -> Option<u64>;

const GAUGES: [(&str, &str, Field); 4] = [
    (
        "pool_max_connections",
        "The most connections the pool opens",
        |s| Some(s.max),
    ),
    (
        "pool_open_connections",
        "Connections the pool holds open",
        |s| Some(s.open),
    ),
    ("pool_in_use_connections", "Connections lent out", |s| {
        Some(s.in_use)
    }),
    ("pool_waiting", "Callers waiting for a connection", |s| {
        Some(s.waiting)
    }),
];

const COUNTERS: [(&str, &str, Field); 2] = [
    (
        "pool_waits",
        "Connection checkouts that had to wait for a free connection",
        |s| s.waits_total,
    ),
    (
        "backend_errors",
        "Calls that could not reach the backing service: no connection, a broken one, a timeout",
        |s| Some(s.errors_total),
    ),
];

impl Collector for Pools {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), fmt::Error> {
        if self.sources.is_empty() {
            return Ok(());
        }
        let stats: Vec<(&'static str, PoolStats)> = self
            .sources
            .iter()
            .map(|(name, read)| (*name, read()))
            .collect();
        for (name, help, field) in GAUGES {
            let mut family = encoder.encode_descriptor(name, help, None, MetricType::Gauge)?;
            for (pool, s) in &stats {
                if let Some(v) = field(s) {
                    ConstGauge::new(i64::try_from(v).unwrap_or(i64::MAX))
                        .encode(family.encode_family(&PoolLabels { backend: pool })?)?;
                }
            }
        }
        for (name, help, field) in COUNTERS {
            if stats.iter().all(|(_, s)| field(s).is_none()) {
                continue;
            }
            let mut family = encoder.encode_descriptor(name, help, None, MetricType::Counter)?;
            for (pool, s) in &stats {
                if let Some(v) = field(s) {
                    ConstCounter::new(v)
                        .encode(family.encode_family(&PoolLabels { backend: pool })?)?;
                }
            }
        }
        Ok(())
    }
}
