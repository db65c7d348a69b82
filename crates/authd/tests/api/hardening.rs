//! Hostile and malformed bodies: always a 4xx in the error envelope, never a 5xx or a crash.

use crate::helpers::{Backend, backends};
use crate::helpers::{Reply, TestApp, spawn_app};
use rstest_reuse::apply;

async fn post_raw(app: &TestApp, path: &str, content_type: &str, body: Vec<u8>) -> Reply {
    app.send(
        app.client
            .post(app.url(path))
            .header("content-type", content_type)
            .body(body),
    )
    .await
}

async fn assert_still_serving(app: &TestApp) {
    assert_eq!(app.get("/v1/health").await.status, 200);
}

#[apply(backends)]
async fn malformed_json_answers_validation_error(backend: Backend) {
    let app = spawn_app(backend).await;

    for body in ["{", "{\"email\": }", "not json", "[1, 2", ""] {
        let reply = post_raw(&app, "/v1/auth/register", "application/json", body.into()).await;
        reply.error(400, "VALIDATION_ERROR");
    }
}

#[apply(backends)]
async fn fields_of_the_wrong_type_answer_validation_error(backend: Backend) {
    let app = spawn_app(backend).await;

    for body in [
        r#"{"email": 12, "username": true, "password": {}}"#,
        r#"{"email": ["a@b.c"], "password": null}"#,
        r#"[]"#,
        r#""a string""#,
    ] {
        post_raw(&app, "/v1/auth/register", "application/json", body.into())
            .await
            .error(400, "VALIDATION_ERROR");
    }
}

#[apply(backends)]
async fn invalid_utf8_answers_validation_error(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut body = b"{\"email\": \"".to_vec();
    body.extend_from_slice(&[0xff, 0xfe, 0xc3, 0x28]);
    body.extend_from_slice(b"@example.com\", \"password\": \"x\"}");

    let reply = post_raw(&app, "/v1/auth/login", "application/json", body).await;

    reply.error(400, "VALIDATION_ERROR");
}

#[apply(backends)]
async fn json_nested_ten_thousand_deep_is_refused_without_crashing(backend: Backend) {
    let app = spawn_app(backend).await;
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let deep_in_field = format!(
        "{{\"email\": {}{}, \"password\": \"x\"}}",
        "{\"a\":".repeat(10_000),
        "}".repeat(10_000)
    );

    for body in [deep, deep_in_field] {
        let reply = post_raw(&app, "/v1/auth/login", "application/json", body.into()).await;
        reply.error(400, "VALIDATION_ERROR");
    }
    assert_still_serving(&app).await;
}

#[apply(backends)]
async fn a_body_over_64_kib_answers_payload_too_large(backend: Backend) {
    let app = spawn_app(backend).await;
    let body = format!(
        "{{\"email\": \"{}@example.com\", \"password\": \"x\"}}",
        "a".repeat(1 << 20)
    );

    let reply = post_raw(&app, "/v1/auth/login", "application/json", body.into()).await;

    reply.error(413, "PAYLOAD_TOO_LARGE");
    assert_still_serving(&app).await;
}

#[apply(backends)]
async fn a_non_json_content_type_answers_unsupported_media_type(backend: Backend) {
    let app = spawn_app(backend).await;

    for (content_type, body) in [
        (
            "text/plain",
            r#"{"email": "a@example.com", "password": "x"}"#,
        ),
        (
            "application/x-www-form-urlencoded",
            "email=a%40example.com&password=x",
        ),
        ("multipart/form-data; boundary=x", "--x--"),
    ] {
        post_raw(&app, "/v1/auth/login", content_type, body.into())
            .await
            .error(415, "UNSUPPORTED_MEDIA_TYPE");
    }
}

#[apply(backends)]
async fn a_cross_site_form_cannot_reach_a_state_changing_endpoint(backend: Backend) {
    let app = spawn_app(backend).await;

    let reply = app
        .send(
            app.client
                .post(app.url("/v1/auth/logout"))
                .header("origin", crate::helpers::FOREIGN_ORIGIN)
                .header("content-type", "application/x-www-form-urlencoded")
                .body("logoutAllDevices=true"),
        )
        .await;

    assert!(
        matches!(reply.status, 401 | 403 | 415),
        "a form post is refused: {reply:#?}"
    );
    reply.error(
        reply.status,
        reply.body["error"]["code"].as_str().unwrap_or_default(),
    );
}
