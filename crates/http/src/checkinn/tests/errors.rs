//! Every error under `/api/auth` in the CheckInn envelope, whichever layer refuses the request;
//! `/v1` keeps its own.

use super::{PASSWORD, answer, app, register, registration, send, state};
use crate::checkinn::envelope::{AUTH_REQUIRED, LOCKED};
use crate::settings::RateLimits;
use actix_web::http::Method;
use actix_web::test::{TestRequest, call_service};
use authd_domain::policy::rate_limit::RateLimit;
use serde_json::{Value, json};

#[actix_web::test]
async fn a_registration_names_each_bad_field_of_its_form() {
    let app = app!();
    let body = json!({
        "name": "Test User", "email": "not-an-email", "password": "TestPass123!",
        "passwordConfirm": "TestPass124!"
    });
    let res = send(&app, Method::POST, "/api/auth/register", body, None).await;
    res.assert_error(400, "VALIDATION_ERROR");
    assert_eq!(res.body["message"], "Registration validation failed");
    assert_eq!(res.error_fields(), ["passwordConfirm", "email"]);
    assert_eq!(res.body["errors"][0]["message"], "Passwords do not match");

    // The password policy's own verdict, under the request's field name.
    let mut body = registration("weak@example.com");
    body["password"] = json!("testpass123!");
    let res = send(&app, Method::POST, "/api/auth/register", body, None).await;
    res.assert_error(400, "VALIDATION_ERROR");
    assert_eq!(res.error_fields(), ["password"]);
    assert_eq!(
        res.body["errors"][0]["message"],
        "Password must contain at least one uppercase letter"
    );

    let mut body = registration("role@example.com");
    body["role"] = json!("Admin");
    let res = send(&app, Method::POST, "/api/auth/register", body, None).await;
    res.assert_error(400, "VALIDATION_ERROR");
    assert_eq!(res.error_fields(), ["role"]);

    let mut body = registration("long@example.com");
    body["name"] = json!(format!("{} Doe", "J".repeat(120)));
    let res = send(&app, Method::POST, "/api/auth/register", body, None).await;
    assert_eq!(res.error_fields(), ["name"], "{res:?}");
}

/// A missing name and a mismatched confirmation do not hide what the service finds wrong with
/// the other fields: every problem comes in one answer, and nothing is created.
#[actix_web::test]
async fn a_form_problem_comes_with_the_services_problems() {
    let app = app!();
    let body = json!({
        "email": "all@example.com", "password": "testpass123!", "passwordConfirm": "other",
        "phone": "call me maybe", "role": "Admin"
    });
    let res = send(&app, Method::POST, "/api/auth/register", body, None).await;
    res.assert_error(400, "VALIDATION_ERROR");
    assert_eq!(
        res.error_fields(),
        ["name", "passwordConfirm", "phone", "password", "role"],
        "{res:?}"
    );
    assert_eq!(res.body["errors"][0]["message"], "Name is required");
    // Nothing was created: the address is free.
    register(&app, "all@example.com").await;
}

#[actix_web::test]
async fn a_taken_email_is_409() {
    let app = app!();
    register(&app, "dup@example.com").await;
    let res = send(
        &app,
        Method::POST,
        "/api/auth/register",
        registration("DUP@example.com"),
        None,
    )
    .await;
    res.assert_error(409, "EMAIL_EXISTS");
}

#[actix_web::test]
async fn a_missing_or_bad_token_is_the_documents_401() {
    let app = app!();
    let res = send(&app, Method::GET, "/api/auth/me", Value::Null, None).await;
    res.assert_error(401, "MISSING_AUTH_HEADER");
    assert_eq!(res.body["message"], AUTH_REQUIRED);
    let res = send(
        &app,
        Method::GET,
        "/api/auth/me",
        Value::Null,
        Some("garbage"),
    )
    .await;
    res.assert_error(401, "INVALID_TOKEN");
    assert_eq!(res.body["message"], AUTH_REQUIRED);
    let res = send(&app, Method::POST, "/api/auth/logout", Value::Null, None).await;
    res.assert_error(401, "MISSING_AUTH_HEADER");
}

#[actix_web::test]
async fn the_failed_login_that_reaches_the_limit_locks_with_the_documents_423() {
    let app = app!();
    register(&app, "lock@example.com").await;
    let wrong = json!({"email": "lock@example.com", "password": "Wrong-Pass-1!"});
    let mut locked = None;
    for attempt in 1..=5 {
        let res = send(&app, Method::POST, "/api/auth/login", wrong.clone(), None).await;
        if res.status == 423 {
            locked = Some((attempt, res));
            break;
        }
        res.assert_error(401, "INVALID_CREDENTIALS");
        assert_eq!(res.body["message"], "Invalid email or password");
    }
    let (attempt, res) = locked.expect("locked within 5 attempts");
    assert_eq!(attempt, 5);
    res.assert_error(423, "ACCOUNT_LOCKED");
    assert_eq!(res.body["message"], LOCKED);
    let wait = res.body["retryAfter"].as_i64().unwrap();
    assert!(wait > 0);
    assert_eq!(res.header("retry-after"), wait.to_string());
    // The right password too, while the lock lasts.
    let right = json!({"email": "lock@example.com", "password": PASSWORD});
    let res = send(&app, Method::POST, "/api/auth/login", right, None).await;
    res.assert_error(423, "ACCOUNT_LOCKED");
}

