//! The middleware stack and route table without domain services: what every response looks like
//! whatever the handler. End-to-end behaviour over real adapters is tested in `crates/authd`.

use crate::middleware::rate_limit::RateLimiting;
use crate::settings::{HttpSettings, RateLimits};
use crate::{middleware, routes};
use actix_web::App;
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::from_fn;
use actix_web::test::{TestRequest, call_service, init_service, read_body_json};
use actix_web::web::Data;
use async_trait::async_trait;
use authd_domain::error::PortError;
use authd_domain::policy::rate_limit::{RateLimit, RateLimitDecision, decide};
use authd_domain::ports::{Clock, RateLimiter};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

const SECURITY_HEADERS: [&str; 7] = [
    "strict-transport-security",
    "x-content-type-options",
    "x-frame-options",
    "x-xss-protection",
    "content-security-policy",
    "referrer-policy",
    "permissions-policy",
];

/// Counts its hits and answers each as the first of its window or, when `exhausted`, as one past
/// the limit.
#[derive(Default)]
struct Scripted {
    exhausted: bool,
    hits: AtomicU64,
}

impl Scripted {
    fn exhausted() -> Arc<Self> {
        Arc::new(Self {
            exhausted: true,
            ..Self::default()
        })
    }
}

#[async_trait]
impl RateLimiter for Scripted {
    async fn hit(&self, _: &str, limit: RateLimit) -> Result<RateLimitDecision, PortError> {
        self.hits.fetch_add(1, Ordering::SeqCst);
        let count = if self.exhausted {
            u64::from(limit.max) + 1
        } else {
            1
        };
        Ok(decide(limit, count, limit.window))
    }
}

/// 2023-12-01T10:30:00Z, whatever the system's time.
struct Fixed;

const FIXED_UNIX: i64 = 1_701_426_600;

impl Clock for Fixed {
    fn now(&self) -> authd_domain::Timestamp {
        chrono::DateTime::from_timestamp(FIXED_UNIX, 0).unwrap_or_default()
    }
}

// The same stack, in the same order, as `crate::app`.
macro_rules! app {
    () => {
        app!(Arc::new(Scripted::default()))
    };
    ($limiter:expr) => {{
        let settings = Arc::new(HttpSettings {
            allowed_origins: vec!["https://app.example".to_owned()],
            ..HttpSettings::default()
        });
        init_service(
            App::new()
                .app_data(Data::new(RateLimiting::new(
                    $limiter,
                    RateLimits::default(),
                    Vec::new(),
                    Arc::new(Fixed),
                )))
                .app_data(Data::<dyn Clock>::from(Arc::new(Fixed) as Arc<dyn Clock>))
                .configure(routes::configure(routes::Features::ALL))
                .wrap(middleware::cors(settings.clone()))
                .wrap(from_fn(move |req, next| {
                    middleware::cors_guard(settings.clone(), req, next)
                }))
                .wrap(from_fn(middleware::envelope)),
        )
        .await
    }};
}

