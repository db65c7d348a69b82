//! The knobs of the HTTP adapter, filled in by the binary from configuration.

use crate::middleware::rate_limit::Ipv6Prefix;
use authd_domain::policy::rate_limit::RateLimit;
use chrono::Duration;
use ipnet::IpNet;

/// 64 KiB: far more than any documented request body needs.
pub const DEFAULT_MAX_BODY_BYTES: usize = 64 * 1024;

/// Ten seconds: a documented body is under 1 KiB, which any live client sends in milliseconds.
pub const DEFAULT_CLIENT_BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Far more than a browser (6 per origin) or a well-behaved client opens, far fewer than the
/// descriptors one address could otherwise hold.
pub const DEFAULT_MAX_CONNECTIONS_PER_IP: usize = 64;

#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// The service's own origin (`PUBLIC_URL`, e.g. `http://127.0.0.1:3000`); always accepted by
    /// the CSRF origin check.
    pub public_url: String,
    /// `ALLOWED_ORIGINS`: browser origins allowed by CORS (with credentials) and by the CSRF check.
    pub allowed_origins: Vec<String>,
    /// `COOKIE_SECURE`: the `Secure` attribute of the refresh cookie.
    pub cookie_secure: bool,
    /// Larger request bodies answer 413 `PAYLOAD_TOO_LARGE`.
    pub max_body_bytes: usize,
    /// `CLIENT_BODY_TIMEOUT`: a request body not complete this long after its head answers 408
    /// `REQUEST_TIMEOUT` and closes the connection.
    pub client_body_timeout: std::time::Duration,
    /// `MAX_CONNECTIONS_PER_IP`: open connections one client address (IPv6: network of
    /// `rate_limits.ipv6_prefix`) may hold; more are closed at once. 0: no cap.
    pub max_connections_per_ip: usize,
    /// `TRUSTED_PROXIES`: only a peer inside one of these networks may set `X-Forwarded-For`.
    pub trusted_proxies: Vec<IpNet>,
    /// Reported by `GET /v1/health`.
    pub version: String,
    /// `HEALTH_DETAILS`: `GET /v1/health` shows `version` and `uptime` (else omits them).
    pub health_details: bool,
    /// Per-IP request limits (`RATE_LIMIT_*`).
    pub rate_limits: RateLimits,
    /// `ADMIN_ALLOWED_IPS`: the networks that may reach `/v1/admin/*` (the client address as
    /// the rate limiter sees it); `None`: any.
    pub admin_allowed_ips: Option<Vec<IpNet>>,
    /// `ROLE_PERMISSIONS`: what each role grants, checked against each route's permission.
    pub roles: std::sync::Arc<authd_domain::authorization::RoleCatalog>,
    /// `API_DIALECTS` (both): which surfaces are served.
    pub dialects: Dialects,
    /// `JWT_COOKIE_EXPIRES_IN` (7 days): the lifetime of the CheckInn dialect's refresh cookie.
    pub checkinn_cookie_max_age: Duration,
    /// `INTROSPECTION_TOKEN` / `INTROSPECTION_CLIENTS`: who may call `POST /v1/auth/introspect`;
    /// with neither, the endpoint is not served.
    pub introspection: IntrospectionCallers,
    /// `CHECKINN_DELETE_ME_REQUIRES_PASSWORD` (false): `DELETE /api/auth/delete-me` asks for the
    /// account's `password` as `/v1` does, instead of taking the bearer token alone (the
    /// CheckInn document's contract, under which a stolen access token can delete the account).
    pub checkinn_delete_requires_password: bool,
    /// `JWT_ISSUER` ("authd"): the `iss` of every access token, answered by introspection.
    pub token_issuer: String,
    /// `JWT_AUDIENCE` ("authd"): the `aud` of every access token, answered by introspection.
    pub token_audience: String,
    /// `BUILTIN_PAGES` as resolved at start-up: serve the pages of the mailed links
    /// (`/verify-email`, `/reset-password`, `/unlock-account`) and their assets. Off by default:
    /// the binary turns them on when the links point at authd itself.
    pub builtin_pages: bool,
}

/// The API surfaces (`API_DIALECTS`, default `perfect21,checkinn`). Off, a surface's routes are
/// not served at all (404 like any unknown path) and not documented. The admin API, health,
/// keys, metrics and the documentation are served whatever the dialects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialects {
    /// `/v1/auth/*` and `/v1/users/*`.
    pub perfect21: bool,
    /// `/api/auth/*`.
    pub checkinn: bool,
}

impl Default for Dialects {
    fn default() -> Self {
        Self {
            perfect21: true,
            checkinn: true,
        }
    }
}

