//! The middleware in an app: which requests are counted, what every answer carries, and what a
//! refusal looks like. The limiter here is a test counter; the real adapters have their own
//! conformance suite.

use super::*;
use crate::middleware::envelope;
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::from_fn;
use actix_web::test::{TestRequest, call_service, init_service, read_body_json};
use actix_web::{App, HttpResponse, web};
use async_trait::async_trait;
use authd_domain::error::PortError;
use authd_domain::policy::rate_limit::{RateLimit, RateLimitDecision, decide};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Counts hits per key in one window that never closes.
#[derive(Default)]
struct Counter {
    counts: Mutex<HashMap<String, u64>>,
}

impl Counter {
    fn hits(&self, key: &str) -> u64 {
        self.counts
            .lock()
            .map(|c| c.get(key).copied().unwrap_or(0))
            .unwrap_or(0)
    }

    fn total(&self) -> u64 {
        self.counts.lock().map(|c| c.values().sum()).unwrap_or(0)
    }
}

#[async_trait]
impl RateLimiter for Counter {
    async fn hit(&self, key: &str, limit: RateLimit) -> Result<RateLimitDecision, PortError> {
        let mut counts = self
            .counts
            .lock()
            .map_err(|_| PortError::internal("poisoned"))?;
        let count = counts.entry(key.to_owned()).or_default();
        *count += 1;
        Ok(decide(limit, *count, limit.window))
    }
}

struct Broken;

#[async_trait]
impl RateLimiter for Broken {
    async fn hit(&self, _: &str, _: RateLimit) -> Result<RateLimitDecision, PortError> {
        Err(PortError::unavailable("redis is down"))
    }
}

struct Hanging;

#[async_trait]
impl RateLimiter for Hanging {
    async fn hit(&self, _: &str, _: RateLimit) -> Result<RateLimitDecision, PortError> {
        std::future::pending().await
    }
}

const CLIENT: &str = "203.0.113.9";
const PROXY: &str = "10.0.0.2";

fn limits() -> RateLimits {
    RateLimits::default()
}

/// The clock of the tests: the system's, so headers can be compared with `Utc::now()`.
struct Wall;

impl Clock for Wall {
    fn now(&self) -> authd_domain::Timestamp {
        chrono::Utc::now()
    }
}

/// The route table with every handler answering 200 (`/v1/auth/refresh`: 401, `/v1/auth/mfa/verify`:
/// the 429 of the per-user MFA limit) and counting the
/// calls that reached it, behind the envelope; unrouted requests get the table's 404.
macro_rules! app {
    ($limiter:expr, $limits:expr, $reached:expr) => {{
        let reached: Arc<AtomicUsize> = $reached;
        let trusted = vec!["10.0.0.0/8".parse().unwrap()];
        let endpoints = crate::routes::stubbed(|spec| {
            let reached = reached.clone();
            web::to(move || {
                reached.fetch_add(1, Ordering::SeqCst);
                let refresh = spec.path == "/v1/auth/refresh";
                let mfa = spec.path == "/v1/auth/mfa/verify";
                async move {
                    if refresh {
                        Err(ApiError::InvalidRefreshToken)
                    } else if mfa {
                        // The per-user limit of MFA codes, spent.
                        Err(ApiError::MfaRateLimited(RateLimitDecision {
                            allowed: false,
                            limit: 10,
                            remaining: 0,
                            resets_in: chrono::Duration::seconds(120),
                        }))
                    } else {
                        Ok(HttpResponse::Ok().json(serde_json::json!({"success": true})))
                    }
                }
            })
        });
        init_service(
            App::new()
                .app_data(Data::new(RateLimiting::new(
                    $limiter,
                    $limits,
                    trusted,
                    Arc::new(Wall),
                )))
                .configure(|cfg| crate::routes::register(cfg, &[crate::routes::API_PREFIX], endpoints))
                .wrap(from_fn(envelope)),
        )
        .await
    }};
}

