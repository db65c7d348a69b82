//! The route table: every endpoint declared once, with its method, path, handler, rate limit and
//! required access. The actix configuration is built from it ([`configure`]), and so is the
//! rate limiting: each route counts against the limit it declares here, whatever spelling of its
//! path the router decoded to reach it. No path is matched anywhere else. Any other method on a
//! known path is 405 with `Allow`, and an unknown path is 404, both in the envelope.

mod admin;
mod auth;
mod docs;
pub(crate) mod endpoint;
mod health;
mod introspect;
mod mfa;
mod users;
mod well_known;

pub use endpoint::{Access, Dialect, Doc, RouteSpec};

use crate::middleware::rate_limit::Limit;
use actix_web::web;
use authd_domain::authorization::Permission;
use endpoint::{Endpoint, delete, get, post, put};

/// The prefix of the versioned API: an unknown path under it counts against `general`.
pub(crate) const API_PREFIX: &str = "/v1";

/// The parts of the API that configuration turns on or off. A route of a part that is off is not
/// served at all (404 like any unknown path) and not documented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Features {
    /// `ENABLE_MFA`: `/v1/auth/mfa*`.
    pub mfa: bool,
    /// `API_DIALECTS` has `perfect21`: `/v1/auth/*`, `/v1/users/*`.
    pub perfect21: bool,
    /// `API_DIALECTS` has `checkinn`: `/api/auth/*`.
    pub checkinn: bool,
    /// `INTROSPECTION_TOKEN` or `INTROSPECTION_CLIENTS` is set: `POST /v1/auth/introspect`.
    pub introspection: bool,
    /// `BUILTIN_PAGES`: the pages of the mailed links (`/verify-email`, ...), never documented.
    pub pages: bool,
}

impl Features {
    /// Everything: the complete document, and the table the tests walk.
    pub const ALL: Self = Self {
        mfa: true,
        perfect21: true,
        checkinn: true,
        introspection: true,
        pages: true,
    };

    /// What the services of `state` offer.
    #[must_use]
    pub fn of(state: &crate::state::AppState) -> Self {
        let settings = &state.settings;
        Self {
            mfa: state.services.mfa.enabled(),
            perfect21: settings.dialects.perfect21,
            checkinn: settings.dialects.checkinn,
            introspection: settings.introspection.any(),
            pages: settings.builtin_pages,
        }
    }
}

/// Every endpoint of the API with `features`, in the order the documentation lists them.
fn endpoints(features: Features) -> Vec<Endpoint> {
    let mut all = if features.perfect21 {
        account_endpoints()
    } else {
        Vec::new()
    };
    // With either dialect: a CheckInn login of an MFA account finishes at /v1/auth/mfa/verify.
    if features.mfa {
        // After the password flows, before the profile: where the documentation lists them.
        let at = all
            .iter()
            .position(|e| e.spec().path.starts_with("/v1/users"))
            .unwrap_or(all.len());
        all.splice(at..at, mfa_endpoints());
    }
    if features.introspection {
        all.push(
            post("/v1/auth/introspect", Limit::Exempt, Access::Public)
                .to(introspect::introspect, introspect::__path_introspect),
        );
    }
    all.extend(admin_endpoints());
    if features.checkinn {
        all.extend(crate::checkinn::endpoints());
    }
    all.extend(operations_endpoints());
    all
}

/// `/v1/auth/mfa*`, under the general per-address limit: the codes themselves are limited per
/// user by the domain (`MFA_RATE_LIMIT_*`), an `mfaToken` dies after 5 codes, and wrong codes
/// count towards the lockout. Counting the second step against the login's 5 per address would
/// refuse an honest user's fifth code before any of those could answer.
fn mfa_endpoints() -> Vec<Endpoint> {
    use Access::Public;
    use Limit::General;
    let own = Access::Permission(Permission::UsersRead);
    vec![
        post("/v1/auth/mfa/setup", General, own).to(mfa::setup, mfa::__path_setup),
        // Public: with `mfaToken` it needs no bearer token; without, the handler requires one.
        post("/v1/auth/mfa/verify", General, Public).to(mfa::verify, mfa::__path_verify),
        post("/v1/auth/mfa/challenge", General, Public).to(mfa::challenge, mfa::__path_challenge),
        get("/v1/auth/mfa", General, own).to(mfa::status, mfa::__path_status),
        post("/v1/auth/mfa/backup-codes", General, own)
            .to(mfa::backup_codes, mfa::__path_backup_codes),
        delete("/v1/auth/mfa", General, own).to(mfa::disable, mfa::__path_disable),
        delete("/v1/auth/mfa/devices/{id}", General, own)
            .to(mfa::forget_device, mfa::__path_forget_device),
    ]
}

