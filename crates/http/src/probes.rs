//! Health probes of the backing services (database, Redis, mail) for `GET /v1/health` and
//! `GET /health/ready`, and [`CachedProbe`], which keeps those endpoints from turning an
//! orchestrator's or an attacker's polling into load on the services they check; and
//! [`Draining`], which turns readiness off for good once shutdown begins.

use async_trait::async_trait;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;

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

/// Whether shutdown has begun. From then on `GET /health/ready` answers 503 whatever the backing
/// services say, so that load balancers stop sending new requests while the instance still
/// serves the ones they already sent. It never turns back: a stopping instance is not restarted
/// in place. Clones share the flag.
#[derive(Debug, Clone, Default)]
pub struct Draining(Arc<AtomicBool>);

impl Draining {
    /// Marks the instance as stopping.
    pub fn start(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    #[must_use]
    pub fn is_draining(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Runs the real check at most once per `ttl` and answers the last result in between. Callers
/// that arrive while a check runs wait for it and share its answer (no thundering herd); a check
/// slower than `timeout` counts as `Unhealthy` and is cached like any other answer, so a hung
/// service is not asked again before `ttl` has passed.
pub struct CachedProbe {
    inner: Arc<dyn Probe>,
    ttl: Duration,
    timeout: Duration,
    // An async lock held across the check: that is what makes concurrent callers share one.
    last: Mutex<Option<(Instant, ProbeStatus)>>,
}

impl CachedProbe {
    #[must_use]
    pub fn new(inner: Arc<dyn Probe>, ttl: Duration, timeout: Duration) -> Self {
        Self {
            inner,
            ttl,
            timeout,
            last: Mutex::new(None),
        }
    }
}

impl fmt::Debug for CachedProbe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedProbe")
            .field("ttl", &self.ttl)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl Probe for CachedProbe {
    async fn status(&self) -> ProbeStatus {
        let mut last = self.last.lock().await;
        if let Some((checked_at, status)) = *last
            && checked_at.elapsed() < self.ttl
        {
            return status;
        }
        let status = tokio::time::timeout(self.timeout, self.inner.status())
            .await
            .unwrap_or(ProbeStatus::Unhealthy);
        *last = Some((Instant::now(), status));
        status
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Counts its checks; each takes `delay` and answers `status`.
    struct Counting {
        checks: AtomicUsize,
        delay: Duration,
        status: ProbeStatus,
    }

    impl Counting {
        fn new(delay: Duration, status: ProbeStatus) -> Arc<Self> {
            Arc::new(Self {
                checks: AtomicUsize::new(0),
                delay,
                status,
            })
        }

        fn checks(&self) -> usize {
            self.checks.load(Ordering::SeqCst)
        }
    }

    #[async_trait]
    impl Probe for Counting {
        async fn status(&self) -> ProbeStatus {
            self.checks.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(self.delay).await;
            self.status
        }
    }

    const LONG: Duration = Duration::from_secs(60);

    #[test]
    fn draining_is_shared_by_clones_and_never_ends() {
        let draining = Draining::default();
        let seen_by_a_worker = draining.clone();
        assert!(!seen_by_a_worker.is_draining());
        draining.start();
        assert!(seen_by_a_worker.is_draining());
        draining.start();
        assert!(draining.is_draining());
    }

    #[actix_web::test]
    async fn a_hundred_concurrent_callers_share_one_real_check() {
        let inner = Counting::new(Duration::from_millis(50), ProbeStatus::Healthy);
        let cached = CachedProbe::new(inner.clone(), LONG, LONG);
        let answers = futures_util::future::join_all((0..100).map(|_| cached.status())).await;
        assert!(answers.iter().all(|s| *s == ProbeStatus::Healthy));
        assert_eq!(inner.checks(), 1);
    }

    #[actix_web::test]
    async fn a_fresh_answer_is_reused_and_an_expired_one_is_checked_again() {
        let inner = Counting::new(Duration::ZERO, ProbeStatus::Unhealthy);
        let cached = CachedProbe::new(inner.clone(), Duration::from_millis(100), LONG);
        assert_eq!(cached.status().await, ProbeStatus::Unhealthy);
        assert_eq!(cached.status().await, ProbeStatus::Unhealthy);
        assert_eq!(inner.checks(), 1);
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert_eq!(cached.status().await, ProbeStatus::Unhealthy);
        assert_eq!(inner.checks(), 2);
    }

    #[actix_web::test]
    async fn a_check_slower_than_the_timeout_is_unhealthy_and_answers_in_time() {
        let inner = Counting::new(LONG, ProbeStatus::Healthy);
        let cached = CachedProbe::new(inner, LONG, Duration::from_millis(50));
        let started = std::time::Instant::now();
        assert_eq!(cached.status().await, ProbeStatus::Unhealthy);
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[actix_web::test]
    async fn a_timed_out_check_is_cached_so_a_hung_service_is_not_asked_again_at_once() {
        let inner = Counting::new(LONG, ProbeStatus::Healthy);
        let cached = CachedProbe::new(inner.clone(), LONG, Duration::from_millis(20));
        assert_eq!(cached.status().await, ProbeStatus::Unhealthy);
        assert_eq!(cached.status().await, ProbeStatus::Unhealthy);
        assert_eq!(inner.checks(), 1);
    }
}