#[actix_web::test]
async fn unknown_paths_and_methods_under_api_auth_are_404_and_405_in_the_envelope() {
    let app = app!();
    for path in [
        "/api/auth/nope",
        "/api/auth",
        "/api/auth/me/x",
        "/api/%61uth/nope",
    ] {
        let res = send(&app, Method::GET, path, Value::Null, None).await;
        res.assert_error(404, "NOT_FOUND");
    }
    let res = send(&app, Method::GET, "/api/auth/login", Value::Null, None).await;
    res.assert_error(405, "METHOD_NOT_ALLOWED");
    assert_eq!(res.header("allow"), "POST");
    let res = send(&app, Method::PUT, "/api/auth/update-me", json!({}), None).await;
    res.assert_error(405, "METHOD_NOT_ALLOWED");
    assert_eq!(res.header("allow"), "PATCH");
    // `/v1` keeps its envelope.
    let res = send(&app, Method::GET, "/v1/nope", Value::Null, None).await;
    assert_eq!(res.status, 404);
    assert_eq!(res.body["error"]["code"], "NOT_FOUND");
    assert!(res.body["requestId"].is_string());
}

#[actix_web::test]
async fn unreadable_bodies_are_415_400_and_413_in_the_envelope() {
    let app = app!();
    let req = TestRequest::post()
        .uri("/api/auth/login")
        .insert_header(("Content-Type", "text/plain"))
        .set_payload("email=a@b.co");
    let res = answer(call_service(&app, req.to_request()).await).await;
    res.assert_error(415, "UNSUPPORTED_MEDIA_TYPE");

    let req = TestRequest::post()
        .uri("/api/auth/login")
        .insert_header(("Content-Type", "application/json"))
        .set_payload("{\"email\": ");
    let res = answer(call_service(&app, req.to_request()).await).await;
    res.assert_error(400, "VALIDATION_ERROR");
    assert_eq!(res.body["message"], "Validation failed");
    assert_eq!(res.error_fields(), ["body"]);

    let huge = json!({"email": "a".repeat(70 * 1024), "password": "x"});
    let res = send(&app, Method::POST, "/api/auth/login", huge, None).await;
    res.assert_error(413, "PAYLOAD_TOO_LARGE");

    let req = TestRequest::post().uri("/api/auth/register");
    let res = answer(call_service(&app, req.to_request()).await).await;
    res.assert_error(400, "VALIDATION_ERROR");
}

#[actix_web::test]
async fn a_spent_limit_is_429_in_the_envelope_with_its_headers() {
    let limits = RateLimits {
        login: RateLimit::new(1, chrono::Duration::minutes(15)),
        ..RateLimits::default()
    };
    let app = app!(state(limits));
    let body = json!({"email": "x@example.com", "password": PASSWORD});
    let first = send(&app, Method::POST, "/api/auth/login", body.clone(), None).await;
    first.assert_error(401, "INVALID_CREDENTIALS");
    assert_eq!(first.header("x-ratelimit-remaining"), "0");
    let res = send(&app, Method::POST, "/api/auth/login", body, None).await;
    res.assert_error(429, "RATE_LIMIT_EXCEEDED");
    assert!(
        res.body["message"]
            .as_str()
            .unwrap()
            .starts_with("Too many login attempts")
    );
    assert!(res.body["retryAfter"].as_i64().unwrap() > 0);
    assert!(!res.header("retry-after").is_empty());
    assert_eq!(res.header("x-ratelimit-limit"), "1");
    assert!(!res.header("x-ratelimit-reset").is_empty());
    assert!(!res.header("x-request-id").is_empty());
}

#[actix_web::test]
async fn the_dialect_shares_the_buckets_and_access_of_v1() {
    use crate::middleware::rate_limit::Limit;
    use crate::routes::{Access, table};
    let routes: Vec<_> = table()
        .into_iter()
        .filter(|r| crate::checkinn::serves(r.path))
        .collect();
    assert_eq!(routes.len(), 12);
    for route in routes {
        let expected = match route.path {
            "/api/auth/register" => Limit::Register,
            "/api/auth/login" => Limit::Login,
            "/api/auth/forgot-password" | "/api/auth/reset-password/{token}" => {
                Limit::PasswordReset
            }
            _ => Limit::General,
        };
        assert_eq!(route.limit, expected, "{}", route.path);
        if route.path == "/api/auth/logout" {
            assert_eq!(route.access, Access::Bearer);
        }
    }
}

/// `API_DIALECTS=perfect21`: `/api/auth` is an unknown path like any other, answered by `/v1`.
#[actix_web::test]
async fn without_the_dialect_its_paths_are_plain_404s() {
    let mut state = super::unlimited();
    state.settings = std::sync::Arc::new(crate::settings::HttpSettings {
        dialects: crate::settings::Dialects {
            perfect21: true,
            checkinn: false,
        },
        ..(*state.settings).clone()
    });
    let app = app!(state);
    let res = send(&app, Method::POST, "/api/auth/login", json!({}), None).await;
    assert_eq!(res.status, 404, "{res:?}");
    assert_eq!(res.body["error"]["code"], "NOT_FOUND");
}

/// A preflight from a foreign origin is refused before any route: still the CheckInn envelope.
#[actix_web::test]
async fn a_refused_preflight_is_in_the_envelope_too() {
    let app = app!();
    let req = TestRequest::default()
        .method(Method::OPTIONS)
        .uri("/api/auth/login")
        .insert_header(("Origin", "https://evil.example"))
        .insert_header(("Access-Control-Request-Method", "POST"));
    let res = answer(call_service(&app, req.to_request()).await).await;
    res.assert_error(403, "CORS_ORIGIN_NOT_ALLOWED");
}
