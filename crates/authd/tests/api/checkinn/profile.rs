//! `GET /api/auth/me` and `PATCH /api/auth/update-me`: the CheckInn profile over the account
//! `/v1/users/me` shows.

use super::client::{Guest, spawn_checkinn_app};
use crate::helpers::{Backend, backends};
use rstest_reuse::apply;
use serde_json::json;

#[apply(backends)]
async fn update_me_splits_the_name_keeps_the_phone_and_the_preferences(backend: Backend) {
    let app = spawn_checkinn_app(backend).await;
    let session = app.ci_register(&Guest::random()).await;
    let preferences = json!({
        "language": "en",
        "currency": "USD",
        "notifications": {"email": true, "sms": false, "push": true},
    });

    // The document's own example body.
    let reply = app
        .ci_patch(
            "/update-me",
            &session.token,
            &json!({"name": "Updated Name", "phone": "0987654321", "preferences": preferences}),
        )
        .await;

    let body = reply.ci_ok(200);
    assert!(body["message"].is_string(), "{reply:#?}");
    let user = &body["data"]["user"];
    assert_eq!(user["name"], "Updated Name", "{user}");
    assert_eq!(user["phone"], "0987654321", "{user}");
    assert_eq!(user["preferences"], preferences, "{user}");
    assert_eq!(&app.ci_user(&session.token).await, user);
    let v1 = app.me(&session.token).await;
    let profile = v1.ok(200);
    assert_eq!(profile["firstName"], "Updated");
    assert_eq!(profile["lastName"], "Name");
    assert_eq!(profile["preferences"], preferences);
}

#[apply(backends)]
async fn update_me_accepts_vietnamese_national_and_e164_numbers(backend: Backend) {
    let app = spawn_checkinn_app(backend).await;
    let session = app.ci_register(&Guest::random()).await;

    for phone in ["0987654321", "+84987654321"] {
        let reply = app
            .ci_patch("/update-me", &session.token, &json!({ "phone": phone }))
            .await;

        assert_eq!(
            reply.ci_ok(200)["data"]["user"]["phone"],
            phone,
            "{reply:#?}"
        );
        assert_eq!(app.ci_user(&session.token).await["phone"], phone);
    }
}

#[apply(backends)]
async fn update_me_with_a_bad_field_names_it_and_changes_nothing(backend: Backend) {
    let app = spawn_checkinn_app(backend).await;
    let session = app.ci_register(&Guest::random()).await;
    let before = app.ci_user(&session.token).await;

    for (body, field) in [
        (json!({"phone": "call me maybe"}), "phone"),
        (json!({"name": "x".repeat(101)}), "name"),
        (
            json!({"name": "Fine Name", "preferences": {"language": 12}}),
            "preferences.language",
        ),
    ] {
        let reply = app.ci_patch("/update-me", &session.token, &body).await;

        let fields = reply.ci_fields("Validation failed");
        assert!(fields.contains(field), "{body}: {fields:?}");
    }
    assert_eq!(app.ci_user(&session.token).await, before);
}

#[apply(backends)]
async fn update_me_ignores_what_a_profile_may_not_change(backend: Backend) {
    let app = spawn_checkinn_app(backend).await;
    let guest = Guest::random();
    let session = app.ci_register(&guest).await;

    let reply = app
        .ci_patch(
            "/update-me",
            &session.token,
            &json!({
                "name": "Eve Mallory",
                "email": "eve@example.com",
                "role": "Admin",
                "roles": ["Admin"],
                "isEmailVerified": true,
                "status": "active",
            }),
        )
        .await;

    // Refused outright or the extras ignored; never granted.
    if reply.status != 200 {
        reply.ci_refused(400);
    }
    let user = app.ci_user(&session.token).await;
    assert_eq!(user["email"], guest.email, "{user}");
    assert_eq!(user["roles"], json!(["Customer"]), "{user}");
    assert_eq!(user["isEmailVerified"], false, "{user}");
    assert_eq!(user["status"], "pending", "{user}");
}

#[apply(backends)]
async fn the_profile_routes_require_a_valid_bearer_token(backend: Backend) {
    let app = spawn_checkinn_app(backend).await;

    app.send(app.client.get(app.url("/api/auth/me")))
        .await
        .ci_auth_required("MISSING_AUTH_HEADER");
    app.ci_me("not.a.jwt")
        .await
        .ci_auth_required("INVALID_TOKEN");
    app.send(
        app.client
            .get(app.url("/api/auth/me"))
            .header("authorization", "Basic dXNlcjpwYXNz"),
    )
    .await
    .ci_auth_required("INVALID_AUTH_FORMAT");
    app.ci_patch("/update-me", "not.a.jwt", &json!({"name": "X Y"}))
        .await
        .ci_auth_required("INVALID_TOKEN");
}
