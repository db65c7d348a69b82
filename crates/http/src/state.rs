//! What every handler can reach: the domain services, the token codec (for JWKS), the settings,
//! the health probes of the backing services, the rate limiter and the clock.

use crate::metrics::{HttpMetrics, MetricsEndpoint};
use crate::middleware::access::AccessControl;
use crate::middleware::rate_limit::RateLimiting;
use crate::probes::{Draining, HealthProbes};
use crate::settings::HttpSettings;
use authd_domain::ports::{AccessTokenCodec, Clock, Geolocator, NoGeolocation, RateLimiter};
use authd_domain::services::Services;
use std::fmt;
use std::sync::Arc;
use std::time::Instant;

#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub access_tokens: Arc<dyn AccessTokenCodec>,
    pub settings: Arc<HttpSettings>,
    pub health: HealthProbes,
    /// Set when shutdown begins: readiness answers 503 from then on.
    pub draining: Draining,
    /// Every wall-clock time the adapter answers: the error envelope's and health's
    /// `timestamp`, `X-RateLimit-Reset`.
    pub clock: Arc<dyn Clock>,
    /// For the `uptime` of `GET /v1/health` (monotonic, so not from `clock`).
    pub started_at: Instant,
    /// The limiter with `settings.rate_limits`, shared by every worker (so is its log throttle).
    pub(crate) rate_limiting: Arc<RateLimiting>,
    /// The routes' access check, with `settings.roles` and `settings.admin_allowed_ips`.
    pub(crate) access: Arc<AccessControl>,
    /// The request counters and `/metrics`, when metrics are enabled.
    pub(crate) metrics: Option<(Arc<HttpMetrics>, Arc<MetricsEndpoint>)>,
    /// The `location` of sessions (`GEOIP_DATABASE`); knows no place by default.
    pub geolocator: Arc<dyn Geolocator>,
}

impl AppState {
    /// Starts the uptime clock now. `rate_limiter` counts the hits of `settings.rate_limits`; it
    /// is not consulted at all when they are disabled.
    #[must_use]
    pub fn new(
        services: Services,
        access_tokens: Arc<dyn AccessTokenCodec>,
        settings: HttpSettings,
        health: HealthProbes,
        rate_limiter: Arc<dyn RateLimiter>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let rate_limiting = Arc::new(RateLimiting::new(
            rate_limiter,
            settings.rate_limits,
            settings.trusted_proxies.clone(),
            clock.clone(),
        ));
        let access = Arc::new(
            AccessControl::new(services.authenticate.clone(), &settings)
                .with_accounts(services.admin.clone()),
        );
        Self {
            services,
            access_tokens,
            settings: Arc::new(settings),
            health,
            draining: Draining::default(),
            clock,
            started_at: Instant::now(),
            rate_limiting,
            access,
            metrics: None,
            geolocator: Arc::new(NoGeolocation),
        }
    }

    /// Locates sessions with `geolocator`.
    #[must_use]
    pub fn with_geolocator(self, geolocator: Arc<dyn Geolocator>) -> Self {
        Self { geolocator, ..self }
    }

    /// Counts every request in `http` and serves `endpoint` at `/metrics` (a 404 without it).
    #[must_use]
    pub fn with_metrics(self, http: Arc<HttpMetrics>, endpoint: Arc<MetricsEndpoint>) -> Self {
        Self {
            metrics: Some((http, endpoint)),
            ..self
        }
    }
}

impl fmt::Debug for AppState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppState")
            .field("services", &self.services)
            .field("settings", &self.settings)
            .field("health", &self.health)
            .field("started_at", &self.started_at)
            .finish_non_exhaustive()
    }
}