/// The resource servers allowed to introspect tokens: bearer tokens (`INTROSPECTION_TOKEN`,
/// several during a rotation) and HTTP Basic client credentials (`INTROSPECTION_CLIENTS`).
#[derive(Clone, Default)]
pub struct IntrospectionCallers {
    pub tokens: Vec<secrecy::SecretString>,
    /// `(client id, client secret)`.
    pub clients: Vec<(String, secrecy::SecretString)>,
}

impl IntrospectionCallers {
    /// Whether anyone may call the endpoint (else it is not served).
    #[must_use]
    pub fn any(&self) -> bool {
        !self.tokens.is_empty() || !self.clients.is_empty()
    }
}

impl std::fmt::Debug for IntrospectionCallers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.clients.iter().map(|(id, _)| id.as_str()).collect();
        f.debug_struct("IntrospectionCallers")
            .field("tokens", &self.tokens.len())
            .field("clients", &ids)
            .finish()
    }
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            public_url: "http://127.0.0.1:3000".to_owned(),
            allowed_origins: Vec::new(),
            cookie_secure: false,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            client_body_timeout: DEFAULT_CLIENT_BODY_TIMEOUT,
            max_connections_per_ip: DEFAULT_MAX_CONNECTIONS_PER_IP,
            trusted_proxies: Vec::new(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            health_details: true,
            rate_limits: RateLimits::default(),
            admin_allowed_ips: None,
            roles: std::sync::Arc::default(),
            dialects: Dialects::default(),
            checkinn_cookie_max_age: Duration::days(7),
            introspection: IntrospectionCallers::default(),
            checkinn_delete_requires_password: false,
            token_issuer: "authd".to_owned(),
            token_audience: "authd".to_owned(),
            builtin_pages: false,
        }
    }
}

/// The per-IP limits of the route groups. Every `/v1` route but `/v1/health` counts against
/// `general`; login, register and the two password-reset routes also count against their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// `RATE_LIMIT_ENABLED=false` turns every limit off (no counting, no headers).
    pub enabled: bool,
    pub general: RateLimit,
    /// `POST /v1/auth/login`.
    pub login: RateLimit,
    /// `POST /v1/auth/register`.
    pub register: RateLimit,
    /// `POST /v1/auth/forgot-password` and `POST /v1/auth/reset-password`, one shared bucket.
    pub password_reset: RateLimit,
    /// `RATE_LIMIT_IPV6_PREFIX` (64): an IPv6 client counts with its whole network of this length.
    pub ipv6_prefix: Ipv6Prefix,
}

/// The table of the Perfect21 document.
impl Default for RateLimits {
    fn default() -> Self {
        Self {
            enabled: true,
            general: RateLimit::new(100, Duration::minutes(15)),
            login: RateLimit::new(5, Duration::minutes(15)),
            register: RateLimit::new(3, Duration::hours(1)),
            password_reset: RateLimit::new(3, Duration::hours(1)),
            ipv6_prefix: Ipv6Prefix::DEFAULT,
        }
    }
}

impl HttpSettings {
    /// Whether a browser `Origin` may make cookie-authenticated requests: the service's own origin
    /// or one of `allowed_origins`. Compared without a trailing slash, scheme and host
    /// case-insensitively (browsers send them lower-case, configuration may not be).
    #[must_use]
    pub fn is_origin_allowed(&self, origin: &str) -> bool {
        let origin = normalize_origin(origin);
        normalize_origin(&self.public_url) == origin
            || self
                .allowed_origins
                .iter()
                .any(|allowed| normalize_origin(allowed) == origin)
    }
}

fn normalize_origin(origin: &str) -> String {
    origin.trim().trim_end_matches('/').to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> HttpSettings {
        HttpSettings {
            public_url: "http://127.0.0.1:3000/".to_owned(),
            allowed_origins: vec!["https://App.example.com".to_owned()],
            ..HttpSettings::default()
        }
    }

    #[test]
    fn the_service_own_origin_is_allowed_without_its_trailing_slash() {
        assert!(settings().is_origin_allowed("http://127.0.0.1:3000"));
    }

    #[test]
    fn configured_origins_are_allowed_case_insensitively() {
        assert!(settings().is_origin_allowed("https://app.example.com"));
    }

    #[test]
    fn other_origins_and_the_null_origin_are_refused() {
        assert!(!settings().is_origin_allowed("https://evil.example"));
        assert!(!settings().is_origin_allowed("null"));
        assert!(!settings().is_origin_allowed("http://127.0.0.1:3001"));
    }
}