/// Registration, login, tokens, passwords, and the caller's own account. Logging out needs a
/// valid token only; everything else a signed-in user does to their own account needs
/// `users.read`, which a role may withhold.
fn account_endpoints() -> Vec<Endpoint> {
    use Access::{Bearer, Public};
    use Limit::{General, Login, PasswordReset, Register};
    let own = Access::Permission(Permission::UsersRead);
    vec![
        post("/v1/auth/register", Register, Public).to(auth::register, auth::__path_register),
        post("/v1/auth/verify-email", General, Public)
            .to(auth::verify_email, auth::__path_verify_email),
        post("/v1/auth/resend-verification", General, Public)
            .to(auth::resend_verification, auth::__path_resend_verification),
        post("/v1/auth/login", Login, Public).to(auth::login, auth::__path_login),
        post("/v1/auth/unlock", General, Public).to(auth::unlock, auth::__path_unlock),
        // Authenticated by the refresh token (body or cookie), not by a bearer token.
        post("/v1/auth/refresh", General, Public).to(auth::refresh, auth::__path_refresh),
        post("/v1/auth/logout", General, Bearer).to(auth::logout, auth::__path_logout),
        post("/v1/auth/forgot-password", PasswordReset, Public)
            .to(auth::forgot_password, auth::__path_forgot_password),
        post("/v1/auth/reset-password", PasswordReset, Public)
            .to(auth::reset_password, auth::__path_reset_password),
        put("/v1/auth/change-password", General, own)
            .to(auth::change_password, auth::__path_change_password),
        get("/v1/users/me", General, own).to(users::get_me, users::__path_get_me),
        put("/v1/users/me", General, own).to(users::update_me, users::__path_update_me),
        delete("/v1/users/me", General, own).to(users::deactivate_me, users::__path_deactivate_me),
        get("/v1/users/me/sessions", General, own).to(users::sessions, users::__path_sessions),
        delete("/v1/users/me/sessions/{session_id}", General, own)
            .to(users::revoke_session, users::__path_revoke_session),
        get("/v1/users/me/activity", General, own).to(users::activity, users::__path_activity),
    ]
}

/// `/v1/admin/*`: each behind `ADMIN_ALLOWED_IPS` and its permission, and the general limit.
fn admin_endpoints() -> Vec<Endpoint> {
    use Limit::General;
    use Permission::{AdminSessionsWrite, AdminUsersRead, AdminUsersWrite, AuditRead};
    let admin = Access::Admin;
    vec![
        get("/v1/admin/users", General, admin(AdminUsersRead))
            .to(admin::list_users, admin::__path_list_users),
        get("/v1/admin/users/{userId}", General, admin(AdminUsersRead))
            .to(admin::get_user, admin::__path_get_user),
        put("/v1/admin/users/{userId}", General, admin(AdminUsersWrite))
            .to(admin::update_user, admin::__path_update_user),
        post(
            "/v1/admin/users/{userId}/unlock",
            General,
            admin(AdminUsersWrite),
        )
        .to(admin::unlock, admin::__path_unlock),
        delete(
            "/v1/admin/users/{userId}/sessions",
            General,
            admin(AdminSessionsWrite),
        )
        .to(admin::revoke_sessions, admin::__path_revoke_sessions),
        post(
            "/v1/admin/users/{userId}/password-reset",
            General,
            admin(AdminUsersWrite),
        )
        .to(admin::password_reset, admin::__path_password_reset),
        get("/v1/admin/audit-events", General, admin(AuditRead))
            .to(admin::audit_events, admin::__path_audit_events),
    ]
}

/// Keys, health, the documentation and metrics.
fn operations_endpoints() -> Vec<Endpoint> {
    use Access::Public;
    use Limit::{Exempt, General};
    vec![
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

/// The whole table as data (method, path, limit, access), every feature on, for documentation
/// such as an OpenAPI document and for tests that walk every route.
#[must_use]
pub fn table() -> Vec<RouteSpec> {
    endpoints(Features::ALL)
        .iter()
        .map(Endpoint::spec)
        .collect()
}

/// The OpenAPI document of every endpoint, every feature on.
#[must_use]
pub fn openapi() -> utoipa::openapi::OpenApi {
    openapi_of(Features::ALL)
}

/// The OpenAPI document of the endpoints served with `features`.
#[must_use]
pub fn openapi_of(features: Features) -> utoipa::openapi::OpenApi {
    crate::openapi::document(&documented(features), env!("CARGO_PKG_VERSION"))
}

/// Every entry of the table with the document of its handler.
pub(crate) fn documented(features: Features) -> Vec<(RouteSpec, Doc)> {
    endpoints(features)
        .iter()
        .map(|e| (e.spec(), e.doc()))
        .collect()
}

/// Registers every endpoint of `features`, and the 404 of everything else.
pub fn configure(features: Features) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        docs::prepare(features);
        let prefixes: &[&'static str] = if features.checkinn {
            &[API_PREFIX, crate::checkinn::PREFIX]
        } else {
            &[API_PREFIX]
        };
        let mut served = endpoints(features);
        // Pages for people, not API: served, but never in the document (`documented`).
        if features.pages {
            served.extend(crate::pages::endpoints());
        }
        endpoint::register(cfg, prefixes, served);
    }
}

#[cfg(test)]
pub(crate) use endpoint::register;

/// The table with `handler` for every endpoint and no access check: the rate limit's tests,
/// without domain services or credentials.
#[cfg(test)]
pub(crate) fn stubbed<F>(handler: F) -> Vec<Endpoint>
where
    F: Fn(RouteSpec) -> actix_web::Route,
{
    guarded_stubs(handler)
        .into_iter()
        .map(Endpoint::unguarded)
        .collect()
}

/// The table with `handler` for every endpoint, each behind the access its entry declares: the
/// access check's tests.
#[cfg(test)]
pub(crate) fn guarded_stubs<F>(handler: F) -> Vec<Endpoint>
where
    F: Fn(RouteSpec) -> actix_web::Route,
{
    endpoints(Features::ALL)
        .into_iter()
        .map(|e| {
            let route = handler(e.spec());
            e.with_handler(route)
        })
        .collect()
}

#[cfg(test)]
mod tests;
