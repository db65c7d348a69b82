//! The access check over the real route table, with stub handlers that read the caller as the
//! real ones do (`Authenticated`), a token codec that reads roles out of the token, and the
//! real `Authenticate` service over it.

use super::*;
use crate::extractors::Authenticated;
use crate::middleware::envelope;
use crate::middleware::rate_limit::RateLimiting;
use crate::routes::{self, RouteSpec};
use crate::settings::RateLimits;
use actix_web::http::{Method, StatusCode};
use actix_web::test::{TestRequest, call_service, init_service, read_body_json};
use actix_web::{App, HttpResponse, web};
use async_trait::async_trait;
use authd_domain::Timestamp;
use authd_domain::authorization::{Permissions, RoleName};
use authd_domain::error::PortError;
use authd_domain::ids::{SessionId, TokenId, UserId};
use authd_domain::policy::rate_limit::{RateLimit, RateLimitDecision, decide};
use authd_domain::ports::{AccessTokenCodec, AccessTokenError, Clock, RateLimiter, TokenDenylist};
use authd_domain::services::AuthenticatePorts;
use authd_domain::token::JwkSet;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// `roles:a,b` is a valid token of an account holding roles `a` and `b` (and, to show it is
/// ignored, a `permissions` claim granting everything); `expired` and `revoked` are what they
/// say; anything else is invalid. Counts its verifications.
#[derive(Default)]
struct RolesInToken {
    verified: AtomicUsize,
}

const REVOKED_USER: UserId = UserId::from_uuid(uuid::Uuid::from_u128(7));

impl AccessTokenCodec for RolesInToken {
    fn issue(&self, _: &AccessClaims) -> Result<String, PortError> {
        Err(PortError::internal("not in these tests"))
    }

    fn verify(&self, token: &str, now: Timestamp) -> Result<AccessClaims, AccessTokenError> {
        self.verified.fetch_add(1, Ordering::SeqCst);
        let claims = |user_id, roles: Vec<RoleName>| AccessClaims {
            user_id,
            session_id: SessionId::new(),
            token_id: TokenId::new(),
            issued_at: now,
            expires_at: now + chrono::Duration::minutes(15),
            roles,
            permissions: Permissions::all(),
        };
        match token {
            "expired" => Err(AccessTokenError::Expired),
            "revoked" => Ok(claims(REVOKED_USER, Vec::new())),
            _ => {
                let roles = token
                    .strip_prefix("roles:")
                    .ok_or(AccessTokenError::Invalid)?;
                let roles = roles
                    .split(',')
                    .filter(|r| !r.is_empty())
                    .map(RoleName::parse)
                    .collect::<Result<_, _>>()
                    .map_err(|_| AccessTokenError::Invalid)?;
                Ok(claims(UserId::new(), roles))
            }
        }
    }

    fn jwks(&self) -> JwkSet {
        JwkSet { keys: Vec::new() }
    }
}

/// Denies the tokens of `REVOKED_USER`.
struct Denylist;

#[async_trait]
impl TokenDenylist for Denylist {
    async fn deny_token(&self, _: UserId, _: TokenId, _: Timestamp) -> Result<(), PortError> {
        Ok(())
    }
    async fn deny_sessions(
        &self,
        _: UserId,
        _: &[SessionId],
        _: Timestamp,
    ) -> Result<(), PortError> {
        Ok(())
    }
    async fn deny_user_before(
        &self,
        _: UserId,
        _: Timestamp,
        _: Timestamp,
    ) -> Result<(), PortError> {
        Ok(())
    }
    async fn is_denied(&self, claims: &AccessClaims) -> Result<bool, PortError> {
        Ok(claims.user_id == REVOKED_USER)
    }
}

struct Wall;

impl Clock for Wall {
    fn now(&self) -> Timestamp {
        chrono::Utc::now()
    }
}

/// Counts hits per key; never refuses.
#[derive(Default)]
struct Counter(Mutex<HashMap<String, u64>>);

#[async_trait]
impl RateLimiter for Counter {
    async fn hit(&self, key: &str, limit: RateLimit) -> Result<RateLimitDecision, PortError> {
        let mut counts = self.0.lock().map_err(|_| PortError::internal("poisoned"))?;
        let count = counts.entry(key.to_owned()).or_default();
        *count += 1;
        Ok(decide(limit, *count, limit.window))
    }
}

const OUTSIDE: &str = "203.0.113.9";
const INSIDE: &str = "10.1.2.3";
const PROXY: &str = "192.168.1.1";

fn nets(list: &[&str]) -> Vec<IpNet> {
    list.iter().map(|n| n.parse().unwrap()).collect()
}

fn settings(roles: RoleCatalog, allowed: Option<&[&str]>) -> HttpSettings {
    HttpSettings {
        roles: Arc::new(roles),
        admin_allowed_ips: allowed.map(nets),
        trusted_proxies: nets(&["192.168.0.0/16"]),
        ..HttpSettings::default()
    }
}

