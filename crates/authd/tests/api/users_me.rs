//! `GET`, `PUT` and `DELETE /v1/users/me`.

use crate::helpers::{Backend, backends};
use crate::helpers::{TestApp, assert_access_revoked, assert_refresh_dead, spawn_app};
use rstest_reuse::apply;
use serde_json::{Value, json};

async fn put_me(app: &TestApp, access: &str, body: &Value) -> crate::helpers::Reply {
    app.send(
        app.client
            .put(app.url("/v1/users/me"))
            .bearer_auth(access)
            .json(body),
    )
    .await
}

async fn delete_me(app: &TestApp, access: &str, password: &str) -> crate::helpers::Reply {
    app.send(
        app.client
            .delete(app.url("/v1/users/me"))
            .bearer_auth(access)
            .json(&json!({ "password": password })),
    )
    .await
}

#[apply(backends)]
async fn the_profile_shows_the_documented_fields(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;
    let login = app.login(&user).await;

    let reply = app.me(&login.access_token).await;

    let data = reply.ok(200);
    assert_eq!(data["id"], user.id);
    assert_eq!(data["email"], user.email);
    assert_eq!(data["username"], user.username);
    assert_eq!(data["firstName"], "Ada");
    assert_eq!(data["lastName"], "Lovelace");
    assert_eq!(data["status"], "active");
    assert_eq!(data["emailVerified"], true);
    assert_eq!(data["phoneVerified"], false);
    assert_eq!(data["roles"], json!(["user"]));
    assert!(data["permissions"].is_array(), "{data}");
    for field in ["lastLogin", "createdAt", "updatedAt"] {
        assert!(data[field].is_string(), "{field}: {data}");
    }
    assert!(data.get("password").is_none() && data.get("passwordHash").is_none());
}

#[apply(backends)]
async fn updating_the_profile_answers_and_keeps_the_new_values(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;
    let login = app.login(&user).await;
    let preferences = json!({
        "language": "pt-BR",
        "currency": "EUR",
        "notifications": {"email": true, "sms": false, "push": true}
    });

    let reply = put_me(
        &app,
        &login.access_token,
        &json!({
            "firstName": "Grace",
            "lastName": "Hopper",
            "phone": "+1 555 0100",
            "preferences": preferences,
        }),
    )
    .await;

    let data = reply.ok(200);
    assert_eq!(reply.message(), "Profile updated successfully");
    assert_eq!(data["id"], user.id);
    assert_eq!(data["firstName"], "Grace");
    assert_eq!(data["lastName"], "Hopper");
    assert_eq!(data["phone"], "+1 555 0100");
    assert_eq!(data["preferences"], preferences);
    assert!(data["updatedAt"].is_string(), "{data}");
    let after = app.me(&login.access_token).await;
    let profile = after.ok(200);
    assert_eq!(profile["firstName"], "Grace");
    assert_eq!(profile["phone"], "+1 555 0100");
}

#[apply(backends)]
async fn a_partial_update_leaves_the_other_fields_alone(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;
    let login = app.login(&user).await;

    put_me(&app, &login.access_token, &json!({"lastName": "Byron"}))
        .await
        .ok(200);

    let profile = app.me(&login.access_token).await;
    assert_eq!(profile.ok(200)["firstName"], "Ada");
    assert_eq!(profile.ok(200)["lastName"], "Byron");
}

#[apply(backends)]
async fn invalid_profile_values_are_listed_field_by_field(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;
    let login = app.login(&user).await;

    let reply = put_me(
        &app,
        &login.access_token,
        &json!({
            "firstName": "x".repeat(101),
            "phone": "call me maybe",
            "preferences": {"currency": "EURO"},
        }),
    )
    .await;

    let details = reply.validation_details();
    assert!(
        details.contains(&("firstName".to_owned(), "FIELD_TOO_LONG".to_owned())),
        "{details:?}"
    );
    assert!(details.iter().any(|(f, _)| f == "phone"), "{details:?}");
    assert!(
        details.iter().any(|(f, _)| f.ends_with("currency")),
        "{details:?}"
    );
    let unchanged = app.me(&login.access_token).await;
    assert_eq!(unchanged.ok(200)["firstName"], "Ada");
}

#[apply(backends)]
async fn deleting_the_account_needs_the_right_password(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;
    let login = app.login(&user).await;

    delete_me(&app, &login.access_token, "Wr0ng-Password!x")
        .await
        .error(401, "INVALID_CREDENTIALS");

    app.me(&login.access_token).await.ok(200);
}

/// Deleting confirms with the password like a password change, so it answers a lock alike: 423
/// with `retryAfter`, even for the right password, and the account stays.
#[apply(backends)]
async fn deleting_a_locked_account_answers_423_like_a_password_change(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;
    let login = app.login(&user).await;
    for _ in 0..4 {
        delete_me(&app, &login.access_token, "Wr0ng-Password!x")
            .await
            .error(401, "INVALID_CREDENTIALS");
    }
    let fifth = delete_me(&app, &login.access_token, "Wr0ng-Password!x").await;
    fifth.error(423, "ACCOUNT_LOCKED");

    let right = delete_me(&app, &login.access_token, &user.password).await;
    let error = right.error(423, "ACCOUNT_LOCKED");
    let retry_after = error["retryAfter"].as_u64().expect("retryAfter seconds");
    assert!((1..=30 * 60).contains(&retry_after), "{retry_after}");
    assert!(right.header("retry-after").is_some());
    let change = app
        .send(
            app.client
                .put(app.url("/v1/auth/change-password"))
                .bearer_auth(&login.access_token)
                .json(
                    &json!({"currentPassword": user.password, "newPassword": "N3w-Password!xyz"}),
                ),
        )
        .await;
    change.error(423, "ACCOUNT_LOCKED");
    app.me(&login.access_token).await.ok(200);
}

#[apply(backends)]
async fn a_deleted_account_cannot_log_in_and_its_tokens_stop_working(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;
    let login = app.login(&user).await;

    let reply = delete_me(&app, &login.access_token, &user.password).await;

    reply.ok(200);
    app.login_reply(&user.credentials())
        .await
        .error(403, "ACCOUNT_DELETED");
    assert_access_revoked(&app, &login.access_token).await;
    assert_refresh_dead(&app, &login.refresh_token).await;
}
