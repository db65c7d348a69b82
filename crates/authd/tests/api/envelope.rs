//! The error envelope, request ids, security headers, and JSON answers for routing errors.

use crate::helpers::{ALLOWED_ORIGIN, FOREIGN_ORIGIN, Reply, TestApp, spawn_app};
use crate::helpers::{Backend, backends};
use rstest_reuse::apply;

const SECURITY_HEADERS: [(&str, &str); 7] = [
    (
        "strict-transport-security",
        "max-age=31536000; includeSubDomains",
    ),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("x-xss-protection", "1; mode=block"),
    ("content-security-policy", "default-src 'self'"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
    (
        "permissions-policy",
        "camera=(), microphone=(), geolocation=()",
    ),
];

fn assert_security_headers(reply: &Reply) {
    for (name, value) in SECURITY_HEADERS {
        assert_eq!(reply.header(name), Some(value), "{name} on {reply:#?}");
    }
}

async fn malformed_login(app: &TestApp) -> Reply {
    app.send(
        app.client
            .post(app.url("/v1/auth/login"))
            .header("content-type", "application/json")
            .body("{\"email\": "),
    )
    .await
}

#[apply(backends)]
async fn every_answer_carries_the_seven_security_headers(backend: Backend) {
    let app = spawn_app(backend).await;

    let ok = app.get("/v1/health").await;
    let not_found = app.get("/v1/no-such-route").await;
    let bad_request = malformed_login(&app).await;

    assert_eq!(ok.status, 200);
    assert_eq!(not_found.status, 404);
    assert_eq!(bad_request.status, 400);
    for reply in [&ok, &not_found, &bad_request] {
        assert_security_headers(reply);
    }
}

#[apply(backends)]
async fn an_unknown_route_answers_not_found_in_the_envelope(backend: Backend) {
    let app = spawn_app(backend).await;

    app.get("/v1/no-such-route").await.error(404, "NOT_FOUND");
    app.get("/nothing/here").await.error(404, "NOT_FOUND");
}

#[apply(backends)]
async fn a_wrong_method_answers_method_not_allowed_in_the_envelope(backend: Backend) {
    let app = spawn_app(backend).await;

    app.get("/v1/auth/login")
        .await
        .error(405, "METHOD_NOT_ALLOWED");
    app.send(app.client.delete(app.url("/v1/auth/register")))
        .await
        .error(405, "METHOD_NOT_ALLOWED");
}

/// `HEAD` on a `GET` route: the status and headers of the `GET`, no body on the wire.
#[apply(backends)]
async fn head_answers_like_get_without_a_body(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;
    let login = app.login(&user).await;

    let get = app.me(&login.access_token).await;
    let head = app
        .send(
            app.client
                .head(app.url("/v1/users/me"))
                .bearer_auth(&login.access_token),
        )
        .await;

    get.ok(200);
    assert_eq!(head.status, 200);
    assert!(head.text.is_empty(), "{head:#?}");
    assert_eq!(head.header("content-type"), get.header("content-type"));
    assert_eq!(
        head.header("content-length"),
        Some(get.text.len().to_string().as_str())
    );
    assert_security_headers(&head);
    for path in ["/v1/health", "/health/live", "/.well-known/jwks.json"] {
        let head = app.send(app.client.head(app.url(path))).await;
        assert_eq!(head.status, 200, "{path}");
        assert!(head.text.is_empty(), "{path}");
    }
    let unauthenticated = app.send(app.client.head(app.url("/v1/users/me"))).await;
    assert_eq!(unauthenticated.status, 401);
    assert!(unauthenticated.text.is_empty());
}

const CORS_GRANTS: [&str; 3] = [
    "access-control-allow-origin",
    "access-control-allow-credentials",
    "access-control-expose-headers",
];

fn preflight(app: &TestApp, origin: &str) -> reqwest::RequestBuilder {
    app.client
        .request(reqwest::Method::OPTIONS, app.url("/v1/auth/login"))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
}

/// A preflight from an origin outside `ALLOWED_ORIGINS` is refused as such, in the envelope and
/// without a grant; one from an allowed origin is granted with credentials.
#[apply(backends)]
async fn a_preflight_from_a_foreign_origin_is_403_cors_origin_not_allowed(backend: Backend) {
    let app = spawn_app(backend).await;

    let refused = app.send(preflight(&app, FOREIGN_ORIGIN)).await;
    let allowed = app.send(preflight(&app, ALLOWED_ORIGIN)).await;

    refused.error(403, "CORS_ORIGIN_NOT_ALLOWED");
    assert_security_headers(&refused);
    for name in CORS_GRANTS {
        assert_eq!(refused.header(name), None, "{name}");
    }
    assert_eq!(allowed.status, 200);
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some(ALLOWED_ORIGIN)
    );
    assert_eq!(
        allowed.header("access-control-allow-credentials"),
        Some("true")
    );
}