/// The stub of a route: a token route reads the caller with `Authenticated`, as the real
/// handlers do, and answers its id.
fn stub(spec: RouteSpec) -> actix_web::Route {
    if spec.access.needs_token() {
        web::to(|principal: Authenticated| async move {
            HttpResponse::Ok().json(serde_json::json!({"userId": principal.0.user_id}))
        })
    } else {
        web::to(|| async { HttpResponse::Ok().finish() })
    }
}

/// The route table behind its access checks and the envelope, with `settings`.
macro_rules! app {
    ($settings:expr) => {
        app!(
            $settings,
            Arc::new(RolesInToken::default()),
            Arc::new(Counter::default())
        )
    };
    ($settings:expr, $codec:expr, $limiter:expr) => {{
        let settings: HttpSettings = $settings;
        let authenticate = Authenticate::new(AuthenticatePorts {
            access_tokens: $codec,
            denylist: Arc::new(Denylist),
            clock: Arc::new(Wall),
        });
        init_service(
            App::new()
                .app_data(Data::new(AccessControl::new(authenticate, &settings)))
                .app_data(Data::new(RateLimiting::new(
                    $limiter,
                    RateLimits::default(),
                    settings.trusted_proxies.clone(),
                    Arc::new(Wall),
                )))
                .configure(|cfg| {
                    routes::register(cfg, &[routes::API_PREFIX], routes::guarded_stubs(stub))
                })
                .wrap(from_fn(envelope)),
        )
        .await
    }};
}

/// A concrete path for a table entry.
fn path_of(spec: &RouteSpec) -> String {
    let mut path = spec.path.to_owned();
    for param in ["{userId}", "{session_id}", "{id}", "{file}"] {
        path = path.replace(param, "123e4567-e89b-12d3-a456-426614174000");
    }
    path
}

fn request(method: &Method, path: &str, peer: &str, token: Option<&str>) -> TestRequest {
    let mut req = TestRequest::default()
        .method(method.clone())
        .uri(path)
        .peer_addr(SocketAddr::new(peer.parse().unwrap(), 40_000));
    if let Some(token) = token {
        req = req.insert_header(("Authorization", format!("Bearer {token}")));
    }
    req
}

async fn code_of(
    res: actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
) -> (u16, String) {
    let status = res.status().as_u16();
    // The CheckInn dialect's envelope has its code at the top.
    let checkinn = crate::checkinn::serves(res.request().path());
    let body: serde_json::Value = read_body_json(res).await;
    let code = if checkinn {
        &body["code"]
    } else {
        &body["error"]["code"]
    };
    (status, code.as_str().unwrap_or_default().to_owned())
}

#[actix_web::test]
async fn every_route_needing_a_token_refuses_a_request_without_one() {
    let app = app!(settings(RoleCatalog::default(), None));
    let mut checked = 0;
    for spec in routes::table()
        .into_iter()
        .filter(|s| s.access.needs_token())
    {
        let req = request(&spec.method, &path_of(&spec), OUTSIDE, None);
        let res = call_service(&app, req.to_request()).await;
        assert_eq!(
            code_of(res).await,
            (401, "MISSING_AUTH_HEADER".to_owned()),
            "{} {}",
            spec.method,
            spec.path
        );
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} routes need a token");
}

/// Each default role against every route: 200 where its permissions reach, else 403
/// `INSUFFICIENT_PERMISSIONS`; `HEAD` as its `GET`.
#[actix_web::test]
async fn each_default_role_reaches_exactly_the_routes_its_permissions_allow() {
    let catalog = RoleCatalog::default();
    let app = app!(settings(catalog.clone(), None));
    for role in ["user", "moderator", "admin"] {
        let granted = catalog.permissions_of(&[RoleName::parse(role).unwrap()]);
        let token = format!("roles:{role}");
        for spec in routes::table()
            .into_iter()
            .filter(|s| s.access.needs_token())
        {
            let allowed = spec.access.permission().is_none_or(|p| granted.contains(p));
            let what = format!("{role}: {} {}", spec.method, spec.path);
            let req = request(&spec.method, &path_of(&spec), OUTSIDE, Some(&token));
            let res = call_service(&app, req.to_request()).await;
            if allowed {
                assert_eq!(res.status(), StatusCode::OK, "{what}");
            } else {
                assert_eq!(
                    code_of(res).await,
                    (403, "INSUFFICIENT_PERMISSIONS".to_owned()),
                    "{what}"
                );
            }
            if spec.method == Method::GET {
                let head = request(&Method::HEAD, &path_of(&spec), OUTSIDE, Some(&token));
                let status = call_service(&app, head.to_request()).await.status();
                assert_eq!(status == StatusCode::OK, allowed, "HEAD {what}");
            }
        }
    }
}

