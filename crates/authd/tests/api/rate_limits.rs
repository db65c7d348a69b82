//! The per-IP limits as a client on the wire meets them, whatever spelling of a path it sends:
//! the router decodes percent-encoding, and the limit is the one of the route it matched, so an
//! encoded or otherwise respelled path either counts against its route's group or is not routed
//! at all. And the access the route table declares is the one the routes enforce.

use crate::helpers::{Backend, Reply, TestApp, TestUser, spawn_app_with};
use authd_http::route_table;
use serde_json::{Value, json};

/// Spellings of `/v1/auth/login`-like paths a client might try to slip past a limit with.
fn spellings(path: &str) -> Vec<String> {
    let last = path.rfind('/').map_or(0, |i| i + 1);
    let (head, tail) = path.split_at(last);
    let mut tail_chars = tail.chars();
    let first = tail_chars.next().map(|c| format!("%{:02X}", u32::from(c)));
    vec![
        path.replacen("/v", "/%76", 1),
        format!("{head}{}{}", first.unwrap_or_default(), tail_chars.as_str()),
        path.to_uppercase(),
        format!("{path}/"),
        format!("/{path}"),
        path.replacen("/v1/", "/v1//", 1),
    ]
}

/// An app whose limits are the defaults, but with only `general_max` requests in `general`.
async fn limited_app(general_max: &str) -> TestApp {
    spawn_app_with(
        Backend::Memory,
        &[
            ("RATE_LIMIT_ENABLED", "true"),
            ("RATE_LIMIT_MAX", general_max),
        ],
    )
    .await
}

/// Whether `reply` is the limiter's refusal (429 `RATE_LIMIT_EXCEEDED`), the router's 404
/// `NOT_FOUND`, or the HTTP parser's bare 400: anything else means the request reached a handler.
fn refused_or_unrouted(reply: &Reply) -> bool {
    let code = reply.body["error"]["code"].as_str();
    matches!(
        (reply.status, code),
        (429, Some("RATE_LIMIT_EXCEEDED")) | (404, Some("NOT_FOUND")) | (400, None)
    )
}

/// Spends `limit` requests of `method path` with `body`, then asserts that no spelling of the
/// path gets past the limit: each is refused (429) or not routed (404, or 400 for a path the
/// HTTP parser rejects).
async fn assert_no_spelling_escapes(
    app: &TestApp,
    method: &str,
    path: &str,
    body: &Value,
    limit: usize,
) {
    let send = |path: String| {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        app.send(app.client.request(method, app.url(&path)).json(body))
    };
    for attempt in 1..=limit {
        let reply = send(path.to_owned()).await;
        assert_ne!(reply.status, 429, "attempt {attempt} of {path}: {reply:#?}");
    }
    send(path.to_owned())
        .await
        .error(429, "RATE_LIMIT_EXCEEDED");
    for spelling in spellings(path) {
        let reply = send(spelling.clone()).await;
        assert!(
            refused_or_unrouted(&reply),
            "{method} {spelling} got past the spent limit of {path}: {reply:#?}"
        );
    }
}

#[tokio::test]
async fn no_spelling_of_the_login_path_escapes_the_login_limit() {
    let app = limited_app("1000").await;
    let stranger = TestUser::random();
    assert_no_spelling_escapes(&app, "POST", "/v1/auth/login", &stranger.credentials(), 5).await;
}

#[tokio::test]
async fn no_spelling_of_the_register_path_escapes_the_register_limit() {
    let app = limited_app("1000").await;
    let body = TestUser::random().registration_body();
    assert_no_spelling_escapes(&app, "POST", "/v1/auth/register", &body, 3).await;
}

#[tokio::test]
async fn no_spelling_of_the_password_reset_paths_escapes_their_shared_limit() {
    let app = limited_app("1000").await;
    let forgot = json!({"email": "nobody@example.com"});
    assert_no_spelling_escapes(&app, "POST", "/v1/auth/forgot-password", &forgot, 3).await;
    let reset = json!({"token": "nope", "newPassword": "Whatever-42!"});
    app.post_json("/v1/auth/reset-password", &reset)
        .await
        .error(429, "RATE_LIMIT_EXCEEDED");
    for spelling in spellings("/v1/auth/reset-password") {
        let reply = app.post_json(&spelling, &reset).await;
        assert!(refused_or_unrouted(&reply), "{spelling}: {reply:#?}");
    }
}

