//! The metrics of one running service: a registry of its own (never a process-global one), the
//! domain's telemetry, the HTTP layer's counters, the connection pools, the sampled gauges, the
//! build and the process; and the task that refreshes the sampled gauges.
//!
//! With `ENABLE_METRICS=false` none of it exists: the domain reports to `NoTelemetry`, requests
//! are not counted and `/metrics` is a 404.

use crate::config::MetricsConfig;
use authd_domain::ports::{Clock, Outbox, SessionRepository};
use authd_domain::telemetry::{NoTelemetry, PoolStats, Telemetry};
use authd_http::prometheus_client::registry::Registry;
use authd_http::{HealthProbes, HttpMetrics, MetricsEndpoint, Probe, ProbeStatus};
use authd_metrics::{DomainMetrics, Pools, ProcessCollector, Sampled};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// The request counters and the `/metrics` endpoint, for the HTTP layer.
pub(crate) type HttpInstruments = (Arc<HttpMetrics>, Arc<MetricsEndpoint>);

/// A pool's figures, read at each scrape.
pub(super) type PoolSource = Arc<dyn Fn() -> PoolStats + Send + Sync>;

/// What the sampler counts and checks.
pub(crate) struct SamplerInputs {
    pub(crate) outbox: Arc<dyn Outbox>,
    pub(crate) sessions: Arc<dyn SessionRepository>,
    pub(crate) probes: HealthProbes,
    pub(crate) clock: Arc<dyn Clock>,
}

/// Refreshes the sampled gauges every `every` until stopped.
pub(crate) struct Sampler {
    gauges: Sampled,
    inputs: SamplerInputs,
    every: Duration,
}

/// The instruments, once registered.
pub(crate) struct Instruments {
    pub(crate) telemetry: Arc<dyn Telemetry>,
    registry: Option<Registry>,
    http: Option<Arc<HttpMetrics>>,
    sampled: Option<Sampled>,
    token: Option<secrecy::SecretString>,
    every: Duration,
}

impl Instruments {
    /// Registers everything but the pools and the sampler's inputs, which come later.
    pub(crate) fn new(config: &MetricsConfig) -> Self {
        if !config.enabled {
            return Self {
                telemetry: Arc::new(NoTelemetry),
                registry: None,
                http: None,
                sampled: None,
                token: None,
                every: config.sample_interval,
            };
        }
        let mut root = Registry::default();
        // The process_* names are the same in every exporter: no prefix.
        root.register_collector(Box::new(ProcessCollector));
        let authd = root.sub_registry_with_prefix("authd");
        authd_metrics::register_build_info(authd, env!("CARGO_PKG_VERSION"));
        let telemetry = Arc::new(DomainMetrics::register(authd));
        let http = Arc::new(HttpMetrics::register(authd, &authd_http::route_table()));
        let sampled = Sampled::register(authd);
        Self {
            telemetry,
            registry: Some(root),
            http: Some(http),
            sampled: Some(sampled),
            token: config.token.clone(),
            every: config.sample_interval,
        }
    }

    /// Adds the connection pools (`postgres`, `redis`) and hands the HTTP layer its part; the
    /// sampler is returned to be run with the service.
    pub(crate) fn finish(
        mut self,
        pools: Vec<(&'static str, PoolSource)>,
        inputs: SamplerInputs,
    ) -> (Option<HttpInstruments>, Option<Sampler>) {
        let (Some(mut root), Some(http), Some(gauges)) =
            (self.registry.take(), self.http.take(), self.sampled.take())
        else {
            return (None, None);
        };
        if !pools.is_empty() {
            let collector = pools.into_iter().fold(Pools::new(), |all, (name, read)| {
                all.with(name, move || read())
            });
            root.sub_registry_with_prefix("authd")
                .register_collector(Box::new(collector));
        }
        let endpoint = Arc::new(MetricsEndpoint::new(root, self.token.take()));
        let sampler = Sampler {
            gauges,
            inputs,
            every: self.every,
        };
        (Some((http, endpoint)), Some(sampler))
    }
}

impl Sampler {
    /// Samples at once, then every interval, until `stop` turns true.
    pub(crate) async fn run(self, stop: watch::Receiver<bool>) {
        crate::periodic::every(self.every, stop, || self.sample()).await;
    }

    async fn sample(&self) {
        let SamplerInputs {
            outbox,
            sessions,
            probes,
            clock,
        } = &self.inputs;
        // A failed count leaves the last value: the backend_up gauge says why.
        match outbox.counts().await {
            Ok(c) => self.gauges.outbox(c.pending, c.retrying, c.dead),
            Err(e) => tracing::debug!(error = %e, "metrics: could not count the outbox"),
        }
        match sessions.count_active(clock.now()).await {
            Ok(n) => self.gauges.active_sessions(n),
            Err(e) => tracing::debug!(error = %e, "metrics: could not count the sessions"),
        }
        for (backend, probe) in [
            ("database", &probes.database),
            ("redis", &probes.redis),
            ("email", &probes.email),
        ] {
            self.up(backend, &**probe).await;
        }
    }

    async fn up(&self, backend: &'static str, probe: &dyn Probe) {
        match probe.status().await {
            ProbeStatus::Healthy => self.gauges.up(backend, true),
            ProbeStatus::Unhealthy => self.gauges.up(backend, false),
            ProbeStatus::Disabled => {}
        }
    }
}
