//! `POST /api/auth/refresh-token`, `POST /api/auth/logout` and `PATCH /api/auth/update-password`:
//! the document's token answers over the sessions `/v1` keeps.

use super::client::{
    Guest, NEW_PASSWORD, PASSWORD, Session, WRONG_PASSWORD, assert_ci_access_revoked,
    assert_ci_refresh_dead, keys, keys_of, spawn_checkinn_app, spawn_checkinn_app_with, string,
};
use crate::helpers::{Backend, Jwt, MailKind, Reply, backends};
use reqwest::Method;
use rstest_reuse::apply;
use serde_json::json;
use std::time::Duration;

/// The access and refresh token of a refresh answer, after checking its shape.
fn refreshed(reply: &Reply) -> (String, String) {
    let body = reply.ci_ok(200);
    assert_eq!(
        keys(body),
        keys_of(&["success", "token", "refreshToken", "data"]),
        "{reply:#?}"
    );
    assert_eq!(
        body["data"],
        json!({"token": body["token"], "refreshToken": body["refreshToken"]})
    );
    (string(&body["token"]), string(&body["refreshToken"]))
}

/// The access token and the cookie's successor of a refresh made with the cookie alone: the
/// successor is not in the body, where a script could read what the HttpOnly cookie hides.
fn cookie_refreshed(reply: &Reply) -> (String, String) {
    let body = reply.ci_ok(200);
    assert_eq!(
        keys(body),
        keys_of(&["success", "token", "data"]),
        "{reply:#?}"
    );
    assert_eq!(body["data"], json!({"token": body["token"]}));
    let successor = reply
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("refresh_token="))
        .and_then(|rest| rest.split(';').next())
        .unwrap_or_else(|| panic!("no refresh cookie set: {reply:#?}"))
        .to_owned();
    (string(&body["token"]), successor)
}

#[apply(backends)]
async fn refresh_with_the_body_answers_the_token_at_the_top_and_in_data(backend: Backend) {
    let app = spawn_checkinn_app(backend).await;
    let session = app.ci_register(&Guest::random()).await;

    let reply = app.ci_refresh(&session.refresh_token).await;

    let (token, successor) = refreshed(&reply);
    assert_ne!(successor, session.refresh_token, "rotation");
    assert_eq!(Jwt::decode(&token).sid(), Jwt::decode(&session.token).sid());
    app.ci_me(&token).await.ci_ok(200);
    let cookie = reply.cookie("refresh_token").expect("the rotated cookie");
    assert_eq!(cookie.value, successor);
    assert_eq!(cookie.attribute("path"), Some("/api/auth"), "{cookie:?}");
}

#[apply(backends)]
async fn a_browser_refreshes_with_the_cookie_alone(backend: Backend) {
    let app = spawn_checkinn_app(backend).await;
    let browser = app.browser();
    let registered = app
        .send(app.ci_request(
            &browser,
            Method::POST,
            "/register",
            None,
            Some(&Guest::random().body()),
        ))
        .await;
    let session = Session::of(&registered, 201);

    let first = app
        .send(app.ci_request(
            &browser,
            Method::POST,
            "/refresh-token",
            None,
            Some(&json!({})),
        ))
        .await;
    let (_, first_successor) = cookie_refreshed(&first);
    let second = app
        .send(app.ci_request(
            &browser,
            Method::POST,
            "/refresh-token",
            None,
            Some(&json!({})),
        ))
        .await;

    let (token, second_successor) = cookie_refreshed(&second);
    assert_ne!(first_successor, session.refresh_token);
    assert_ne!(second_successor, first_successor, "the cookie was rotated");
    app.ci_me(&token).await.ci_ok(200);
}

#[apply(backends)]
async fn refresh_without_any_token_or_with_garbage_is_refused(backend: Backend) {
    let app = spawn_checkinn_app(backend).await;

    app.ci_post("/refresh-token", &json!({}))
        .await
        .ci_error(400, "MISSING_REFRESH_TOKEN");
    app.ci_refresh("definitely-not-a-refresh-token")
        .await
        .ci_error(401, "INVALID_REFRESH_TOKEN");
}

#[apply(backends)]
async fn reuse_after_the_grace_window_revokes_the_session_in_both_dialects(backend: Backend) {
    let app = spawn_checkinn_app_with(backend, &[("REFRESH_REUSE_GRACE", "1s")]).await;
    let guest = Guest::random();
    let session = app.ci_register(&guest).await;
    let (successor_access, successor) = refreshed(&app.ci_refresh(&session.refresh_token).await);

    tokio::time::sleep(Duration::from_millis(1500)).await;
    // The stolen, rotated token comes back through the other dialect.
    let reuse = app.refresh(&session.refresh_token).await;

    reuse.error(401, "TOKEN_REVOKED");
    app.ci_refresh(&successor)
        .await
        .ci_error(401, "TOKEN_REVOKED");
    assert_ci_access_revoked(&app, &successor_access).await;
    app.wait_for_mail(MailKind::RefreshTokenReuse, &guest.email)
        .await;
}

