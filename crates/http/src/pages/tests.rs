//! The pages as a browser receives them: served only when configured, with their strict
//! headers, static (nothing of the address reflected), and free of inline script and style.

mod html;

use crate::middleware::rate_limit::RateLimiting;
use crate::settings::RateLimits;
use crate::{middleware, routes};
use actix_web::App;
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::from_fn;
use actix_web::test::{TestRequest, call_service, init_service, read_body};
use actix_web::web::Data;
use authd_clock::SystemClock;
use authd_domain::policy::rate_limit::RateLimit;
use authd_domain::ports::Clock;
use authd_memory::MemoryRateLimiter;
use std::sync::Arc;

const PAGES: [&str; 3] = ["/verify-email", "/reset-password", "/unlock-account"];
const ASSETS: [(&str, &str); 3] = [
    ("/pages/pages.js", "text/javascript; charset=utf-8"),
    ("/pages/pages.css", "text/css; charset=utf-8"),
    ("/pages/favicon.svg", "image/svg+xml"),
];
const CSP: &str = "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

// The stack of `crate::app` that matters here: the route table, its limits, the envelope.
macro_rules! app {
    ($pages:expr) => {
        app!($pages, RateLimits::default())
    };
    ($pages:expr, $limits:expr) => {{
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        init_service(
            App::new()
                .app_data(Data::new(RateLimiting::new(
                    Arc::new(MemoryRateLimiter::new(clock.clone())),
                    $limits,
                    Vec::new(),
                    clock.clone(),
                )))
                .app_data(Data::<dyn Clock>::from(clock))
                .configure(routes::configure(routes::Features {
                    pages: $pages,
                    ..routes::Features::ALL
                }))
                .wrap(from_fn(middleware::envelope)),
        )
        .await
    }};
}

fn get(uri: &str) -> actix_http::Request {
    TestRequest::get()
        .uri(uri)
        .peer_addr("198.51.100.7:40000".parse().unwrap())
        .to_request()
}

fn header<'a, B>(res: &'a actix_web::dev::ServiceResponse<B>, name: &str) -> &'a str {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

async fn body_of<B: actix_web::body::MessageBody>(
    res: actix_web::dev::ServiceResponse<B>,
) -> String {
    String::from_utf8(read_body(res).await.to_vec()).unwrap()
}

#[actix_web::test]
async fn each_page_is_html_under_the_strict_policy_never_cached_nor_referred() {
    let app = app!(true);
    for path in PAGES {
        let res = call_service(&app, get(&format!("{path}?token=abc"))).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert_eq!(header(&res, "content-type"), "text/html; charset=utf-8");
        assert_eq!(header(&res, "content-security-policy"), CSP, "{path}");
        assert_eq!(header(&res, "referrer-policy"), "no-referrer", "{path}");
        assert_eq!(header(&res, "cache-control"), "no-store", "{path}");
        assert_eq!(header(&res, "x-frame-options"), "DENY", "{path}");
        assert_eq!(header(&res, "x-content-type-options"), "nosniff");
        let body = body_of(res).await;
        assert!(body.starts_with("<!DOCTYPE html>"), "{path}");
    }
}

#[actix_web::test]
async fn the_assets_are_served_with_their_types_and_the_same_headers() {
    let app = app!(true);
    for (path, content_type) in ASSETS {
        let res = call_service(&app, get(path)).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert_eq!(header(&res, "content-type"), content_type, "{path}");
        assert_eq!(header(&res, "content-security-policy"), CSP, "{path}");
        assert_eq!(header(&res, "referrer-policy"), "no-referrer", "{path}");
        assert_eq!(header(&res, "cache-control"), "no-store", "{path}");
        assert!(!body_of(res).await.is_empty(), "{path}");
    }
}

#[actix_web::test]
async fn without_the_setting_neither_pages_nor_assets_exist() {
    let app = app!(false);
    for path in PAGES.into_iter().chain(ASSETS.map(|(p, _)| p)) {
        let res = call_service(&app, get(&format!("{path}?token=abc"))).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(header(&res, "content-type"), "application/json");
    }
}

#[actix_web::test]
async fn no_query_string_makes_a_page_fail_or_shows_up_in_it() {
    let app = app!(true);
    for path in PAGES {
        let plain = body_of(call_service(&app, get(path)).await).await;
        for query in [
            "?token=%ZZ%",
            "?token=&token=&&==",
            "?token=%3Cscript%3Ealert(1)%3C/script%3E",
            "?%00=%ff%fe",
            "?token=a;b,c%22d'e%00",
            "?token=a&token=b&token=%F0%9F%98%80",
        ] {
            let uri = format!("{path}{query}");
            let res = call_service(&app, get(&uri)).await;
            assert_eq!(res.status(), StatusCode::OK, "{uri}");
            assert_eq!(body_of(res).await, plain, "{uri}: the page is static");
        }
    }
}

#[actix_web::test]
async fn a_page_answers_head_and_refuses_other_methods() {
    let app = app!(true);
    for path in PAGES {
        let head = TestRequest::default()
            .method(Method::HEAD)
            .uri(path)
            .to_request();
        assert_eq!(call_service(&app, head).await.status(), StatusCode::OK);
        let post = TestRequest::post().uri(path).to_request();
        let res = call_service(&app, post).await;
        assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED, "{path}");
        assert_eq!(header(&res, "allow"), "GET, HEAD");
    }
}

#[actix_web::test]
async fn pages_count_against_the_general_limit_their_assets_do_not() {
    let limits = RateLimits {
        general: RateLimit::new(2, chrono::Duration::minutes(15)),
        ..RateLimits::default()
    };
    let app = app!(true, limits);
    for _ in 0..2 {
        let res = call_service(&app, get("/verify-email?token=a")).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(header(&res, "x-ratelimit-limit"), "2");
    }
    let res = call_service(&app, get("/reset-password?token=a")).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    for (path, _) in ASSETS {
        assert_eq!(call_service(&app, get(path)).await.status(), StatusCode::OK);
    }
}

#[test]
fn the_pages_are_not_in_the_api_document() {
    let document = serde_json::to_value(routes::openapi()).unwrap();
    let paths: Vec<&String> = document["paths"].as_object().unwrap().keys().collect();
    for path in PAGES.into_iter().chain(ASSETS.map(|(p, _)| p)) {
        assert!(!paths.iter().any(|p| *p == path), "{path} in {paths:?}");
    }
    assert!(paths.iter().any(|p| *p == "/v1/auth/verify-email"));
}
