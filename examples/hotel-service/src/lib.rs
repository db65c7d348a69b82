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
    /// `https://` unless the host is loopback or `AUTHD_ALLOW_INSECURE_HTTP=true`.
    pub authd_url: String,
    /// `AUTHD_ALLOW_INSECURE_HTTP` (`false`): plain `http://` to a host that is not loopback.
    pub allow_insecure_http: bool,
    /// `AUTHD_ISSUER` (`authd`): authd's `JWT_ISSUER`.
    pub issuer: String,
    /// `AUTHD_AUDIENCE` (`authd`): authd's `JWT_AUDIENCE`.
    pub audience: String,
    /// `AUTHD_INTROSPECTION_CLIENT_ID` with `AUTHD_INTROSPECTION_CLIENT_SECRET` (one of authd's
    /// `INTROSPECTION_CLIENTS`), or `AUTHD_INTROSPECTION_TOKEN` (one of its
    /// `INTROSPECTION_TOKEN`): with them, every token is also checked with authd, so a logout
    /// takes effect at once.
    pub introspection: Option<IntrospectionCredentials>,
}

/// A configuration the service refuses to start with.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SettingsError(String);

impl Settings {
    /// From `vars` (the process environment in `main`).
    ///
    /// # Errors
    /// Half of the introspection client (an id without its secret, or the reverse), both a
    /// client and a token, or a flag that is not `true`/`false`: the service would otherwise
    /// start without the revocation check its operator asked for.
    pub fn from_vars(vars: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let set = |name: &str| vars(name).filter(|v| !v.trim().is_empty());
        let or = |name: &str, default: &str| set(name).unwrap_or_else(|| default.to_owned());
        let client = match (
            set("AUTHD_INTROSPECTION_CLIENT_ID"),
            set("AUTHD_INTROSPECTION_CLIENT_SECRET"),
        ) {
            (Some(client_id), Some(secret)) => Some(IntrospectionCredentials::Basic {
                client_id,
                client_secret: SecretString::from(secret),
            }),
            (None, None) => None,
            (Some(_), None) => return Err(missing("AUTHD_INTROSPECTION_CLIENT_SECRET")),
            (None, Some(_)) => return Err(missing("AUTHD_INTROSPECTION_CLIENT_ID")),
        };
        let token = set("AUTHD_INTROSPECTION_TOKEN")
            .map(|token| IntrospectionCredentials::Bearer(SecretString::from(token)));
        let introspection = match (client, token) {
            (Some(_), Some(_)) => {
                return Err(SettingsError(
                    "AUTHD_INTROSPECTION_TOKEN and AUTHD_INTROSPECTION_CLIENT_ID are both set; \
                     choose one way to authenticate to authd's introspection"
                        .into(),
                ));
            }
            (client, token) => client.or(token),
        };
        let allow_insecure_http = match set("AUTHD_ALLOW_INSECURE_HTTP").as_deref() {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => {
                return Err(SettingsError(
                    "AUTHD_ALLOW_INSECURE_HTTP must be true or false".into(),
                ));
            }
        };
        Ok(Self {
            authd_url: or("AUTHD_URL", "http://127.0.0.1:3000"),
            allow_insecure_http,
            issuer: or("AUTHD_ISSUER", "authd"),
            audience: or("AUTHD_AUDIENCE", "authd"),
            introspection,
        })
    }

    /// The guard these settings describe, with the library's defaults otherwise. Its `build`
    /// refuses an `AUTHD_URL` that is plain http to a host that is not loopback.
    pub fn guard(&self) -> GuardBuilder {
        let mut builder = Guard::builder(&self.authd_url)
            .issuer(&self.issuer)
            .audience(&self.audience);
        if self.allow_insecure_http {
            builder = builder.allow_insecure_http();
        }
        match &self.introspection {
            Some(credentials) => builder.introspection(&self.authd_url, credentials.clone()),
            None => builder,
        }
    }
}

fn missing(name: &str) -> SettingsError {
    SettingsError(format!(
        "{name} is not set, but the other half of the introspection client is; set both or neither"
    ))
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
    use super::{Settings, SettingsError};
    use authd_guard::GuardConfigError;

    fn from(set: &[(&'static str, &'static str)]) -> Result<Settings, SettingsError> {
        let set = set.to_vec();
        Settings::from_vars(move |name| {
            set.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn the_defaults_point_at_a_local_authd_without_introspection() {
        let defaults = from(&[]).unwrap();
        assert_eq!(defaults.authd_url, "http://127.0.0.1:3000");
        assert_eq!(
            (defaults.issuer.as_str(), defaults.audience.as_str()),
            ("authd", "authd")
        );
        assert!(defaults.introspection.is_none());
        assert!(defaults.guard().build().is_ok());
    }

    #[test]
    fn half_an_introspection_client_stops_the_start() {
        for half in [
            ("AUTHD_INTROSPECTION_CLIENT_ID", "hotel"),
            (
                "AUTHD_INTROSPECTION_CLIENT_SECRET",
                "s3cret-of-the-hotel-service",
            ),
        ] {
            let error = from(&[half]).unwrap_err().to_string();
            assert!(error.contains("set both or neither"), "{error}");
            assert!(!error.contains("s3cret"), "{error}");
        }
        let both = from(&[
            ("AUTHD_INTROSPECTION_CLIENT_ID", "hotel"),
            (
                "AUTHD_INTROSPECTION_CLIENT_SECRET",
                "s3cret-of-the-hotel-service",
            ),
        ])
        .unwrap();
        assert!(both.introspection.is_some());
        assert!(
            !format!("{both:?}").contains("s3cret"),
            "no secret in Debug"
        );
    }

    #[test]
    fn an_introspection_token_is_the_other_way_and_not_both() {
        let token = from(&[("AUTHD_INTROSPECTION_TOKEN", "t0ken-of-the-reports")]).unwrap();
        assert!(token.introspection.is_some());
        assert!(!format!("{token:?}").contains("t0ken"), "no token in Debug");
        let error = from(&[
            ("AUTHD_INTROSPECTION_TOKEN", "t0ken-of-the-reports"),
            ("AUTHD_INTROSPECTION_CLIENT_ID", "hotel"),
            (
                "AUTHD_INTROSPECTION_CLIENT_SECRET",
                "s3cret-of-the-hotel-service",
            ),
        ])
        .unwrap_err();
        assert!(error.to_string().contains("choose one"), "{error}");
    }

    #[test]
    fn plain_http_to_another_host_needs_the_explicit_flag() {
        let remote = from(&[("AUTHD_URL", "http://auth.checkinn.example")]).unwrap();
        assert!(matches!(
            remote.guard().build(),
            Err(GuardConfigError::InsecureUrl(_))
        ));
        let allowed = from(&[
            ("AUTHD_URL", "http://auth.checkinn.example"),
            ("AUTHD_ALLOW_INSECURE_HTTP", "true"),
        ])
        .unwrap();
        assert!(allowed.guard().build().is_ok());
        assert!(from(&[("AUTHD_ALLOW_INSECURE_HTTP", "yes")]).is_err());
        let https = from(&[("AUTHD_URL", "https://auth.checkinn.example")]).unwrap();
        assert!(https.guard().build().is_ok());
    }
}
