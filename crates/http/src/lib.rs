//! authd's REST adapter: actix-web routes over the domain services, the error envelope, the
//! request id, security headers, CORS and the refresh cookie. Handlers only extract, call one
//! service and map the answer; every decision lives in the domain.

mod checkinn;
mod connections;
mod cookies;
mod dto;
mod error;
mod extractors;
mod health_report;
mod metrics;
mod middleware;
mod openapi;
mod pages;
mod probes;
mod routes;
mod secret_eq;
mod settings;
mod state;

pub use connections::{Admission, ConnectionLimit};
pub use dto::device::UserAgentNames;
pub use error::ApiError;
pub use ipnet::IpNet;
pub use metrics::{HttpMetrics, MetricsEndpoint, UNMATCHED};
pub use middleware::rate_limit::LimitGroup;
pub use middleware::rate_limit::{Ipv6Prefix, Limit};
pub use probes::{CachedProbe, Draining, FixedProbe, HealthProbes, Probe, ProbeStatus};
pub use prometheus_client;
pub use routes::{Access, Features, RouteSpec, openapi, openapi_of, table as route_table};
pub use settings::{
    DEFAULT_CLIENT_BODY_TIMEOUT, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_CONNECTIONS_PER_IP, Dialects,
    HttpSettings, IntrospectionCallers, RateLimits,
};
pub use state::AppState;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::web::Data;
use actix_web::{App, HttpServer};
use authd_domain::ports::Clock;
use std::net::TcpListener;
use std::sync::Arc;

/// The whole application for one worker (also usable with `actix_web::test::init_service`).
pub fn app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let settings = state.settings.clone();
    let draining = state.draining.clone();
    let features = routes::Features::of(&state);
    let body_timeout = settings.client_body_timeout;
    let rate_limiting = Data::from(state.rate_limiting.clone());
    let access = Data::from(state.access.clone());
    let clock: Data<dyn Clock> = Data::from(state.clock.clone());
    let (http_metrics, metrics_endpoint) = match &state.metrics {
        Some((http, endpoint)) => (
            Some(Data::from(http.clone())),
            Some(Data::from(endpoint.clone())),
        ),
        None => (None, None),
    };
    let mut app = App::new();
    // Without them, requests go uncounted and `/metrics` is a 404.
    if let Some(http) = http_metrics {
        app = app.app_data(http);
    }
    if let Some(endpoint) = metrics_endpoint {
        app = app.app_data(endpoint);
    }
    app.app_data(Data::new(state))
        .app_data(rate_limiting)
        .app_data(access)
        .app_data(clock)
        // The rate limits are the routes' own middleware (see `routes`): inside CORS (a 429
        // still carries the CORS headers, a preflight never reaches them) and inside the
        // envelope (a 429 carries the request id); before any handler or body read.
        .configure(routes::configure(features))
        // A body that missed CLIENT_BODY_TIMEOUT is a 408 with CORS headers and the request id.
        .wrap(from_fn(middleware::answer_late_body))
        .wrap(middleware::cors(settings.clone()))
        .wrap(from_fn(move |req, next| {
            middleware::cors_guard(settings.clone(), req, next)
        }))
        .wrap(from_fn(middleware::envelope))
        // Outermost, so that the deadline and the closing also cover requests answered before
        // any handler (a preflight, a refused origin).
        .wrap(from_fn(move |req, next| {
            middleware::body_deadline(body_timeout, req, next)
        }))
        .wrap(from_fn(move |req, next| {
            middleware::close_while_draining(draining.clone(), req, next)
        }))
}

/// Starts serving on `listener` (bind it to port 0 for tests) with `workers` worker threads.
/// The returned server must be awaited (or spawned) to run; its handle stops it, and a graceful
/// stop gives in-flight requests up to `grace` (whole seconds, rounded up) to finish. The server
/// does not listen for signals itself: the caller decides when to stop (the binary first turns
/// readiness off and keeps serving for a while, which actix's own SIGTERM handling, stopping
/// accepting at once, would not allow).
///
/// # Errors
/// When the listener cannot be used.
pub fn serve(
    listener: TcpListener,
    state: AppState,
    workers: usize,
    grace: std::time::Duration,
) -> std::io::Result<Server> {
    let settings = &state.settings;
    let connections = Arc::new(ConnectionLimit::new(
        settings.max_connections_per_ip,
        settings.rate_limits.ipv6_prefix,
        settings.trusted_proxies.clone(),
    ));
    let server = HttpServer::new(move || app(state.clone()))
        .on_connect(move |connection, extensions| {
            connections.on_connect(connection, extensions);
        })
        .workers(workers.max(1))
        .disable_signals()
        .shutdown_timeout(grace.as_secs() + u64::from(grace.subsec_nanos() > 0))
        .listen(listener)?
        .run();
    Ok(server)
}

#[cfg(test)]
mod tests;