#[actix_web::test]
async fn the_moderator_reads_but_does_not_write() {
    let app = app!(settings(RoleCatalog::default(), None));
    let send = |method: Method, path: &'static str| {
        request(&method, path, OUTSIDE, Some("roles:moderator")).to_request()
    };
    let id = "/v1/admin/users/123e4567-e89b-12d3-a456-426614174000";
    assert_eq!(
        call_service(&app, send(Method::GET, "/v1/admin/users"))
            .await
            .status(),
        200
    );
    assert_eq!(
        call_service(&app, send(Method::GET, "/v1/admin/audit-events"))
            .await
            .status(),
        200
    );
    let put = call_service(
        &app,
        request(&Method::PUT, id, OUTSIDE, Some("roles:moderator")).to_request(),
    )
    .await;
    assert_eq!(
        code_of(put).await,
        (403, "INSUFFICIENT_PERMISSIONS".to_owned())
    );
    let del = request(
        &Method::DELETE,
        &format!("{id}/sessions"),
        OUTSIDE,
        Some("roles:moderator"),
    );
    assert_eq!(call_service(&app, del.to_request()).await.status(), 403);
}

/// Roles are configuration: a custom catalog decides, names compared exactly, and a role that
/// is no longer configured grants nothing (whatever the token's `permissions` claim says).
#[actix_web::test]
async fn custom_roles_from_the_catalog_decide() {
    let catalog = RoleCatalog::parse(
        "Customer=users.read;HotelPartner=users.read,admin.users.read;Auditor=audit.read;guest=;Admin=*",
        "Customer",
        None,
    )
    .unwrap();
    let app = app!(settings(catalog, None));
    let status = |path: &'static str, token: &'static str| {
        let req = request(&Method::GET, path, OUTSIDE, Some(token)).to_request();
        let app = &app;
        async move { call_service(app, req).await.status().as_u16() }
    };
    assert_eq!(status("/v1/admin/users", "roles:HotelPartner").await, 200);
    assert_eq!(
        status("/v1/admin/audit-events", "roles:HotelPartner").await,
        403
    );
    assert_eq!(status("/v1/admin/audit-events", "roles:Auditor").await, 200);
    // Auditor lacks users.read: not even its own profile.
    assert_eq!(status("/v1/users/me", "roles:Auditor").await, 403);
    assert_eq!(status("/v1/users/me", "roles:Auditor,Customer").await, 200);
    assert_eq!(status("/v1/admin/users", "roles:Customer").await, 403);
    assert_eq!(status("/v1/admin/audit-events", "roles:Admin").await, 200);
    // Exact names: `admin` is not `Admin`; an unconfigured role grants nothing.
    assert_eq!(status("/v1/admin/users", "roles:admin").await, 403);
    assert_eq!(status("/v1/users/me", "roles:retired").await, 403);
    // A role granting nothing can still log out.
    assert_eq!(status("/v1/users/me", "roles:guest").await, 403);
    let logout = request(
        &Method::POST,
        "/v1/auth/logout",
        OUTSIDE,
        Some("roles:guest"),
    );
    assert_eq!(call_service(&app, logout.to_request()).await.status(), 200);
}

#[actix_web::test]
async fn bad_tokens_answer_the_401s_of_authentication_before_any_permission() {
    let app = app!(settings(RoleCatalog::default(), None));
    for (token, code) in [
        ("expired", "TOKEN_EXPIRED"),
        ("revoked", "TOKEN_REVOKED"),
        ("garbage", "INVALID_TOKEN"),
    ] {
        let req = request(&Method::GET, "/v1/admin/users", OUTSIDE, Some(token));
        let res = call_service(&app, req.to_request()).await;
        assert_eq!(code_of(res).await, (401, code.to_owned()), "{token}");
    }
    let req = request(&Method::GET, "/v1/users/me", OUTSIDE, None)
        .insert_header(("Authorization", "Basic dXNlcjpwYXNz"));
    let res = call_service(&app, req.to_request()).await;
    assert_eq!(code_of(res).await, (401, "INVALID_AUTH_FORMAT".to_owned()));
}

/// The check verifies the token; the handler's `Authenticated` reuses its claims.
#[actix_web::test]
async fn a_token_is_verified_once_per_request() {
    let codec = Arc::new(RolesInToken::default());
    let app = app!(
        settings(RoleCatalog::default(), None),
        codec.clone(),
        Arc::new(Counter::default())
    );
    for path in ["/v1/users/me", "/v1/admin/users"] {
        let before = codec.verified.load(Ordering::SeqCst);
        let req = request(&Method::GET, path, OUTSIDE, Some("roles:admin"));
        let res = call_service(&app, req.to_request()).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let body: serde_json::Value = read_body_json(res).await;
        assert!(
            body["userId"].is_string(),
            "{path}: the handler saw the caller"
        );
        assert_eq!(codec.verified.load(Ordering::SeqCst) - before, 1, "{path}");
    }
}

#[actix_web::test]
async fn without_its_data_the_check_fails_closed() {
    let app = init_service(
        App::new()
            .configure(|cfg| {
                routes::register(cfg, &[routes::API_PREFIX], routes::guarded_stubs(stub))
            })
            .wrap(from_fn(envelope)),
    )
    .await;
    let req = request(&Method::GET, "/v1/admin/users", INSIDE, Some("roles:admin"));
    assert_eq!(call_service(&app, req.to_request()).await.status(), 500);
    let req = request(&Method::GET, "/v1/users/me", INSIDE, Some("roles:admin"));
    assert_eq!(call_service(&app, req.to_request()).await.status(), 500);
}

mod network;
