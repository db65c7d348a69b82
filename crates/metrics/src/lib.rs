//! authd's metrics adapter, over the Prometheus client library (`prometheus-client`). Each app
//! owns its registry (no global recorder: tests start many apps in one process, and a global one
//! would mix their counters):
//!
//! - [`DomainMetrics`] implements the domain's [`authd_domain::telemetry::Telemetry`] port:
//!   logins by outcome, refreshes, refresh-token reuse, lockouts, the hashing queue, emails;
//! - [`Pools`] reads the connection pools of PostgreSQL and Redis at each scrape;
//! - [`Sampled`] holds what is too costly to count at each scrape (the outbox by state, the
//!   live sessions, whether each backing service answers), set by a periodic task;
//! - [`ProcessCollector`] reports the standard `process_*` metrics, [`register_build_info`]
//!   `authd_build_info`.

mod domain;
mod pools;
mod process;
mod sampled;

pub use domain::DomainMetrics;
pub use pools::Pools;
pub use process::ProcessCollector;
pub use sampled::Sampled;

use prometheus_client::metrics::info::Info;
use prometheus_client::registry::Registry;

/// `authd_build_info{version="…"} 1` (in `registry`, whose prefix is `authd`).
pub fn register_build_info(registry: &mut Registry, version: &'static str) {
    registry.register(
        "build",
        "The running build: its version as a label, the value is always 1",
        Info::new(vec![("version", version)]),
    );
}
