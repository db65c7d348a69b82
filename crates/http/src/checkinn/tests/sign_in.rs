//! Register, login, refresh-token and logout: the document's shapes and the cookie.

use super::{PASSWORD, app, no_limits, register, registration, send, state_with};
use actix_web::http::Method;
use actix_web::test::{TestRequest, call_service};
use serde_json::{Value, json};

fn assert_signed_in(body: &Value, email: &str) {
    assert_eq!(body["success"], true, "{body}");
    assert_eq!(body["message"], "Authentication successful", "{body}");
    let data = &body["data"];
    assert!(
        data["token"]
            .as_str()
            .is_some_and(|t| t.split('.').count() == 3),
        "{body}"
    );
    assert!(
        data["refreshToken"].as_str().is_some_and(|t| !t.is_empty()),
        "{body}"
    );
    let user = &data["user"];
    assert!(
        user["id"].as_str().is_some_and(|id| id.len() == 36),
        "{body}"
    );
    assert_eq!(user["name"], "Test User");
    assert_eq!(user["email"], email);
    assert_eq!(user["role"], "Customer");
    assert_eq!(user["isEmailVerified"], false);
    let fields: Vec<&String> = user.as_object().unwrap().keys().collect();
    assert_eq!(fields.len(), 5, "{user}");
}

fn assert_cookie_of(cookie: Option<String>, token: &str) {
    let cookie = cookie.expect("a refresh cookie");
    assert!(
        cookie.starts_with(&format!("refresh_token={token};")),
        "{cookie}"
    );
    for part in [
        "HttpOnly",
        "SameSite=Strict",
        "Path=/api/auth",
        "Max-Age=604800",
    ] {
        assert!(cookie.contains(part), "{part} missing in {cookie}");
    }
    assert!(!cookie.contains("Secure"), "COOKIE_SECURE is off: {cookie}");
}

#[actix_web::test]
async fn register_signs_the_new_account_in_at_once() {
    let app = app!();
    let res = send(
        &app,
        Method::POST,
        "/api/auth/register",
        registration("test@example.com"),
        None,
    )
    .await;
    assert_eq!(res.status, 201, "{res:?}");
    assert_signed_in(&res.body, "test@example.com");
    let refresh = res.body["data"]["refreshToken"].as_str().unwrap();
    assert_cookie_of(res.refresh_cookie(), refresh);
    // The token works at once.
    let token = res.body["data"]["token"].as_str().unwrap();
    let me = send(&app, Method::GET, "/api/auth/me", Value::Null, Some(token)).await;
    assert_eq!(me.status, 200, "{me:?}");
}

/// With CHECKINN_REQUIRE_EMAIL_VERIFICATION the login would refuse the new account: so does its
/// registration, which answers the account alone.
#[actix_web::test]
async fn with_verification_required_register_answers_no_token() {
    let state = state_with(
        no_limits(),
        |auth| auth.checkinn_require_email_verification = true,
        |_| {},
    );
    let app = app!(state);
    let res = send(
        &app,
        Method::POST,
        "/api/auth/register",
        registration("test@example.com"),
        None,
    )
    .await;
    assert_eq!(res.status, 201, "{res:?}");
    assert_eq!(res.body["success"], true, "{res:?}");
    assert_eq!(
        res.body["message"],
        "Registration successful. Please check your email to verify your account."
    );
    assert_eq!(res.body["data"]["user"]["email"], "test@example.com");
    assert_eq!(res.body["data"]["user"]["isEmailVerified"], false);
    assert!(res.body["data"].get("token").is_none(), "{res:?}");
    assert!(res.body["data"].get("refreshToken").is_none(), "{res:?}");
    assert_eq!(res.refresh_cookie(), None);
    // And the login agrees.
    let body = json!({"email": "test@example.com", "password": PASSWORD});
    let login = send(&app, Method::POST, "/api/auth/login", body, None).await;
    login.assert_error(401, "EMAIL_NOT_VERIFIED");
}

#[actix_web::test]
async fn an_unverified_account_logs_in_with_the_same_answer() {
    let app = app!();
    register(&app, "john@example.com").await;
    let body = json!({"email": "john@example.com", "password": PASSWORD});
    let res = send(&app, Method::POST, "/api/auth/login", body, None).await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_signed_in(&res.body, "john@example.com");
    let refresh = res.body["data"]["refreshToken"].as_str().unwrap();
    assert_cookie_of(res.refresh_cookie(), refresh);
}