/// CORS headers go only to a request from an allowed origin.
#[apply(backends)]
async fn cors_headers_are_sent_only_for_an_allowed_origin(backend: Backend) {
    let app = spawn_app(backend).await;

    let none = app.get("/v1/health").await;
    let foreign = app
        .send(
            app.client
                .get(app.url("/v1/health"))
                .header("origin", FOREIGN_ORIGIN),
        )
        .await;
    let allowed = app
        .send(
            app.client
                .get(app.url("/v1/health"))
                .header("origin", ALLOWED_ORIGIN),
        )
        .await;

    for reply in [&none, &foreign] {
        assert_eq!(reply.status, 200);
        for name in CORS_GRANTS {
            assert_eq!(reply.header(name), None, "{name} on {reply:#?}");
        }
    }
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some(ALLOWED_ORIGIN)
    );
    assert_eq!(
        allowed.header("access-control-allow-credentials"),
        Some("true")
    );
}

#[apply(backends)]
async fn every_answer_has_a_request_id_and_errors_repeat_it_in_the_body(backend: Backend) {
    let app = spawn_app(backend).await;

    let ok = app.get("/v1/health").await;
    let error = app.get("/v1/users/me").await;

    assert!(ok.header("x-request-id").is_some_and(|id| !id.is_empty()));
    error.error(401, "MISSING_AUTH_HEADER");
    assert_ne!(ok.header("x-request-id"), error.header("x-request-id"));
}

#[apply(backends)]
async fn a_sane_incoming_request_id_is_kept(backend: Backend) {
    let app = spawn_app(backend).await;

    let reply = app
        .send(
            app.client
                .get(app.url("/v1/users/me"))
                .header("x-request-id", "trace-42_abc.DEF"),
        )
        .await;

    reply.error(401, "MISSING_AUTH_HEADER");
    assert_eq!(reply.header("x-request-id"), Some("trace-42_abc.DEF"));
}

#[apply(backends)]
async fn an_insane_incoming_request_id_is_replaced(backend: Backend) {
    let app = spawn_app(backend).await;
    let too_long = "a".repeat(65);

    for incoming in ["has spaces and <html>", "semi;colon", too_long.as_str()] {
        let reply = app
            .send(
                app.client
                    .get(app.url("/v1/users/me"))
                    .header("x-request-id", incoming),
            )
            .await;
        reply.error(401, "MISSING_AUTH_HEADER");
        let id = reply.header("x-request-id").expect("a request id");
        assert_ne!(id, incoming);
        assert!(
            !id.is_empty()
                && id.len() <= 64
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)),
            "{id}"
        );
    }
}

/// Sends `head` on a raw connection and reads the answer until the server closes it.
async fn raw(app: &TestApp, head: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let read = stream.read_to_end(&mut answer);
    tokio::time::timeout(std::time::Duration::from_secs(10), read)
        .await
        .expect("the server closes the connection")
        .ok();
    String::from_utf8_lossy(&answer).to_lowercase()
}

/// Pins what docs/api.md says actix does not let authd change: a request its HTTP/1 parser
/// refuses never reaches the app, so the answer is bare (no envelope, no request id, no
/// security headers) and the connection is closed.
#[apply(backends)]
async fn a_request_the_http_parser_refuses_gets_actix_bare_answer(backend: Backend) {
    let app = spawn_app(backend).await;
    let many_headers: String = (0..100).map(|i| format!("x-h{i}: v\r\n")).collect();

    let malformed = raw(
        &app,
        "GET /v1/health HTTP/1.1\r\nhost: a\r\nno colon\r\n\r\n",
    )
    .await;
    let too_many = raw(
        &app,
        &format!("GET /v1/health HTTP/1.1\r\n{many_headers}\r\n"),
    )
    .await;

    for (answer, status) in [(&malformed, "400"), (&too_many, "431")] {
        assert!(
            answer.starts_with(&format!("http/1.1 {status} ")),
            "{answer}"
        );
        assert!(answer.contains("content-length: 0"), "{answer}");
        assert!(!answer.contains("x-request-id"), "{answer}");
        assert!(!answer.contains("x-frame-options"), "{answer}");
    }
}