fn request(method: Method, path: &str, peer: &str) -> TestRequest {
    TestRequest::default()
        .method(method)
        .uri(path)
        .peer_addr(SocketAddr::new(peer.parse().unwrap(), 40_000))
}

fn post(path: &str) -> TestRequest {
    request(Method::POST, path, CLIENT)
}

fn header(res: &ServiceResponse<impl MessageBody>, name: &str) -> Option<String> {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

#[actix_web::test]
async fn an_allowed_login_carries_the_headers_of_its_tightest_limit() {
    let app = app!(Arc::new(Counter::default()), limits(), Arc::default());
    let before = chrono::Utc::now().timestamp();
    let res = call_service(&app, post("/v1/auth/login").to_request()).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(header(&res, "x-ratelimit-limit").as_deref(), Some("5"));
    assert_eq!(header(&res, "x-ratelimit-remaining").as_deref(), Some("4"));
    let reset: i64 = header(&res, "x-ratelimit-reset").unwrap().parse().unwrap();
    assert!((before + 900..=before + 902).contains(&reset), "{reset}");
}

#[actix_web::test]
async fn the_sixth_login_is_refused_with_the_documented_429_and_never_reaches_the_handler() {
    let reached = Arc::new(AtomicUsize::new(0));
    let app = app!(Arc::new(Counter::default()), limits(), reached.clone());
    for _ in 0..5 {
        let res = call_service(&app, post("/v1/auth/login").to_request()).await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    let res = call_service(&app, post("/v1/auth/login").to_request()).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(reached.load(Ordering::SeqCst), 5);
    assert_eq!(header(&res, "retry-after").as_deref(), Some("900"));
    assert_eq!(header(&res, "x-ratelimit-limit").as_deref(), Some("5"));
    assert_eq!(header(&res, "x-ratelimit-remaining").as_deref(), Some("0"));
    assert!(header(&res, "x-ratelimit-reset").is_some());
    let request_id = header(&res, "x-request-id").unwrap();
    let body: serde_json::Value = read_body_json(res).await;
    assert_eq!(body["success"], false);
    assert_eq!(body["error"]["code"], "RATE_LIMIT_EXCEEDED");
    assert_eq!(
        body["error"]["message"],
        "Too many login attempts. Try again in 15 minutes."
    );
    assert_eq!(body["error"]["retryAfter"], 900);
    assert_eq!(body["requestId"], request_id.as_str());
}

#[actix_web::test]
async fn a_refused_request_still_counts_against_the_other_limits() {
    let counter = Arc::new(Counter::default());
    let app = app!(counter.clone(), limits(), Arc::default());
    for _ in 0..7 {
        call_service(&app, post("/v1/auth/login").to_request()).await;
    }
    assert_eq!(counter.hits(&format!("rl:general:{CLIENT}")), 7);
    assert_eq!(counter.hits(&format!("rl:login:{CLIENT}")), 7);
}

#[actix_web::test]
async fn an_error_answer_of_a_handler_carries_the_headers_too() {
    let app = app!(Arc::new(Counter::default()), limits(), Arc::default());
    let res = call_service(&app, post("/v1/auth/refresh").to_request()).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(header(&res, "x-ratelimit-limit").as_deref(), Some("100"));
    assert_eq!(header(&res, "x-ratelimit-remaining").as_deref(), Some("99"));
}

#[actix_web::test]
async fn a_429_of_the_per_user_mfa_limit_keeps_its_own_headers() {
    let counter = Arc::new(Counter::default());
    let app = app!(counter.clone(), limits(), Arc::default());
    let res = call_service(&app, post("/v1/auth/mfa/verify").to_request()).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    // Counted per address under the general limit only, and the answer speaks of the per-user
    // limit that refused it.
    assert_eq!(counter.hits(&format!("rl:login:{CLIENT}")), 0);
    assert_eq!(counter.hits(&format!("rl:general:{CLIENT}")), 1);
    assert_eq!(header(&res, "x-ratelimit-limit").as_deref(), Some("10"));
    assert_eq!(header(&res, "x-ratelimit-remaining").as_deref(), Some("0"));
    assert_eq!(header(&res, "retry-after").as_deref(), Some("120"));
}

#[actix_web::test]
async fn every_v1_route_counts_against_the_general_limit() {
    let limits = RateLimits {
        general: RateLimit::new(2, chrono::Duration::minutes(15)),
        ..limits()
    };
    let app = app!(Arc::new(Counter::default()), limits, Arc::default());
    let me = || request(Method::GET, "/v1/users/me", CLIENT).to_request();
    call_service(&app, me()).await;
    call_service(&app, post("/v1/auth/refresh").to_request()).await;
    let res = call_service(&app, me()).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let body: serde_json::Value = read_body_json(res).await;
    assert_eq!(
        body["error"]["message"],
        "Too many requests. Try again in 15 minutes."
    );
}

#[actix_web::test]
async fn forgot_and_reset_password_share_one_bucket() {
    let app = app!(Arc::new(Counter::default()), limits(), Arc::default());
    call_service(&app, post("/v1/auth/forgot-password").to_request()).await;
    call_service(&app, post("/v1/auth/reset-password").to_request()).await;
    let third = call_service(&app, post("/v1/auth/forgot-password").to_request()).await;
    assert_eq!(third.status(), StatusCode::OK);
    let fourth = call_service(&app, post("/v1/auth/reset-password").to_request()).await;
    assert_eq!(fourth.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(header(&fourth, "retry-after").as_deref(), Some("3600"));
    let body: serde_json::Value = read_body_json(fourth).await;
    assert_eq!(
        body["error"]["message"],
        "Too many password reset requests. Try again in 1 hour."
    );
}

#[actix_web::test]
async fn each_client_address_has_its_own_bucket() {
    let app = app!(Arc::new(Counter::default()), limits(), Arc::default());
    for _ in 0..4 {
        call_service(&app, post("/v1/auth/register").to_request()).await;
    }
    let other = request(Method::POST, "/v1/auth/register", "198.51.100.7").to_request();
    assert_eq!(call_service(&app, other).await.status(), StatusCode::OK);
}

#[actix_web::test]
async fn an_untrusted_peer_cannot_escape_its_bucket_with_x_forwarded_for() {
    let counter = Arc::new(Counter::default());
    let app = app!(counter.clone(), limits(), Arc::default());
    for n in 0..4 {
        let req = request(Method::POST, "/v1/auth/register", CLIENT)
            .insert_header(("X-Forwarded-For", format!("192.0.2.{n}")))
            .to_request();
        call_service(&app, req).await;
    }
    assert_eq!(counter.hits(&format!("rl:register:{CLIENT}")), 4);
}

#[actix_web::test]
async fn behind_a_trusted_proxy_the_forwarded_client_is_counted() {
    let counter = Arc::new(Counter::default());
    let app = app!(counter.clone(), limits(), Arc::default());
    let req = request(Method::POST, "/v1/auth/login", PROXY)
        .insert_header(("X-Forwarded-For", CLIENT))
        .to_request();
    call_service(&app, req).await;
    assert_eq!(counter.hits(&format!("rl:login:{CLIENT}")), 1);
    assert_eq!(counter.hits(&format!("rl:login:{PROXY}")), 0);
}

#[actix_web::test]
async fn health_jwks_and_preflights_are_neither_counted_nor_labelled() {
    let counter = Arc::new(Counter::default());
    let app = app!(counter.clone(), limits(), Arc::default());
    for (method, path) in [
        (Method::GET, "/v1/health"),
        (Method::GET, "/health/live"),
        (Method::GET, "/health/ready"),
        (Method::GET, "/.well-known/jwks.json"),
        (Method::OPTIONS, "/v1/auth/login"),
    ] {
        let res = call_service(&app, request(method, path, CLIENT).to_request()).await;
        assert!(header(&res, "x-ratelimit-limit").is_none(), "{path}");
    }
    assert_eq!(counter.total(), 0);
}

#[actix_web::test]
async fn disabled_limits_count_nothing_and_add_no_headers() {
    let counter = Arc::new(Counter::default());
    let disabled = RateLimits {
        enabled: false,
        ..limits()
    };
    let app = app!(counter.clone(), disabled, Arc::default());
    for _ in 0..10 {
        let res = call_service(&app, post("/v1/auth/login").to_request()).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert!(header(&res, "x-ratelimit-limit").is_none());
    }
    assert_eq!(counter.total(), 0);
}

#[actix_web::test]
async fn a_failing_limiter_lets_requests_through_without_headers() {
    let app = app!(Arc::new(Broken), limits(), Arc::default());
    for _ in 0..10 {
        let res = call_service(&app, post("/v1/auth/login").to_request()).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert!(header(&res, "x-ratelimit-limit").is_none());
    }
}

#[actix_web::test]
async fn a_limiter_that_never_answers_delays_a_request_by_the_timeout_at_most() {
    let app = app!(Arc::new(Hanging), limits(), Arc::default());
    let started = std::time::Instant::now();
    let res = call_service(&app, post("/v1/auth/login").to_request()).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(started.elapsed() < LIMITER_TIMEOUT * 3);
}

/// Other spellings of `path` a client may send: percent-encoded (each segment's first letter,
/// every letter, lower-case hex), in other case, with an extra slash and with a query. (A leading
/// `//` is not a path `http::Uri` accepts; the end-to-end tests send it over the wire.)
fn spellings(path: &str) -> Vec<String> {
    let encode = |c: char| format!("%{:02X}", u32::from(c));
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let mut out = Vec::new();
    for i in 0..segments.len() {
        let mut s = segments
            .clone()
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>();
        let mut chars = s[i].chars();
        let first = chars.next().map(encode).unwrap_or_default();
        s[i] = format!("{first}{}", chars.as_str());
        out.push(format!("/{}", s.join("/")));
        out.push(format!("/{}", s.join("/")).to_lowercase());
    }
    let every: String = path
        .chars()
        .map(|c| if c == '/' { "/".to_owned() } else { encode(c) })
        .collect();
    out.push(every);
    out.push(path.to_uppercase());
    out.push(format!("{path}/"));
    out.push(path.replacen('/', "//", 2).replacen("//", "/", 1));
    out.push(format!("/{}", segments.join("%2F")));
    out.push(format!("{path}?utm=1"));
    out
}

/// The limited routes, each with the method that is limited and the bucket it counts against.
fn limited_routes() -> [(Method, &'static str, &'static str); 5] {
    [
        (Method::POST, "/v1/auth/login", "login"),
        (Method::POST, "/v1/auth/register", "register"),
        (Method::POST, "/v1/auth/forgot-password", "password-reset"),
        (Method::POST, "/v1/auth/reset-password", "password-reset"),
        (Method::GET, "/v1/users/me", "general"),
    ]
}

#[actix_web::test]
async fn every_spelling_of_a_limited_path_counts_against_its_group_or_is_not_routed() {
    for (method, path, group) in limited_routes() {
        let mut routed = 0;
        for spelling in spellings(path) {
            let counter = Arc::new(Counter::default());
            let reached = Arc::new(AtomicUsize::new(0));
            let app = app!(counter.clone(), limits(), reached.clone());
            let req = request(method.clone(), &spelling, CLIENT).to_request();
            let res = call_service(&app, req).await;
            let key = format!("rl:{group}:{CLIENT}");
            if reached.load(Ordering::SeqCst) == 1 {
                routed += 1;
                assert_eq!(counter.hits(&key), 1, "{method} {spelling}");
                assert_eq!(
                    counter.hits(&format!("rl:general:{CLIENT}")),
                    1,
                    "{spelling}"
                );
            } else {
                // Not the route's: at most the `general` of an unknown path under `/v1`.
                assert_eq!(res.status(), StatusCode::NOT_FOUND, "{method} {spelling}");
                if group != "general" {
                    assert_eq!(counter.hits(&key), 0, "{spelling}");
                }
            }
        }
        // The router decodes percent-encoding: the spellings did reach the handler.
        assert!(routed >= 3, "{path}: only {routed} spellings were routed");
    }
}

#[actix_web::test]
async fn once_a_limit_is_spent_no_spelling_of_the_path_reaches_the_handler() {
    let tight = RateLimits {
        general: RateLimit::new(1, chrono::Duration::minutes(15)),
        login: RateLimit::new(1, chrono::Duration::minutes(15)),
        register: RateLimit::new(1, chrono::Duration::minutes(15)),
        password_reset: RateLimit::new(1, chrono::Duration::minutes(15)),
        ..limits()
    };
    for (method, path, _) in limited_routes() {
        let reached = Arc::new(AtomicUsize::new(0));
        // Only the route's own group is spent: the general bucket has room for every spelling.
        let limits = RateLimits {
            general: RateLimit::new(1000, chrono::Duration::minutes(15)),
            ..tight
        };
        let limits = if path == "/v1/users/me" {
            tight
        } else {
            limits
        };
        let app = app!(Arc::new(Counter::default()), limits, reached.clone());
        let first = call_service(&app, request(method.clone(), path, CLIENT).to_request()).await;
        assert_eq!(first.status(), StatusCode::OK, "{path}");
        for spelling in spellings(path) {
            let req = request(method.clone(), &spelling, CLIENT).to_request();
            let status = call_service(&app, req).await.status();
            assert!(
                [StatusCode::TOO_MANY_REQUESTS, StatusCode::NOT_FOUND].contains(&status),
                "{method} {spelling}: {status}"
            );
        }
        assert_eq!(reached.load(Ordering::SeqCst), 1, "{path}");
    }
}

#[actix_web::test]
async fn the_password_reset_routes_share_their_bucket_whatever_the_spelling() {
    let counter = Arc::new(Counter::default());
    let app = app!(counter.clone(), limits(), Arc::default());
    for path in ["/v1/auth/forgot-password", "/v1/auth/%72eset-password"] {
        call_service(&app, post(path).to_request()).await;
    }
    assert_eq!(counter.hits(&format!("rl:password-reset:{CLIENT}")), 2);
}

#[actix_web::test]
async fn a_wrong_method_on_a_limited_path_counts_only_as_a_general_request() {
    let counter = Arc::new(Counter::default());
    let app = app!(counter.clone(), limits(), Arc::default());
    let req = request(Method::GET, "/v1/auth/%6Cogin", CLIENT).to_request();
    let res = call_service(&app, req).await;
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(counter.hits(&format!("rl:general:{CLIENT}")), 1);
    assert_eq!(counter.hits(&format!("rl:login:{CLIENT}")), 0);
    assert_eq!(header(&res, "x-ratelimit-limit").as_deref(), Some("100"));
}

#[actix_web::test]
async fn a_wrong_method_on_an_exempt_path_is_not_counted() {
    let counter = Arc::new(Counter::default());
    let app = app!(counter.clone(), limits(), Arc::default());
    let res = call_service(&app, post("/health/live").to_request()).await;
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(counter.total(), 0);
}

#[actix_web::test]
async fn an_unrouted_request_under_the_api_prefix_counts_against_general_and_elsewhere_is_free() {
    let counter = Arc::new(Counter::default());
    let app = app!(counter.clone(), limits(), Arc::default());
    for path in [
        "/v1/no-such-route",
        "/%761/no-such-route",
        "/v1/auth/login/",
    ] {
        let res = call_service(&app, post(path).to_request()).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(header(&res, "x-ratelimit-limit").is_some(), "{path}");
    }
    assert_eq!(counter.hits(&format!("rl:general:{CLIENT}")), 3);
    for path in ["/nope", "/V1/AUTH/LOGIN", "/favicon.ico"] {
        let res = call_service(&app, post(path).to_request()).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(header(&res, "x-ratelimit-limit").is_none(), "{path}");
    }
    assert_eq!(counter.total(), 3);
}
