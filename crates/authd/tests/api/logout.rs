//! `POST /v1/auth/logout`: this session, or every session.

use crate::helpers::{Backend, backends};
use crate::helpers::{assert_access_revoked, assert_refresh_dead, spawn_app};
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use rstest_reuse::apply;
use serde_json::json;

#[apply(backends)]
async fn logout_with_an_empty_json_body_ends_the_session_and_clears_the_cookie(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;
    let browser = app.browser();
    let login = app.login_with(&browser, &user, HeaderMap::new()).await;
    let mut headers = HeaderMap::new();
    headers.insert(
        AUTHORIZATION,
        HeaderValue::from_str(&format!("Bearer {}", login.access_token)).unwrap(),
    );

    let reply = app
        .post_empty_json(&browser, "/v1/auth/logout", headers)
        .await;

    assert_eq!(reply.status, 200, "{reply:#?}");
    assert_eq!(
        reply.body,
        json!({"success": true, "message": "Logged out successfully"})
    );
    let cookie = reply
        .cookie("refresh_token")
        .expect("the cookie is cleared");
    assert!(cookie.is_removal(), "{cookie:?}");
    assert_eq!(cookie.attribute("path"), Some("/v1/auth"), "{cookie:?}");
    assert_access_revoked(&app, &login.access_token).await;
    assert_refresh_dead(&app, &login.refresh_token).await;
}

#[apply(backends)]
async fn logout_leaves_the_users_other_sessions_alone(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;
    let here = app.login(&user).await;
    let elsewhere = app.login(&user).await;

    app.logout(&here.access_token, &json!({})).await.ok(200);

    app.me(&elsewhere.access_token).await.ok(200);
    app.refresh(&elsewhere.refresh_token).await.ok(200);
}

#[apply(backends)]
async fn logout_of_all_devices_revokes_every_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;
    let here = app.login(&user).await;
    let elsewhere = app.login(&user).await;

    app.logout(&here.access_token, &json!({"logoutAllDevices": true}))
        .await
        .ok(200);

    for session in [&here, &elsewhere] {
        assert_access_revoked(&app, &session.access_token).await;
        assert_refresh_dead(&app, &session.refresh_token).await;
    }
    // Logging in again works: only the old sessions were cut off.
    let fresh = app.login(&user).await;
    app.me(&fresh.access_token).await.ok(200);
}

#[apply(backends)]
async fn logout_requires_the_access_token(backend: Backend) {
    let app = spawn_app(backend).await;

    app.post_json("/v1/auth/logout", &json!({}))
        .await
        .error(401, "MISSING_AUTH_HEADER");
}