#[actix_web::test]
async fn refresh_token_answers_the_tokens_at_the_top_and_in_data() {
    let app = app!();
    let data = register(&app, "r@example.com").await;
    let refresh = data["refreshToken"].as_str().unwrap();
    let body = json!({"refreshToken": refresh});
    let res = send(&app, Method::POST, "/api/auth/refresh-token", body, None).await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(res.body["success"], true);
    let token = res.body["token"].as_str().unwrap();
    let rotated = res.body["refreshToken"].as_str().unwrap();
    assert_eq!(res.body["data"]["token"], token);
    assert_eq!(res.body["data"]["refreshToken"], rotated);
    assert_ne!(rotated, refresh, "rotation is on");
    assert_cookie_of(res.refresh_cookie(), rotated);
    let me = send(&app, Method::GET, "/api/auth/me", Value::Null, Some(token)).await;
    assert_eq!(me.status, 200, "{me:?}");

    // Without a body, the cookie; from a foreign origin, refused.
    let with_cookie = |origin: Option<&str>| {
        let mut req = TestRequest::post()
            .uri("/api/auth/refresh-token")
            .insert_header(("Cookie", format!("refresh_token={rotated}")));
        if let Some(origin) = origin {
            req = req.insert_header(("Origin", origin.to_owned()));
        }
        req.to_request()
    };
    let foreign =
        super::answer(call_service(&app, with_cookie(Some("https://evil.example"))).await).await;
    foreign.assert_error(403, "CSRF_FAILED");
    let res =
        super::answer(call_service(&app, with_cookie(Some("https://checkinn.example"))).await)
            .await;
    assert_eq!(res.status, 200, "{res:?}");
    assert!(res.body["token"].is_string());
    assert_eq!(res.body["data"]["token"], res.body["token"]);
    // What the HttpOnly cookie hides stays out of the body: its successor is in the cookie alone.
    assert!(res.body.get("refreshToken").is_none(), "{res:?}");
    assert!(res.body["data"].get("refreshToken").is_none(), "{res:?}");
    let successor = res.refresh_cookie().expect("the successor's cookie");
    assert!(
        !successor.starts_with(&format!("refresh_token={rotated};")),
        "{successor}"
    );
    assert!(successor.contains("Path=/api/auth"), "{successor}");
}

#[actix_web::test]
async fn a_dead_refresh_token_is_401_and_clears_the_cookie() {
    let app = app!();
    let body = json!({"refreshToken": "not-a-token"});
    let res = send(&app, Method::POST, "/api/auth/refresh-token", body, None).await;
    res.assert_error(401, "INVALID_REFRESH_TOKEN");
    let cookie = res.refresh_cookie().expect("the cookie is cleared");
    assert!(cookie.starts_with("refresh_token=;"), "{cookie}");
    assert!(
        cookie.contains("Max-Age=0") && cookie.contains("Path=/api/auth"),
        "{cookie}"
    );
    let res = send(
        &app,
        Method::POST,
        "/api/auth/refresh-token",
        json!({}),
        None,
    )
    .await;
    res.assert_error(400, "MISSING_REFRESH_TOKEN");
}

#[actix_web::test]
async fn logout_ends_the_bearers_session_and_clears_the_cookie() {
    let app = app!();
    let data = register(&app, "out@example.com").await;
    let token = data["token"].as_str().unwrap();
    let refresh = data["refreshToken"].as_str().unwrap();
    let body = json!({"refreshToken": refresh});
    let res = send(&app, Method::POST, "/api/auth/logout", body, Some(token)).await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(
        res.body,
        json!({"success": true, "message": "Logged out successfully"})
    );
    let cookie = res.refresh_cookie().expect("the cookie is cleared");
    assert!(
        cookie.contains("Max-Age=0") && cookie.contains("Path=/api/auth"),
        "{cookie}"
    );
    let me = send(&app, Method::GET, "/api/auth/me", Value::Null, Some(token)).await;
    me.assert_error(401, "TOKEN_REVOKED");
    let again = json!({"refreshToken": refresh});
    let res = send(&app, Method::POST, "/api/auth/refresh-token", again, None).await;
    assert_eq!(res.status, 401, "{res:?}");
}

/// One account for both dialects: registered here, signed in on `/v1` (which still wants a
/// verified email) and the reverse.
#[actix_web::test]
async fn both_dialects_serve_the_same_accounts() {
    let app = app!();
    register(&app, "both@example.com").await;
    let v1 = json!({"email": "both@example.com", "password": PASSWORD});
    let res = send(&app, Method::POST, "/v1/auth/login", v1, None).await;
    assert_eq!(res.status, 401, "{res:?}");
    assert_eq!(res.body["error"]["code"], "EMAIL_NOT_VERIFIED");
    let v1 = json!({
        "email": "v1@example.com", "username": "v1_user", "password": PASSWORD,
        "firstName": "Ada", "lastName": "Lovelace"
    });
    let res = send(&app, Method::POST, "/v1/auth/register", v1, None).await;
    assert_eq!(res.status, 201, "{res:?}");
    let login = json!({"email": "v1@example.com", "password": PASSWORD});
    let res = send(&app, Method::POST, "/api/auth/login", login, None).await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(res.body["data"]["user"]["name"], "Ada Lovelace");
}
