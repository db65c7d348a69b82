//! me, update-me, update-password and delete-me.

use super::{NEW_PASSWORD, PASSWORD, app, no_limits, register, send, state_with};
use crate::checkinn::envelope::AUTH_REQUIRED;
use actix_web::http::Method;
use serde_json::{Value, json};

#[actix_web::test]
async fn me_answers_the_profile_with_its_preferences() {
    let app = app!();
    let data = register(&app, "me@example.com").await;
    let token = data["token"].as_str().unwrap();
    let res = send(&app, Method::GET, "/api/auth/me", Value::Null, Some(token)).await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(res.body["success"], true);
    let user = &res.body["data"]["user"];
    assert_eq!(user["id"], data["user"]["id"]);
    assert_eq!(user["name"], "Test User");
    assert_eq!(user["email"], "me@example.com");
    assert_eq!(user["phone"], "0987654321");
    assert_eq!(user["role"], "Customer");
    assert_eq!(user["roles"], json!(["Customer"]));
    assert_eq!(user["isEmailVerified"], false);
    assert_eq!(user["status"], "pending");
    assert!(user["preferences"].is_object(), "{user}");
    assert!(user["lastLogin"].is_string(), "{user}");
    assert!(user["createdAt"].is_string(), "{user}");
}

#[actix_web::test]
async fn update_me_splits_the_name_and_keeps_the_phone_formats() {
    let app = app!();
    let data = register(&app, "upd@example.com").await;
    let token = data["token"].as_str().unwrap();
    let body = json!({
        "name": "John Ronald Doe", "phone": "+84987654321",
        "preferences": {"language": "vi", "currency": "VND",
            "notifications": {"email": true, "sms": false, "push": true}}
    });
    let res = send(
        &app,
        Method::PATCH,
        "/api/auth/update-me",
        body,
        Some(token),
    )
    .await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(res.body["message"], "Profile updated successfully");
    let user = &res.body["data"]["user"];
    assert_eq!(user["name"], "John Ronald Doe");
    assert_eq!(user["phone"], "+84987654321");
    assert_eq!(user["preferences"]["currency"], "VND");
    assert_eq!(user["preferences"]["notifications"]["push"], true);
    // The same account on `/v1`: the last word is the last name.
    let v1 = send(&app, Method::GET, "/v1/users/me", Value::Null, Some(token)).await;
    assert_eq!(v1.body["data"]["firstName"], "John Ronald");
    assert_eq!(v1.body["data"]["lastName"], "Doe");
    // An absent field is left alone.
    let body = json!({"phone": "0912345678"});
    let res = send(
        &app,
        Method::PATCH,
        "/api/auth/update-me",
        body,
        Some(token),
    )
    .await;
    assert_eq!(res.body["data"]["user"]["name"], "John Ronald Doe");
    assert_eq!(res.body["data"]["user"]["phone"], "0912345678");
}

#[actix_web::test]
async fn update_password_replaces_every_session_with_a_new_one() {
    let app = app!();
    let data = register(&app, "pw@example.com").await;
    let old_token = data["token"].as_str().unwrap();
    let old_refresh = data["refreshToken"].as_str().unwrap();
    let body = json!({
        "passwordCurrent": PASSWORD, "password": NEW_PASSWORD, "passwordConfirm": NEW_PASSWORD
    });
    let res = send(
        &app,
        Method::PATCH,
        "/api/auth/update-password",
        body,
        Some(old_token),
    )
    .await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(res.body["success"], true);
    assert_eq!(res.body["message"], "Password updated successfully");
    let token = res.body["data"]["token"].as_str().unwrap();
    let refresh = res.body["data"]["refreshToken"].as_str().unwrap();
    assert_eq!(res.body["data"]["user"]["email"], "pw@example.com");
    let cookie = res.refresh_cookie().expect("the new refresh cookie");
    assert!(
        cookie.starts_with(&format!("refresh_token={refresh};")),
        "{cookie}"
    );

    let me = send(
        &app,
        Method::GET,
        "/api/auth/me",
        Value::Null,
        Some(old_token),
    )
    .await;
    me.assert_error(401, "TOKEN_REVOKED");
    assert_eq!(me.body["message"], AUTH_REQUIRED);
    let me = send(&app, Method::GET, "/api/auth/me", Value::Null, Some(token)).await;
    assert_eq!(me.status, 200, "{me:?}");
    let stale = json!({"refreshToken": old_refresh});
    let res = send(&app, Method::POST, "/api/auth/refresh-token", stale, None).await;
    assert_eq!(res.status, 401, "{res:?}");
    let login = json!({"email": "pw@example.com", "password": NEW_PASSWORD});
    let res = send(&app, Method::POST, "/api/auth/login", login, None).await;
    assert_eq!(res.status, 200, "{res:?}");
}

