//! The short-lived shared state: the access-token denylist and the rate-limit counters, in Redis
//! when it is configured, in memory otherwise; and the `redis` probe of `/v1/health`.
//!
//! When Redis is unreachable (docs/redis.md): rate limits fall back to per-instance counters
//! ([`FallbackRateLimiter`]); the denylist has no fallback, so authenticated requests answer 503
//! rather than let a revoked token through, and once Redis is back the [`GuardedDenylist`] also
//! checks sessions in storage for a while, in case Redis missed or lost a denial.

use super::metrics::PoolSource;
use crate::app::StartupError;
use crate::config::RedisConfig;
use async_trait::async_trait;
use authd_domain::ports::{Clock, RateLimiter, SessionRepository, TokenDenylist};
use authd_http::{FixedProbe, Probe, ProbeStatus};
use authd_memory::{MemoryDenylist, MemoryRateLimiter};
use authd_redis::RedisStore;
use authd_resilience::{FallbackRateLimiter, GuardedDenylist};
use std::sync::Arc;

pub(super) struct Cache {
    pub(super) denylist: Arc<dyn TokenDenylist>,
    pub(super) rate_limiter: Arc<dyn RateLimiter>,
    /// Distinct accounts failed per address (credential stuffing), in the rate-limit store.
    pub(super) failure_spread: Arc<dyn authd_domain::ports::FailureSpread>,
    pub(super) probe: Arc<dyn Probe>,
    /// The connection pool's figures, for `/metrics` (none in memory).
    pub(super) pool: Option<PoolSource>,
}

/// Redis, whose denials are guarded by `sessions` for `horizon` (the access-token lifetime)
/// after any doubt.
pub(super) async fn redis(
    config: &RedisConfig,
    clock: Arc<dyn Clock>,
    sessions: Arc<dyn SessionRepository>,
    horizon: chrono::Duration,
) -> Result<Cache, StartupError> {
    let store = RedisStore::connect(&config.settings(), clock.clone())
        .await
        .map_err(|source| StartupError::Redis {
            target: config.target(),
            source,
        })?;
    let store = Arc::new(store);
    tracing::info!(
        redis = %config.target(),
        tls = config.tls(),
        timeout_ms = config.timeout.as_millis(),
        "denylist and rate limits: Redis (shared by every instance)"
    );
    let local = Arc::new(MemoryRateLimiter::new(clock.clone()));
    let denylist = GuardedDenylist::start(store.clone(), sessions, clock, horizon).await;
    Ok(Cache {
        denylist,
        rate_limiter: Arc::new(FallbackRateLimiter::new(store.clone(), local)),
        failure_spread: store.clone(),
        pool: Some({
            let store = store.clone();
            Arc::new(move || store.pool_stats())
        }),
        probe: Arc::new(RedisProbe(store)),
    })
}

pub(super) fn memory(clock: Arc<dyn Clock>, shared_storage: bool) -> Cache {
    if shared_storage {
        tracing::warn!(
            "no REDIS_URL: the access-token denylist and the rate limits are kept in this \
             process. Run ONE instance only: with several, a token revoked on one instance \
             still passes on the others and each instance counts its own limits. Set \
             REDIS_URL (or REDIS_HOST) to run several (docs/redis.md)"
        );
    } else {
        tracing::info!("denylist and rate limits: in memory (one instance)");
    }
    Cache {
        denylist: Arc::new(MemoryDenylist::new(clock.clone())),
        rate_limiter: Arc::new(MemoryRateLimiter::new(clock.clone())),
        failure_spread: Arc::new(MemoryRateLimiter::new(clock)),
        probe: Arc::new(FixedProbe(ProbeStatus::Disabled)),
        pool: None,
    }
}

/// `redis` in `/v1/health`: whether Redis answers a PING right now.
struct RedisProbe(Arc<RedisStore>);

#[async_trait]
impl Probe for RedisProbe {
    async fn status(&self) -> ProbeStatus {
        if self.0.ping().await {
            ProbeStatus::Healthy
        } else {
            ProbeStatus::Unhealthy
        }
    }
}
