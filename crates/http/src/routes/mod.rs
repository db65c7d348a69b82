//! The route table: every endpoint declared once, with its method, path, handler, rate limit and
//! required access. The actix configuration is built from it ([`configure`]), and so is the
//! rate limiting: each route counts against the limit it declares here, whatever spelling of its
//! path the router decoded to reach it. No path is matched anywhere else. Any other method on a
//! known path is 405 with `Allow`, and an unknown path is 404, both in the envelope.

mod auth;
mod docs;
mod endpoint;
mod health;
mod users;
mod well_known;

pub use endpoint::{Access, Doc, RouteSpec};

use crate::middleware::rate_limit::Limit;
use actix_web::web;
use endpoint::{Endpoint, delete, get, post, put};

/// The prefix of the versioned API: an unknown path under it counts against `general`.
pub(crate) const API_PREFIX: &str = "/v1";

/// Every endpoint of the API, in the order the documentation lists them.
fn endpoints() -> Vec<Endpoint> {
    use Access::{Bearer, Public};
    use Limit::{Exempt, General, Login, PasswordReset, Register};
    vec![
        post("/v1/auth/register", Register, Public).to(auth::register, auth::__path_register),
        post("/v1/auth/verify-email", General, Public)
            .to(auth::verify_email, auth::__path_verify_email),
        post("/v1/auth/resend-verification", General, Public)
            .to(auth::resend_verification, auth::__path_resend_verification),
        post("/v1/auth/login", Login, Public).to(auth::login, auth::__path_login),
        // Authenticated by the refresh token (body or cookie), not by a bearer token.
        post("/v1/auth/refresh", General, Public).to(auth::refresh, auth::__path_refresh),
        post("/v1/auth/logout", General, Bearer).to(auth::logout, auth::__path_logout),
        post("/v1/auth/forgot-password", PasswordReset, Public)
            .to(auth::forgot_password, auth::__path_forgot_password),
        post("/v1/auth/reset-password", PasswordReset, Public)
            .to(auth::reset_password, auth::__path_reset_password),
        put("/v1/auth/change-password", General, Bearer)
            .to(auth::change_password, auth::__path_change_password),
        get("/v1/users/me", General, Bearer).to(users::get_me, users::__path_get_me),
        put("/v1/users/me", General, Bearer).to(users::update_me, users::__path_update_me),
        delete("/v1/users/me", General, Bearer)
            .to(users::deactivate_me, users::__path_deactivate_me),
        get("/v1/users/me/sessions", General, Bearer).to(users::sessions, users::__path_sessions),
        delete("/v1/users/me/sessions/{session_id}", General, Bearer)
            .to(users::revoke_session, users::__path_revoke_session),
        get("/.well-known/jwks.json", Exempt, Public).to(well_known::jwks, well_known::__path_jwks),
        // Polled by orchestrators; its probes are cached instead of limited.
        get("/v1/health", Exempt, Public).to(health::health, health::__path_health),
        get("/health/live", Exempt, Public).to(health::live, health::__path_live),
        get("/health/ready", Exempt, Public).to(health::ready, health::__path_ready),
        // Under `/v1` like the API it describes, and limited like it.
        get(docs::DOCUMENT_PATH, General, Public).to(docs::openapi_json, docs::__path_openapi_json),
        // Prometheus scrapes; `METRICS_TOKEN` is checked by the handler itself.
        get("/metrics", Exempt, Public).to(crate::metrics::scrape, crate::metrics::__path_scrape),
        // Static files for people, not an API: free like the health checks.
        get("/docs", Exempt, Public).to(docs::index, docs::__path_index),
        get("/docs/", Exempt, Public).to(docs::page, docs::__path_page),
        get("/docs/{file}", Exempt, Public).to(docs::file, docs::__path_file),
    ]
}

/// The table as data (method, path, limit, access), for documentation such as an OpenAPI
/// document and for tests that walk every route.
#[must_use]
pub fn table() -> Vec<RouteSpec> {
    endpoints().iter().map(Endpoint::spec).collect()
}

/// The OpenAPI document of every endpoint.
#[must_use]
pub fn openapi() -> utoipa::openapi::OpenApi {
    crate::openapi::document(&documented(), env!("CARGO_PKG_VERSION"))
}

/// Every entry of the table with the document of its handler.
pub(crate) fn documented() -> Vec<(RouteSpec, Doc)> {
    endpoints().iter().map(|e| (e.spec(), e.doc())).collect()
}

/// Registers every endpoint, and the 404 of everything else.
pub fn configure(cfg: &mut web::ServiceConfig) {
    docs::prepare();
    endpoint::register(cfg, API_PREFIX, endpoints());
}

#[cfg(test)]
pub(crate) use endpoint::register;

/// The table with `handler` for every endpoint: the middleware's tests, without domain services.
#[cfg(test)]
pub(crate) fn stubbed<F>(handler: F) -> Vec<Endpoint>
where
    F: Fn(RouteSpec) -> actix_web::Route,
{
    endpoints()
        .into_iter()
        .map(|e| {
            let route = handler(e.spec());
            e.with_handler(route)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A new endpoint under `/v1` is limited unless someone decides otherwise here: an `Exempt`
    /// slipped into the table by copy and paste would leave it open to guessing.
    #[test]
    fn every_api_route_but_health_is_rate_limited() {
        for route in table() {
            let under_api = route.path.starts_with(API_PREFIX);
            let exempt = route.limit == Limit::Exempt;
            assert_eq!(
                exempt,
                !under_api || route.path == "/v1/health",
                "{} {} is {:?}",
                route.method,
                route.path,
                route.limit
            );
        }
    }

    /// Two entries for one method and path would leave one of them unreachable.
    #[test]
    fn each_method_and_path_is_declared_once() {
        let table = table();
        for (i, route) in table.iter().enumerate() {
            let again = table[i + 1..]
                .iter()
                .any(|r| r.method == route.method && r.path == route.path);
            assert!(!again, "{} {} is declared twice", route.method, route.path);
        }
    }
}