fn header(
    res: &actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
    name: &str,
) -> String {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[actix_web::test]
async fn an_unknown_path_is_a_404_envelope_carrying_the_request_id_and_security_headers() {
    let app = app!();
    let res = call_service(&app, TestRequest::get().uri("/nope").to_request()).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let request_id = header(&res, "x-request-id");
    assert!(!request_id.is_empty());
    for name in SECURITY_HEADERS {
        assert!(res.headers().contains_key(name), "{name} missing");
    }
    let body: serde_json::Value = read_body_json(res).await;
    assert_eq!(body["success"], false);
    assert_eq!(body["error"]["code"], "NOT_FOUND");
    assert_eq!(body["requestId"], request_id.as_str());
}

#[actix_web::test]
async fn a_sane_incoming_request_id_is_echoed_in_header_and_body() {
    let app = app!();
    let req = TestRequest::get()
        .uri("/nope")
        .insert_header(("X-Request-Id", "trace-123"))
        .to_request();
    let res = call_service(&app, req).await;
    assert_eq!(header(&res, "x-request-id"), "trace-123");
    let body: serde_json::Value = read_body_json(res).await;
    assert_eq!(body["requestId"], "trace-123");
}

#[actix_web::test]
async fn a_wrong_method_on_a_known_path_is_405_with_allow() {
    let app = app!();
    let req = TestRequest::default()
        .method(Method::PATCH)
        .uri("/v1/users/me")
        .to_request();
    let res = call_service(&app, req).await;
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(header(&res, "allow"), "GET, HEAD, PUT, DELETE");
    let body: serde_json::Value = read_body_json(res).await;
    assert_eq!(body["error"]["code"], "METHOD_NOT_ALLOWED");
}

/// Every `GET` route answers `HEAD` as it answers `GET` (the server drops the body on the wire).
#[actix_web::test]
async fn head_on_a_get_route_answers_like_the_get() {
    let app = app!();
    for path in ["/health/live", "/v1/users/me"] {
        let get = call_service(&app, TestRequest::get().uri(path).to_request()).await;
        let head = TestRequest::default().method(Method::HEAD).uri(path);
        let head = call_service(&app, head.to_request()).await;
        assert_eq!(head.status(), get.status(), "{path}");
        assert_ne!(head.status(), StatusCode::METHOD_NOT_ALLOWED, "{path}");
        assert_eq!(header(&head, "content-type"), header(&get, "content-type"));
    }
    let head = TestRequest::default()
        .method(Method::HEAD)
        .uri("/v1/auth/login")
        .to_request();
    let res = call_service(&app, head).await;
    assert_eq!(
        res.status(),
        StatusCode::METHOD_NOT_ALLOWED,
        "no GET, no HEAD"
    );
    assert_eq!(header(&res, "allow"), "POST");
}

/// A `HEAD` is the `GET`'s route, behind the `GET`'s limit.
#[actix_web::test]
async fn head_counts_against_the_limit_of_its_get() {
    let limiter = Scripted::exhausted();
    let app = app!(limiter.clone());
    let head = TestRequest::default()
        .method(Method::HEAD)
        .uri("/v1/users/me/sessions")
        .to_request();
    let res = call_service(&app, head).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limiter.hits.load(Ordering::SeqCst), 1);
}

#[actix_web::test]
async fn a_preflight_from_an_allowed_origin_may_send_credentials() {
    let app = app!();
    let req = TestRequest::default()
        .method(Method::OPTIONS)
        .uri("/v1/auth/refresh")
        .insert_header(("Origin", "https://app.example"))
        .insert_header(("Access-Control-Request-Method", "POST"))
        .to_request();
    let res = call_service(&app, req).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        header(&res, "access-control-allow-origin"),
        "https://app.example"
    );
    assert_eq!(header(&res, "access-control-allow-credentials"), "true");
}

#[actix_web::test]
async fn a_traced_browser_app_may_send_its_trace_context() {
    let app = app!();
    let req = TestRequest::default()
        .method(Method::OPTIONS)
        .uri("/v1/users/me")
        .insert_header(("Origin", "https://app.example"))
        .insert_header(("Access-Control-Request-Method", "GET"))
        .insert_header((
            "Access-Control-Request-Headers",
            "authorization, traceparent, tracestate",
        ))
        .to_request();
    let res = call_service(&app, req).await;
    assert_eq!(res.status(), StatusCode::OK);
    let allowed = header(&res, "access-control-allow-headers");
    assert!(
        allowed.contains("traceparent") && allowed.contains("tracestate"),
        "{allowed}"
    );
}

