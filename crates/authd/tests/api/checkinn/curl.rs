//! The document's "Manual Testing with cURL": the same requests byte for byte (the host aside),
//! answered with the bodies the document and docs/checkinn.md show.

use super::client::{CHECKINN, Session, keys, keys_of, spawn_checkinn_app, string};
use crate::helpers::{Backend, Jwt, Reply, TestApp, backends};
use rstest_reuse::apply;
use serde_json::json;

/// `curl -X POST http://localhost:5000/api/auth/register -H "Content-Type: application/json" -d ...`
const REGISTER: &str = r#"{
    "name": "Test User",
    "email": "test@example.com",
    "phone": "0987654321", 
    "password": "TestPass123!",
    "role": "Customer"
  }"#;

/// `curl -X POST http://localhost:5000/api/auth/login ...`
const LOGIN: &str = r#"{
    "email": "test@example.com",
    "password": "TestPass123!"
  }"#;

async fn curl_post(app: &TestApp, path: &str, data: &'static str) -> Reply {
    app.send(
        app.client
            .post(app.url(path))
            .header("Content-Type", "application/json")
            .body(data),
    )
    .await
}

fn assert_the_documented_user(session: &Session) {
    assert_eq!(
        session.user,
        json!({
            "id": session.id(),
            "name": "Test User",
            "email": "test@example.com",
            "role": "Customer",
            "isEmailVerified": false,
        })
    );
    assert!(uuid::Uuid::parse_str(&session.id()).is_ok(), "{session:?}");
    assert_eq!(
        Jwt::decode(&session.token).claim_str("sub"),
        session.id(),
        "`token` is the access token of this user"
    );
    assert_ne!(session.token, session.refresh_token);
}

#[apply(backends)]
async fn the_documents_curl_examples_answer_as_documented(backend: Backend) {
    let app = spawn_checkinn_app(backend).await;

    let registered = curl_post(&app, "/api/auth/register", REGISTER).await;
    let logged_in = curl_post(&app, "/api/auth/login", LOGIN).await;
    let session = Session::of(&logged_in, 200);
    // `-H "Authorization: Bearer YOUR_JWT_TOKEN_HERE"`, the token of the login.
    let me = app
        .send(
            app.client
                .get(app.url("/api/auth/me"))
                .header("Authorization", format!("Bearer {}", session.token)),
        )
        .await;

    let register = Session::of(&registered, 201);
    assert_eq!(
        keys(&registered.body),
        keys_of(&["success", "message", "data"])
    );
    assert_the_documented_user(&register);
    assert_eq!(
        keys(&logged_in.body),
        keys_of(&["success", "message", "data"])
    );
    assert_the_documented_user(&session);
    assert_eq!(register.id(), session.id());
    let body = me.ci_ok(200);
    assert_eq!(keys(body), keys_of(&["success", "data"]), "{me:#?}");
    assert_eq!(keys(&body["data"]), keys_of(&["user"]), "{me:#?}");
    let user = &body["data"]["user"];
    assert_eq!(
        keys(user),
        keys_of(&[
            "id",
            "name",
            "email",
            "phone",
            "role",
            "roles",
            "isEmailVerified",
            "status",
            "preferences",
            "lastLogin",
            "createdAt",
        ]),
        "{user}"
    );
    assert_eq!(user["id"], session.id());
    assert_eq!(user["name"], "Test User");
    assert_eq!(user["email"], "test@example.com");
    assert_eq!(user["phone"], "0987654321");
    assert_eq!(user["role"], "Customer");
    assert_eq!(user["roles"], json!(["Customer"]));
    assert_eq!(user["isEmailVerified"], false);
    assert_eq!(user["status"], "pending");
    assert!(user["preferences"].is_object(), "{user}");
    for time in ["lastLogin", "createdAt"] {
        let at = string(&user[time]);
        assert!(
            chrono::DateTime::parse_from_rfc3339(&at).is_ok(),
            "{time} is an RFC 3339 time: {at}"
        );
    }
}

#[apply(backends)]
async fn the_curl_register_example_run_twice_answers_409_in_the_envelope(backend: Backend) {
    let app = spawn_checkinn_app(backend).await;
    Session::of(&curl_post(&app, "/api/auth/register", REGISTER).await, 201);

    let again = curl_post(&app, "/api/auth/register", REGISTER).await;

    again.ci_error(409, "EMAIL_EXISTS");
}

/// Without the CheckInn settings the document's `role: "Customer"` is not a configured role:
/// the example fails with a field error, which is why docs/checkinn.md lists them.
#[apply(backends)]
async fn the_curl_register_example_needs_the_checkinn_roles(backend: Backend) {
    let app = crate::helpers::spawn_app_with(backend, &CHECKINN[3..]).await;

    let reply = curl_post(&app, "/api/auth/register", REGISTER).await;

    let fields = reply.ci_fields("Registration validation failed");
    assert!(fields.contains("role"), "{reply:#?}");
}
