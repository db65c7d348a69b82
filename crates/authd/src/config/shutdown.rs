//! Stopping on SIGTERM: how long readiness is off while the instance still takes requests
//! (`SHUTDOWN_DRAIN_DELAY`), then how long requests in flight may take once it stops accepting
//! (`SHUTDOWN_GRACE`). A bare number is seconds.

use super::reader::Reader;
use super::values;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShutdownConfig {
    /// `SHUTDOWN_DRAIN_DELAY` (5s): after SIGTERM, `/health/ready` answers 503 but new requests
    /// are still served, for load balancers to notice; 0 stops accepting at once.
    pub drain: Duration,
    /// `SHUTDOWN_GRACE` (25s): then, how long requests in flight may take to finish.
    pub grace: Duration,
}

impl Default for ShutdownConfig {
    fn default() -> Self {
        Self {
            drain: Duration::from_secs(5),
            grace: Duration::from_secs(25),
        }
    }
}

/// Longer would outlast any orchestrator's patience (Kubernetes kills after
/// `terminationGracePeriodSeconds`, 30 s by default).
const MAX: Duration = Duration::from_secs(600);

pub(super) fn shutdown(r: &mut Reader) -> ShutdownConfig {
    let defaults = ShutdownConfig::default();
    ShutdownConfig {
        drain: r.or("SHUTDOWN_DRAIN_DELAY", defaults.drain, |v| {
            values::short_duration(v, 1000, MAX)
        }),
        grace: r.or("SHUTDOWN_GRACE", defaults.grace, |v| {
            let grace = values::short_duration(v, 1000, MAX)?;
            // Zero would cut every request in flight: that is a kill, not a graceful stop.
            if grace < Duration::from_secs(1) {
                return Err(format!("{v:?} is too short (at least 1s)"));
            }
            Ok(grace)
        }),
    }
}
