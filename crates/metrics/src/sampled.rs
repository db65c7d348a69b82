//! Gauges too costly to compute at each scrape (a count over the outbox or the sessions, a probe
//! of each backing service): a periodic task sets them, a scrape only reads them.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct StateLabels {
    state: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct BackendLabels {
    backend: &'static str,
}

/// The sampled gauges.
pub struct Sampled {
    outbox: Family<StateLabels, Gauge>,
    sessions: Gauge,
    up: Family<BackendLabels, Gauge>,
}

impl Sampled {
    /// Registers the gauges in `registry` (prefix `authd`).
    pub fn register(registry: &mut Registry) -> Self {
        let this = Self {
            outbox: Family::default(),
            sessions: Gauge::default(),
            up: Family::default(),
        };
        registry.register(
            "outbox_messages",
            "Emails in the outbox by state: pending (never tried), retrying (failed, to be tried again), dead (given up on)",
            this.outbox.clone(),
        );
        registry.register(
            "active_sessions",
            "Sessions not revoked whose refresh token has not expired (sampled)",
            this.sessions.clone(),
        );
        registry.register(
            "backend_up",
            "Whether the backing service answered its last health check (1) or not (0), sampled",
            this.up.clone(),
        );
        this
    }

    pub fn outbox(&self, pending: u64, retrying: u64, dead: u64) {
        for (state, n) in [("pending", pending), ("retrying", retrying), ("dead", dead)] {
            self.outbox
                .get_or_create(&StateLabels { state })
                .set(i64::try_from(n).unwrap_or(i64::MAX));
        }
    }

    pub fn active_sessions(&self, n: u64) {
        self.sessions.set(i64::try_from(n).unwrap_or(i64::MAX));
    }

    /// `backend` is a service of `/v1/health`: `database`, `redis` or `email`.
    pub fn up(&self, backend: &'static str, up: bool) {
        self.up
            .get_or_create(&BackendLabels { backend })
            .set(i64::from(up));
    }
}

impl fmt::Debug for Sampled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sampled").finish_non_exhaustive()
    }
}