#[actix_web::test]
async fn a_wrong_current_password_is_401_and_changes_nothing() {
    let app = app!();
    let data = register(&app, "wrong@example.com").await;
    let token = data["token"].as_str().unwrap();
    let body = json!({
        "passwordCurrent": "Nope-Nope-1!", "password": NEW_PASSWORD,
        "passwordConfirm": NEW_PASSWORD
    });
    let res = send(
        &app,
        Method::PATCH,
        "/api/auth/update-password",
        body,
        Some(token),
    )
    .await;
    res.assert_error(401, "INVALID_CREDENTIALS");
    assert_eq!(res.body["message"], "Current password is incorrect");
    assert!(res.refresh_cookie().is_none());
    let me = send(&app, Method::GET, "/api/auth/me", Value::Null, Some(token)).await;
    assert_eq!(me.status, 200, "{me:?}");
}

#[actix_web::test]
async fn delete_me_with_the_bearer_token_alone_deactivates_the_account() {
    let app = app!();
    let data = register(&app, "bye@example.com").await;
    let token = data["token"].as_str().unwrap();
    let res = send(
        &app,
        Method::DELETE,
        "/api/auth/delete-me",
        Value::Null,
        Some(token),
    )
    .await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(
        res.body,
        json!({"success": true, "message": "Account deactivated successfully"})
    );
    let cookie = res.refresh_cookie().expect("the cookie is cleared");
    assert!(cookie.contains("Max-Age=0"), "{cookie}");
    let me = send(&app, Method::GET, "/api/auth/me", Value::Null, Some(token)).await;
    assert_eq!(me.status, 401, "{me:?}");
    let login = json!({"email": "bye@example.com", "password": PASSWORD});
    let res = send(&app, Method::POST, "/api/auth/login", login, None).await;
    res.assert_error(403, "ACCOUNT_DELETED");
}

#[actix_web::test]
async fn delete_me_with_a_wrong_password_is_refused() {
    let app = app!();
    let data = register(&app, "keep@example.com").await;
    let token = data["token"].as_str().unwrap();
    let body = json!({"password": "Not-The-One-1!"});
    let res = send(
        &app,
        Method::DELETE,
        "/api/auth/delete-me",
        body,
        Some(token),
    )
    .await;
    res.assert_error(401, "INVALID_CREDENTIALS");
    let me = send(&app, Method::GET, "/api/auth/me", Value::Null, Some(token)).await;
    assert_eq!(me.status, 200, "{me:?}");
}

/// CHECKINN_DELETE_ME_REQUIRES_PASSWORD: the bearer token alone no longer deletes the account.
#[actix_web::test]
async fn with_the_password_required_delete_me_needs_it() {
    let state = state_with(
        no_limits(),
        |_| {},
        |http| {
            http.checkinn_delete_requires_password = true;
        },
    );
    let app = app!(state);
    let data = register(&app, "careful@example.com").await;
    let token = data["token"].as_str().unwrap();
    for body in [Value::Null, json!({})] {
        let res = send(
            &app,
            Method::DELETE,
            "/api/auth/delete-me",
            body,
            Some(token),
        )
        .await;
        res.assert_error(400, "VALIDATION_ERROR");
        assert_eq!(res.error_fields(), ["password"], "{res:?}");
    }
    let me = send(&app, Method::GET, "/api/auth/me", Value::Null, Some(token)).await;
    assert_eq!(me.status, 200, "still there: {me:?}");

    let body = json!({"password": PASSWORD});
    let res = send(
        &app,
        Method::DELETE,
        "/api/auth/delete-me",
        body,
        Some(token),
    )
    .await;
    assert_eq!(res.status, 200, "{res:?}");
    let me = send(&app, Method::GET, "/api/auth/me", Value::Null, Some(token)).await;
    assert_eq!(me.status, 401, "{me:?}");
}

#[actix_web::test]
async fn the_emailed_link_routes_answer_alike_for_any_account() {
    let app = app!();
    register(&app, "link@example.com").await;
    for email in ["link@example.com", "nobody@example.com"] {
        for path in ["/api/auth/forgot-password", "/api/auth/resend-verification"] {
            let res = send(&app, Method::POST, path, json!({"email": email}), None).await;
            assert_eq!(res.status, 200, "{path} {res:?}");
            assert_eq!(res.body["success"], true);
            assert!(res.body["message"].is_string());
        }
    }
    let res = send(
        &app,
        Method::POST,
        "/api/auth/verify-email",
        json!({"token": "nope"}),
        None,
    )
    .await;
    res.assert_error(404, "INVALID_TOKEN");
    // No token: `/v1`'s code, and the entry on `token` the document's forms show.
    let res = send(
        &app,
        Method::POST,
        "/api/auth/verify-email",
        json!({}),
        None,
    )
    .await;
    res.assert_error(400, "MISSING_TOKEN");
    assert_eq!(res.error_fields(), ["token"], "{res:?}");
    let body = json!({"password": NEW_PASSWORD, "passwordConfirm": NEW_PASSWORD});
    let res = send(
        &app,
        Method::PATCH,
        "/api/auth/reset-password/nope",
        body,
        None,
    )
    .await;
    res.assert_error(404, "INVALID_TOKEN");
}
