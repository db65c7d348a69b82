//! authd's REST adapter: actix-web routes over the domain services, the error envelope, the
//! request id, security headers, CORS and the refresh cookie. Handlers only extract, call one
//! service and map the answer; every decision lives in the domain.

mod cookies;
mod dto;
mod error;
mod extractors;
mod health_report;
mod middleware;
mod openapi;
mod probes;
mod routes;
mod settings;
mod state;

pub use error::ApiError;
pub use ipnet::IpNet;
pub use middleware::rate_limit::{Ipv6Prefix, Limit};
pub use probes::{CachedProbe, FixedProbe, HealthProbes, Probe, ProbeStatus};
pub use routes::{Access, RouteSpec, openapi, table as route_table};
pub use settings::{DEFAULT_MAX_BODY_BYTES, HttpSettings, RateLimits};
pub use state::AppState;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::web::Data;
use actix_web::{App, HttpServer};
use authd_domain::ports::Clock;
use std::net::TcpListener;

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
    let rate_limiting = Data::from(state.rate_limiting.clone());
    let clock: Data<dyn Clock> = Data::from(state.clock.clone());
    App::new()
        .app_data(Data::new(state))
        .app_data(rate_limiting)
        .app_data(clock)
        // The rate limits are the routes' own middleware (see `routes`): inside CORS (a 429
        // still carries the CORS headers, a preflight never reaches them) and inside the
        // envelope (a 429 carries the request id); before any handler or body read.
        .configure(routes::configure)
        .wrap(middleware::cors(settings.clone()))
        .wrap(from_fn(move |req, next| {
            middleware::cors_guard(settings.clone(), req, next)
        }))
        .wrap(from_fn(middleware::envelope))
}

/// Starts serving on `listener` (bind it to port 0 for tests) with `workers` worker threads.
/// The returned server must be awaited (or spawned) to run; its handle stops it.
///
/// # Errors
/// When the listener cannot be used.
pub fn serve(listener: TcpListener, state: AppState, workers: usize) -> std::io::Result<Server> {
    let server = HttpServer::new(move || app(state.clone()))
        .workers(workers.max(1))
        .listen(listener)?
        .run();
    Ok(server)
}

#[cfg(test)]
mod tests;
