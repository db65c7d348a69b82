//! The HTTP layer's metrics: every request by route template, method and status, its latency by
//! route and method, and the rate-limit refusals by group; and `GET /metrics` ([`scrape`]).
//!
//! Label values are bounded: the route is the template of the table (`/v1/users/me/sessions/
//! {session_id}`), never the path asked for; a path no route matches is `unmatched`; a method
//! outside the standard ones is `OTHER`. Each series is created on its first request and its
//! handle kept, so counting a request afterwards is an atomic add and a histogram observation,
//! with no allocation and no map lookup.

mod endpoint;

pub use endpoint::{__path_scrape, MetricsEndpoint, scrape};

use crate::middleware::rate_limit::LimitGroup;
use crate::routes::RouteSpec;
use actix_web::http::{Method, StatusCode};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::fmt;
use std::sync::OnceLock;
use std::time::Duration;

/// The route label of a request no route matched (a 404, or a preflight answered before routing).
pub const UNMATCHED: &str = "unmatched";

/// Latency buckets, in seconds: a token-authenticated request takes well under a millisecond, a
/// login a bcrypt hash (about 250 ms at cost 12), a stalled backing service its timeout.
const BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

const METHODS: [&str; 8] = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "OTHER",
];

/// The statuses the API answers with, each given a slot so that its counter is kept.
const STATUSES: [u16; 20] = [
    200, 201, 204, 304, 400, 401, 403, 404, 405, 408, 409, 410, 413, 415, 422, 423, 429, 500, 502,
    503,
];

/// The route template of an actix resource, attached to it as app data by the route table so the
/// envelope middleware can read it back from the answered request.
#[derive(Debug, Clone, Copy)]
pub struct RouteTemplate(pub &'static str);

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct RequestLabels {
    route: &'static str,
    method: &'static str,
    status: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct RouteLabels {
    route: &'static str,
    method: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct GroupLabels {
    group: &'static str,
}

type HistogramFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

fn histogram() -> Histogram {
    Histogram::new(BUCKETS)
}

/// The series of one route and method, created on first use.
struct MethodSlot {
    duration: OnceLock<Histogram>,
    by_status: [OnceLock<Counter>; STATUSES.len()],
}

struct RouteSlot {
    route: &'static str,
    methods: [MethodSlot; METHODS.len()],
}

impl RouteSlot {
    fn new(route: &'static str) -> Self {
        Self {
            route,
            methods: std::array::from_fn(|_| MethodSlot {
                duration: OnceLock::new(),
                by_status: std::array::from_fn(|_| OnceLock::new()),
            }),
        }
    }
}

/// The families and the kept handles. Shared by every worker (`Data<HttpMetrics>`).
pub struct HttpMetrics {
    routes: Vec<RouteSlot>,
    unmatched: RouteSlot,
    requests: Family<RequestLabels, Counter>,
    durations: HistogramFamily,
    rate_limited: [Counter; 4],
}

impl HttpMetrics {
    /// Registers the families in `registry` (whose prefix is `authd`) with a slot for every path
    /// of `routes` (the route table).
    pub fn register(registry: &mut Registry, routes: &[RouteSpec]) -> Self {
        let requests = Family::<RequestLabels, Counter>::default();
        let durations: HistogramFamily = Family::new_with_constructor(histogram);
        let limited = Family::<GroupLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by route template, method and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time from a request's arrival to its answer, by route template and method",
            durations.clone(),
        );
        registry.register(
            "rate_limited_requests",
            "Requests refused with 429 by a rate limit, by the group that refused them",
            limited.clone(),
        );
        let mut paths: Vec<&'static str> = Vec::new();
        for route in routes {
            if !paths.contains(&route.path) {
                paths.push(route.path);
            }
        }
        let group = |g: LimitGroup| limited.get_or_create_owned(&GroupLabels { group: g.as_str() });
        Self {
            routes: paths.into_iter().map(RouteSlot::new).collect(),
            unmatched: RouteSlot::new(UNMATCHED),
            requests,
            durations,
            rate_limited: [
                group(LimitGroup::General),
                group(LimitGroup::Login),
                group(LimitGroup::Register),
                group(LimitGroup::PasswordReset),
            ],
        }
    }

    /// One answered request: `route` is the template of the resource that answered, if any.
    pub fn observe(
        &self,
        route: Option<&'static str>,
        method: &Method,
        status: StatusCode,
        took: Duration,
    ) {
        let slot = route
            .and_then(|r| self.routes.iter().find(|slot| slot.route == r))
            .unwrap_or(&self.unmatched);
        let m = method_index(method);
        let method = METHODS[m];
        let per_method = &slot.methods[m];
        per_method
            .duration
            .get_or_init(|| {
                self.durations.get_or_create_owned(&RouteLabels {
                    route: slot.route,
                    method,
                })
            })
            .observe(took.as_secs_f64());
        let status = status.as_u16();
        let labels = || RequestLabels {
            route: slot.route,
            method,
            status,
        };
        match STATUSES.iter().position(|&s| s == status) {
            Some(i) => {
                per_method.by_status[i]
                    .get_or_init(|| self.requests.get_or_create_owned(&labels()))
                    .inc();
            }
            None => {
                self.requests.get_or_create(&labels()).inc();
            }
        }
    }

    /// A request refused by the limit of `group`.
    pub fn rate_limited(&self, group: LimitGroup) {
        let i = match group {
            LimitGroup::General => 0,
            LimitGroup::Login => 1,
            LimitGroup::Register => 2,
            LimitGroup::PasswordReset => 3,
        };
        self.rate_limited[i].inc();
    }
}

fn method_index(method: &Method) -> usize {
    match *method {
        Method::GET => 0,
        Method::HEAD => 1,
        Method::POST => 2,
        Method::PUT => 3,
        Method::DELETE => 4,
        Method::PATCH => 5,
        Method::OPTIONS => 6,
        _ => 7,
    }
}

impl fmt::Debug for HttpMetrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpMetrics")
            .field("routes", &self.routes.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
