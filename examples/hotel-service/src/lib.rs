//! A CheckInn service behind authd: it verifies authd's access tokens itself with
//! `authd-guard` and lets each route in by role. `GET /bookings`: any signed-in user;
//! `GET /partner/reports`: `HotelPartner` or `Admin`; `GET /admin/audit`: `Admin`.
//! Configuration and a walk-through: docs/guard.md.

use actix_web::dev::Server;
use actix_web::{App, HttpResponse, HttpServer, web};
use authd_guard::{Guard, GuardBuilder, IntrospectionCredentials, Principal, restrict_to};
use secrecy::SecretString;
use serde_json::json;
use std::net::TcpListener;

/// What the service reads from its environment.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `AUTHD_URL` (`http://127.0.0.1:3000`): authd's base URL; its JWKS is read from there.
    pub authd_url: String,
    /// `AUTHD_ISSUER` (`authd`): authd's `JWT_ISSUER`.
    pub issuer: String,
    /// `AUTHD_AUDIENCE` (`authd`): authd's `JWT_AUDIENCE`.
    pub audience: String,
    /// `AUTHD_INTROSPECTION_CLIENT_ID` and `AUTHD_INTROSPECTION_CLIENT_SECRET` (one of authd's
    /// `INTROSPECTION_CLIENTS`): with them, every token is also checked with authd, so a
    /// logout takes effect at once.
    pub introspection: Option<IntrospectionCredentials>,
}

impl Settings {
    /// From `vars` (the process environment in `main`).
    pub fn from_vars(vars: impl Fn(&str) -> Option<String>) -> Self {
        let or = |name: &str, default: &str| vars(name).unwrap_or_else(|| default.to_owned());
        let introspection = match (
            vars("AUTHD_INTROSPECTION_CLIENT_ID"),
            vars("AUTHD_INTROSPECTION_CLIENT_SECRET"),
        ) {
            (Some(client_id), Some(secret)) => Some(IntrospectionCredentials::Basic {
                client_id,
                client_secret: SecretString::from(secret),
            }),
            _ => None,
        };
        Self {
            authd_url: or("AUTHD_URL", "http://127.0.0.1:3000"),
            issuer: or("AUTHD_ISSUER", "authd"),
            audience: or("AUTHD_AUDIENCE", "authd"),
            introspection,
        }
    }

    /// The guard these settings describe, with the library's defaults otherwise.
    pub fn guard(&self) -> GuardBuilder {
        let builder = Guard::builder(&self.authd_url)
            .issuer(&self.issuer)
            .audience(&self.audience);
        match &self.introspection {
            Some(credentials) => builder.introspection(&self.authd_url, credentials.clone()),
            None => builder,
        }
    }
}

/// The routes, each behind what it requires.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/bookings", web::get().to(bookings))
        .service(
            web::resource("/partner/reports")
                .wrap(restrict_to(["HotelPartner", "Admin"]))
                .route(web::get().to(partner_reports)),
        )
        .service(
            web::resource("/admin/audit")
                .wrap(restrict_to(["Admin"]))
                .route(web::get().to(admin_audit)),
        );
}

/// Serves the routes on `listener` with `guard`.
///
/// # Errors
/// The listener cannot be used.
pub fn serve(listener: TcpListener, guard: Guard) -> std::io::Result<Server> {
    let server = HttpServer::new(move || App::new().app_data(guard.clone()).configure(routes))
        .listen(listener)?
        .run();
    Ok(server)
}

async fn bookings(principal: Principal) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "success": true,
        "data": { "userId": principal.user_id, "bookings": [] },
    }))
}

async fn partner_reports(principal: Principal) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "success": true,
        "data": { "requestedBy": principal.user_id, "roles": principal.roles, "reports": [] },
    }))
}

async fn admin_audit(principal: Principal) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "success": true,
        "data": { "requestedBy": principal.user_id, "events": [] },
    }))
}

#[cfg(test)]
mod tests {
    use super::Settings;

    #[test]
    fn introspection_needs_both_the_client_id_and_its_secret() {
        let vars = |set: &'static [(&'static str, &'static str)]| {
            Settings::from_vars(move |name| {
                set.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| (*v).to_owned())
            })
        };
        let defaults = vars(&[]);
        assert_eq!(defaults.authd_url, "http://127.0.0.1:3000");
        assert_eq!(
            (defaults.issuer.as_str(), defaults.audience.as_str()),
            ("authd", "authd")
        );
        assert!(defaults.introspection.is_none());
        assert!(
            vars(&[("AUTHD_INTROSPECTION_CLIENT_ID", "hotel")])
                .introspection
                .is_none()
        );
        let both = vars(&[
            ("AUTHD_INTROSPECTION_CLIENT_ID", "hotel"),
            (
                "AUTHD_INTROSPECTION_CLIENT_SECRET",
                "s3cret-of-the-hotel-service",
            ),
        ]);
        assert!(both.introspection.is_some());
        assert!(
            !format!("{both:?}").contains("s3cret"),
            "no secret in Debug"
        );
    }
}
