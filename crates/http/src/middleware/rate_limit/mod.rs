//! Per-IP rate limits, counted once the router has matched a route and before the body is read,
//! so a refused login costs no bcrypt. The route table wraps each limited route in [`limited`]
//! with the [`Limit`] it declares; a request counts against each of its groups under the key
//! `rl:<group>:<bucket>` (the client's IPv4 address or IPv6 network, see [`bucket`]); the most restrictive decision is the one
//! reported in `X-RateLimit-*`, on success and error answers alike, and a refusal is a 429
//! `RATE_LIMIT_EXCEEDED` with `Retry-After` and `retryAfter`.
//!
//! A limiter that fails or does not answer within [`LIMITER_TIMEOUT`] lets the request through
//! without headers: limits protect the service, and refusing every request because Redis is down
//! would be the outage they exist to prevent. (Over Redis, `authd-resilience`'s
//! `FallbackRateLimiter` already falls back to a local one; this is the last line.) The failure
//! is logged at most once a minute.

mod bucket;
mod group;
mod throttle;
mod verdict;

#[cfg(test)]
mod tests;

pub use bucket::Ipv6Prefix;
pub use group::{Limit, LimitGroup};
pub use verdict::{exceeded_message, retry_after_of, write_limit_headers};

use crate::error::ApiError;
use crate::extractors::request_ip;
use crate::metrics::HttpMetrics;
use crate::middleware::request_id;
use crate::settings::RateLimits;
use actix_web::Route;
use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::{Next, from_fn};
use actix_web::web::Data;
use authd_domain::ports::{Clock, RateLimiter};
pub(crate) use bucket::bucket;
use futures_util::future::join_all;
use ipnet::IpNet;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
pub(crate) use throttle::LogThrottle;
use verdict::{Verdict, most_restrictive};

/// A counter hit is one Redis round trip; a limiter slower than this is treated as failed.
pub const LIMITER_TIMEOUT: Duration = Duration::from_secs(1);

const WARN_INTERVAL: Duration = Duration::from_secs(60);

/// The key of clients whose address is unknown (no socket peer, as on a Unix socket): they share
/// one bucket rather than escape the limits.
const UNKNOWN_IP: &str = "unknown";

/// What the middleware needs, registered as app data by [`crate::app`].
pub struct RateLimiting {
    limiter: Arc<dyn RateLimiter>,
    limits: RateLimits,
    trusted_proxies: Vec<IpNet>,
    /// For `X-RateLimit-Reset`.
    clock: Arc<dyn Clock>,
    warnings: LogThrottle,
}

impl RateLimiting {
    #[must_use]
    pub fn new(
        limiter: Arc<dyn RateLimiter>,
        limits: RateLimits,
        trusted_proxies: Vec<IpNet>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            limiter,
            limits,
            trusted_proxies,
            clock,
            warnings: LogThrottle::new(WARN_INTERVAL),
        }
    }

    /// Counts one hit in each group; `None` when no limiter answered.
    async fn check(&self, groups: &[LimitGroup], ip: &str) -> Option<Verdict> {
        let hits = groups.iter().map(|&group| async move {
            let key = format!("rl:{}:{ip}", group.as_str());
            let hit = self.limiter.hit(&key, self.limits.of(group));
            match tokio::time::timeout(LIMITER_TIMEOUT, hit).await {
                Ok(Ok(decision)) => Some(Verdict { group, decision }),
                Ok(Err(e)) => {
                    self.warn(&e);
                    None
                }
                Err(_) => {
                    self.warn(&"no answer in time");
                    None
                }
            }
        });
        most_restrictive(join_all(hits).await.into_iter().flatten())
    }

    fn warn(&self, error: &dyn fmt::Display) {
        if self.warnings.permit() {
            tracing::warn!(
                error = %error,
                "rate limiter failed: requests pass unlimited until it recovers \
                 (logged at most once a minute)"
            );
        }
    }
}

impl fmt::Debug for RateLimiting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimiting")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// `route`, counted against the groups of `limit` before it runs (nothing when `Exempt`).
#[must_use]
pub fn limited(route: Route, limit: Limit) -> Route {
    if limit == Limit::Exempt {
        return route;
    }
    route.wrap(from_fn(move |req: ServiceRequest, next: Next<BoxBody>| {
        rate_limit(limit.groups(), req, move |req| next.call(req))
    }))
}

/// Counts `req` against `groups`, then answers it with `inner` unless a limit refused it.
/// `inner` is the rest of the route: the handler, or the access check and then the handler
/// (one middleware for both, so that a route costs one layer).
pub(crate) async fn rate_limit<F, Fut, B>(
    groups: &'static [LimitGroup],
    req: ServiceRequest,
    inner: F,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error>
where
    F: FnOnce(ServiceRequest) -> Fut,
    Fut: Future<Output = Result<ServiceResponse<B>, actix_web::Error>>,
    B: MessageBody,
{
    let limiting = req.app_data::<Data<RateLimiting>>().cloned();
    let limiting = limiting.filter(|l| l.limits.enabled && !groups.is_empty());
    // Browsers send preflights on their own, ahead of the request that does count; the CORS
    // middleware answers them before routing, and any other `OPTIONS` is not counted either.
    let (verdict, now) = match limiting {
        Some(limiting) if req.method() != Method::OPTIONS => {
            let peer = req.peer_addr().map(|addr| addr.ip());
            let ip = request_ip(req.headers(), peer, &limiting.trusted_proxies).map_or_else(
                || UNKNOWN_IP.to_owned(),
                |ip| bucket(ip, limiting.limits.ipv6_prefix),
            );
            let verdict = limiting.check(groups, &ip).await;
            // The reset is relative to the hit, not to when the handler finishes.
            (verdict, limiting.clock.now().timestamp())
        }
        _ => (None, 0),
    };
    match verdict {
        Some(verdict) if !verdict.allowed() => {
            tracing::info!(
                group = verdict.group.as_str(),
                "request refused: rate limit exceeded"
            );
            if let Some(metrics) = req.app_data::<Data<HttpMetrics>>() {
                metrics.rate_limited(verdict.group);
            }
            let refusal = ApiError::RateLimitExceeded {
                group: verdict.group,
                retry_after: verdict.retry_after_secs(),
            };
            let mut res = refusal.render(&request_id::current());
            verdict.write_headers(res.headers_mut(), now);
            Ok(req.into_response(res).map_into_right_body())
        }
        verdict => {
            let mut res = inner(req).await?;
            // A 429 the handler answered (the per-user MFA limit) carries the headers of the
            // limit that refused it; the per-IP allowance would contradict them.
            let refused_inside = res.status() == actix_web::http::StatusCode::TOO_MANY_REQUESTS
                && res.headers().contains_key("x-ratelimit-limit");
            if let Some(verdict) = verdict.filter(|_| !refused_inside) {
                verdict.write_headers(res.headers_mut(), now);
            }
            Ok(res.map_into_left_body())
        }
    }
}