#[tokio::test]
async fn no_spelling_of_a_path_escapes_the_general_limit() {
    let app = limited_app("3").await;
    assert_no_spelling_escapes(&app, "GET", "/v1/users/me", &json!({}), 3).await;
}

#[tokio::test]
async fn every_route_the_table_declares_with_a_token_refuses_a_request_without_one() {
    let app = spawn_app_with(Backend::Memory, &[]).await;
    let guarded = route_table().into_iter().filter(|r| r.access.needs_token());
    let mut checked = 0;
    for route in guarded {
        let path = route
            .path
            .replace("{session_id}", "00000000-0000-4000-8000-000000000000")
            .replace("{userId}", "00000000-0000-4000-8000-000000000000")
            .replace("{id}", "00000000-0000-4000-8000-000000000000");
        let method = reqwest::Method::from_bytes(route.method.as_str().as_bytes()).unwrap();
        let reply = app
            .send(app.client.request(method, app.url(&path)).json(&json!({})))
            .await;
        assert_eq!(
            reply.status, 401,
            "{} {path} without a token: {reply:#?}",
            route.method
        );
        if path.starts_with("/api/auth/") {
            // The CheckInn envelope: the code at the top level, the document's message.
            assert_eq!(
                reply.body["code"], "MISSING_AUTH_HEADER",
                "{path}: {reply:#?}"
            );
            assert_eq!(reply.body["success"], false, "{path}");
        } else {
            reply.error(401, "MISSING_AUTH_HEADER");
        }
        checked += 1;
    }
    // The own-account, logout, MFA and admin routes of both dialects.
    assert!(checked >= 25, "only {checked} token routes in the table");
}

/// An app that believes `X-Forwarded-For` from the test client (127.0.0.1), with the login limit
/// of 2 and room for everything else.
async fn behind_a_proxy() -> TestApp {
    spawn_app_with(
        Backend::Memory,
        &[
            ("RATE_LIMIT_ENABLED", "true"),
            ("RATE_LIMIT_MAX", "1000"),
            ("AUTH_RATE_LIMIT_MAX", "2"),
            ("TRUSTED_PROXIES", "127.0.0.1"),
        ],
    )
    .await
}

/// A login for an unknown account, forwarded by the trusted proxy on behalf of `client`.
async fn login_from(app: &TestApp, client: &str) -> Reply {
    let body = TestUser::random().credentials();
    app.send(
        app.client
            .post(app.url("/v1/auth/login"))
            .header("X-Forwarded-For", client)
            .json(&body),
    )
    .await
}

#[tokio::test]
async fn ipv6_clients_in_one_64_share_one_login_bucket() {
    let app = behind_a_proxy().await;
    login_from(&app, "2001:db8:1:2::1")
        .await
        .error(401, "INVALID_CREDENTIALS");
    login_from(&app, "2001:db8:1:2:aaaa:bbbb:cccc:dddd")
        .await
        .error(401, "INVALID_CREDENTIALS");
    // A third address of the same /64 finds the bucket spent...
    login_from(&app, "2001:db8:1:2::ffff")
        .await
        .error(429, "RATE_LIMIT_EXCEEDED");
    // ...while the next /64 has a bucket of its own.
    login_from(&app, "2001:db8:1:3::1")
        .await
        .error(401, "INVALID_CREDENTIALS");
}

#[tokio::test]
async fn an_ipv4_mapped_address_counts_in_its_ipv4_bucket() {
    let app = behind_a_proxy().await;
    login_from(&app, "198.51.100.7")
        .await
        .error(401, "INVALID_CREDENTIALS");
    login_from(&app, "::ffff:198.51.100.7")
        .await
        .error(401, "INVALID_CREDENTIALS");
    login_from(&app, "198.51.100.7")
        .await
        .error(429, "RATE_LIMIT_EXCEEDED");
    // IPv4 stays per address: the neighbour is not affected.
    login_from(&app, "198.51.100.8")
        .await
        .error(401, "INVALID_CREDENTIALS");
}