#[apply(backends)]
async fn logout_ends_the_bearers_session_and_clears_the_cookie(backend: Backend) {
    let app = spawn_checkinn_app(backend).await;
    let guest = Guest::random();
    let here = app.ci_register(&guest).await;
    let elsewhere = app.ci_login(&guest).await;

    let reply = app.ci_logout(&here.token, &here.refresh_token).await;

    reply.ci_ok(200);
    assert_eq!(
        keys(&reply.body),
        keys_of(&["success", "message"]),
        "{reply:#?}"
    );
    let cookie = reply
        .cookie("refresh_token")
        .expect("the cookie is cleared");
    assert!(cookie.is_removal(), "{cookie:?}");
    assert_eq!(cookie.attribute("path"), Some("/api/auth"), "{cookie:?}");
    assert_ci_access_revoked(&app, &here.token).await;
    assert_ci_refresh_dead(&app, &here.refresh_token).await;
    // Only this session.
    app.ci_me(&elsewhere.token).await.ci_ok(200);
    refreshed(&app.ci_refresh(&elsewhere.refresh_token).await);
}

#[apply(backends)]
async fn logout_requires_the_bearer_token(backend: Backend) {
    let app = spawn_checkinn_app(backend).await;
    let session = app.ci_register(&Guest::random()).await;

    let reply = app
        .ci_post("/logout", &json!({"refreshToken": session.refresh_token}))
        .await;

    reply.ci_auth_required("MISSING_AUTH_HEADER");
    refreshed(&app.ci_refresh(&session.refresh_token).await);
}

fn change(current: &str, password: &str, confirm: &str) -> serde_json::Value {
    json!({"passwordCurrent": current, "password": password, "passwordConfirm": confirm})
}

#[apply(backends)]
async fn update_password_answers_new_tokens_and_revokes_every_other_session(backend: Backend) {
    let app = spawn_checkinn_app(backend).await;
    let guest = Guest::random();
    let here = app.ci_register(&guest).await;
    let elsewhere = app.ci_login(&guest).await;

    let reply = app
        .ci_patch(
            "/update-password",
            &here.token,
            &change(PASSWORD, NEW_PASSWORD, NEW_PASSWORD),
        )
        .await;

    let body = reply.ci_ok(200);
    assert!(body["message"].is_string(), "{reply:#?}");
    let data = &body["data"];
    assert_eq!(
        keys(data),
        keys_of(&["token", "refreshToken", "user"]),
        "{data}"
    );
    assert_eq!(data["user"]["email"], guest.email);
    let token = string(&data["token"]);
    let refresh = string(&data["refreshToken"]);
    app.ci_me(&token).await.ci_ok(200);
    refreshed(&app.ci_refresh(&refresh).await);
    for old in [&here, &elsewhere] {
        assert_ci_access_revoked(&app, &old.token).await;
        assert_ci_refresh_dead(&app, &old.refresh_token).await;
    }
    app.ci_login_reply(&guest.email, PASSWORD)
        .await
        .ci_error(401, "INVALID_CREDENTIALS");
    app.ci_login_reply(&guest.email, NEW_PASSWORD)
        .await
        .ci_ok(200);
}

#[apply(backends)]
async fn update_password_refuses_a_wrong_current_password_or_a_mismatch(backend: Backend) {
    let app = spawn_checkinn_app(backend).await;
    let guest = Guest::random();
    let session = app.ci_register(&guest).await;

    let wrong = app
        .ci_patch(
            "/update-password",
            &session.token,
            &change(WRONG_PASSWORD, NEW_PASSWORD, NEW_PASSWORD),
        )
        .await;
    let mismatch = app
        .ci_patch(
            "/update-password",
            &session.token,
            &change(PASSWORD, NEW_PASSWORD, "NewSecurePass123?"),
        )
        .await;
    let weak = app
        .ci_patch(
            "/update-password",
            &session.token,
            &change(PASSWORD, "short", "short"),
        )
        .await;

    wrong.ci_error(401, "INVALID_CREDENTIALS");
    let errors = mismatch.ci_field_errors("Validation failed");
    assert!(
        errors.contains(&("passwordConfirm".into(), "Passwords do not match".into())),
        "{errors:?}"
    );
    assert!(
        weak.ci_fields("Validation failed").contains("password"),
        "{weak:#?}"
    );
    // Nothing changed: the session lives, the old password still works.
    app.ci_me(&session.token).await.ci_ok(200);
    app.ci_login(&guest).await;
}
