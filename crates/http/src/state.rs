//! What every handler can reach: the domain services, the token codec (for JWKS), the settings
//! and the health probes of the backing services.

use crate::settings::HttpSettings;
use async_trait::async_trait;
use authd_domain::ports::AccessTokenCodec;
use authd_domain::services::Services;
use std::fmt;
use std::sync::Arc;
use std::time::Instant;

/// How a backing service is doing, as reported by `GET /v1/health`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeStatus {
    Healthy,
    Unhealthy,
    /// Not configured (e.g. `redis` on the embedded default).
    Disabled,
}

impl ProbeStatus {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Healthy => "healthy",
            Self::Unhealthy => "unhealthy",
            Self::Disabled => "disabled",
        }
    }
}

/// Checks one backing service. Implementations should answer quickly; the health endpoints give
/// each probe a short time limit and count a timeout as `Unhealthy`.
#[async_trait]
pub trait Probe: Send + Sync {
    async fn status(&self) -> ProbeStatus;
}

/// A probe that always answers the same: `Disabled` for an unconfigured service, `Healthy` for one
/// that cannot fail (in-memory storage, the file mail transport).
#[derive(Debug, Clone, Copy)]
pub struct FixedProbe(pub ProbeStatus);

#[async_trait]
impl Probe for FixedProbe {
    async fn status(&self) -> ProbeStatus {
        self.0
    }
}

#[derive(Clone)]
pub struct HealthProbes {
    pub database: Arc<dyn Probe>,
    pub redis: Arc<dyn Probe>,
    pub email: Arc<dyn Probe>,
}

impl fmt::Debug for HealthProbes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HealthProbes { .. }")
    }
}

#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub access_tokens: Arc<dyn AccessTokenCodec>,
    pub settings: Arc<HttpSettings>,
    pub health: HealthProbes,
    /// For the `uptime` of `GET /v1/health`.
    pub started_at: Instant,
}

impl AppState {
    /// Starts the uptime clock now.
    #[must_use]
    pub fn new(
        services: Services,
        access_tokens: Arc<dyn AccessTokenCodec>,
        settings: HttpSettings,
        health: HealthProbes,
    ) -> Self {
        Self {
            services,
            access_tokens,
            settings: Arc::new(settings),
            health,
            started_at: Instant::now(),
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