#[actix_web::test]
async fn a_preflight_from_a_foreign_origin_is_403_cors_origin_not_allowed_in_the_envelope() {
    let app = app!();
    let req = TestRequest::default()
        .method(Method::OPTIONS)
        .uri("/v1/auth/refresh")
        .insert_header(("Origin", "https://evil.example"))
        .insert_header(("Access-Control-Request-Method", "POST"))
        .to_request();
    let res = call_service(&app, req).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.headers().contains_key("x-frame-options"));
    for name in CORS_GRANTS {
        assert!(!res.headers().contains_key(name), "{name}");
    }
    let request_id = header(&res, "x-request-id");
    let body: serde_json::Value = read_body_json(res).await;
    assert_eq!(body["success"], false);
    assert_eq!(body["error"]["code"], "CORS_ORIGIN_NOT_ALLOWED");
    assert_eq!(body["requestId"], request_id.as_str());
}

const CORS_GRANTS: [&str; 3] = [
    "access-control-allow-origin",
    "access-control-allow-credentials",
    "access-control-expose-headers",
];

/// CORS headers go only to a request whose `Origin` is allowed: none without an `Origin`, none
/// for a foreign one.
#[actix_web::test]
async fn cors_headers_answer_an_allowed_origin_only() {
    let app = app!();
    let send = |origin: Option<&'static str>| {
        let mut req = TestRequest::get().uri("/health/live");
        if let Some(origin) = origin {
            req = req.insert_header(("Origin", origin));
        }
        req.to_request()
    };
    for origin in [None, Some("https://evil.example")] {
        let res = call_service(&app, send(origin)).await;
        assert_eq!(res.status(), StatusCode::OK);
        for name in CORS_GRANTS {
            assert!(!res.headers().contains_key(name), "{name} for {origin:?}");
        }
    }
    let res = call_service(&app, send(Some("https://app.example"))).await;
    assert_eq!(
        header(&res, "access-control-allow-origin"),
        "https://app.example"
    );
    assert_eq!(header(&res, "access-control-allow-credentials"), "true");
    let exposed = header(&res, "access-control-expose-headers");
    assert!(exposed.contains("x-request-id") && exposed.contains("traceresponse"));
}

#[actix_web::test]
async fn a_refusal_carries_cors_security_headers_and_the_request_id() {
    let app = app!(Scripted::exhausted());
    let req = TestRequest::post()
        .uri("/v1/auth/login")
        .insert_header(("Origin", "https://app.example"))
        .to_request();
    let res = call_service(&app, req).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        header(&res, "access-control-allow-origin"),
        "https://app.example"
    );
    assert!(res.headers().contains_key("x-frame-options"));
    assert_eq!(header(&res, "x-ratelimit-remaining"), "0");
    let request_id = header(&res, "x-request-id");
    let body: serde_json::Value = read_body_json(res).await;
    assert_eq!(body["error"]["code"], "RATE_LIMIT_EXCEEDED");
    assert_eq!(body["requestId"], request_id.as_str());
}

#[actix_web::test]
async fn a_preflight_and_the_health_endpoints_are_never_refused_or_counted() {
    let limiter = Scripted::exhausted();
    let app = app!(limiter.clone());
    let preflight = TestRequest::default()
        .method(Method::OPTIONS)
        .uri("/v1/auth/login")
        .insert_header(("Origin", "https://app.example"))
        .insert_header(("Access-Control-Request-Method", "POST"))
        .to_request();
    assert_eq!(call_service(&app, preflight).await.status(), StatusCode::OK);
    let live = TestRequest::get().uri("/health/live").to_request();
    assert_eq!(call_service(&app, live).await.status(), StatusCode::OK);
    assert_eq!(limiter.hits.load(Ordering::SeqCst), 0);
}

#[actix_web::test]
async fn the_time_of_an_answer_comes_from_the_app_clock() {
    let app = app!(Scripted::exhausted());
    let res = call_service(&app, TestRequest::post().uri("/v1/auth/login").to_request()).await;
    let reset: i64 = header(&res, "x-ratelimit-reset").parse().unwrap();
    assert_eq!(reset, FIXED_UNIX + 15 * 60);
    let body: serde_json::Value = read_body_json(res).await;
    assert_eq!(body["timestamp"], "2023-12-01T10:30:00Z");
}
