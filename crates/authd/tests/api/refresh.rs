//! `POST /v1/auth/refresh`: rotation, the reuse grace window, theft detection, CSRF.

use crate::helpers::{
    ALLOWED_ORIGIN, FOREIGN_ORIGIN, Jwt, MailKind, PUBLIC_URL, Reply, assert_access_revoked,
    header, spawn_app, spawn_app_with,
};
use crate::helpers::{Backend, backends};
use futures_util::future::join_all;
use reqwest::header::HeaderMap;
use rstest_reuse::apply;
use serde_json::json;
use std::collections::HashSet;
use std::time::Duration;

fn refresh_token_of(reply: &Reply) -> String {
    reply.ok(200)["refreshToken"]
        .as_str()
        .expect("refreshToken")
        .to_owned()
}

#[apply(backends)]
async fn a_refresh_token_in_the_body_yields_new_tokens_and_a_new_cookie(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;
    let login = app.login(&user).await;

    let reply = app.refresh(&login.refresh_token).await;

    let data = reply.ok(200);
    assert_eq!(data["expiresIn"], 900);
    assert_eq!(data["tokenType"], "Bearer");
    let access = data["accessToken"].as_str().expect("accessToken");
    let successor = data["refreshToken"].as_str().expect("refreshToken");
    assert_ne!(
        successor, login.refresh_token,
        "rotation issues a new token"
    );
    assert_eq!(
        Jwt::decode(access).sid(),
        login.session_id(),
        "same session"
    );
    app.me(access).await.ok(200);
    let cookie = reply.cookie("refresh_token").expect("the rotated cookie");
    assert_eq!(cookie.value, successor);
    assert!(cookie.has("httponly") && cookie.attribute("path") == Some("/v1/auth"));
}

#[apply(backends)]
async fn a_browser_refreshes_with_the_cookie_and_an_empty_json_body(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;
    let browser = app.browser();
    let login = app.login_with(&browser, &user, HeaderMap::new()).await;

    let first = app
        .post_empty_json(&browser, "/v1/auth/refresh", HeaderMap::new())
        .await;
    let first_successor = refresh_token_of(&first);
    assert_eq!(
        first.cookie("refresh_token").expect("a new cookie").value,
        first_successor
    );
    // The browser now holds the successor, so a second refresh rotates again.
    let second = app
        .post_empty_json(&browser, "/v1/auth/refresh", HeaderMap::new())
        .await;

    let second_successor = refresh_token_of(&second);
    let distinct: HashSet<_> = [&login.refresh_token, &first_successor, &second_successor]
        .into_iter()
        .collect();
    assert_eq!(distinct.len(), 3, "every refresh rotated the cookie");
}

#[apply(backends)]
async fn a_used_token_presented_again_within_the_grace_window_gets_the_same_successor(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;
    let login = app.login(&user).await;

    let first = refresh_token_of(&app.refresh(&login.refresh_token).await);
    let again = refresh_token_of(&app.refresh(&login.refresh_token).await);

    assert_eq!(first, again);
}

#[apply(backends)]
async fn a_hundred_concurrent_refreshes_with_one_token_yield_exactly_one_successor(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;
    let login = app.login(&user).await;

    let replies = join_all((0..100).map(|_| app.refresh(&login.refresh_token))).await;

    let successors: HashSet<String> = replies.iter().map(refresh_token_of).collect();
    assert_eq!(successors.len(), 1, "{successors:?}");
    let successor = successors.into_iter().next().unwrap();
    refresh_token_of(&app.refresh(&successor).await);
}

#[apply(backends)]
async fn reusing_a_rotated_token_after_the_grace_window_revokes_the_whole_session(
    backend: Backend,
) {
    let app = spawn_app_with(backend, &[("REFRESH_REUSE_GRACE", "1s")]).await;
    let user = app.verified_user().await;
    let login = app.login(&user).await;
    let rotated = app.refresh(&login.refresh_token).await;
    let successor = refresh_token_of(&rotated);
    let successor_access = rotated.body["data"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();

    tokio::time::sleep(Duration::from_millis(1500)).await;
    let reuse = app.refresh(&login.refresh_token).await;

    reuse.error(401, "TOKEN_REVOKED");
    app.refresh(&successor).await.error(401, "TOKEN_REVOKED");
    assert_access_revoked(&app, &login.access_token).await;
    assert_access_revoked(&app, &successor_access).await;
    app.wait_for_mail(MailKind::RefreshTokenReuse, &user.email)
        .await;
}

#[apply(backends)]
async fn refresh_without_any_token_answers_missing_refresh_token(backend: Backend) {
    let app = spawn_app(backend).await;

    app.post_json("/v1/auth/refresh", &json!({}))
        .await
        .error(400, "MISSING_REFRESH_TOKEN");
    app.post_empty_json(&app.client, "/v1/auth/refresh", HeaderMap::new())
        .await
        .error(400, "MISSING_REFRESH_TOKEN");
}

#[apply(backends)]
async fn a_garbage_refresh_token_answers_invalid_refresh_token(backend: Backend) {
    let app = spawn_app(backend).await;

    app.refresh("definitely-not-a-refresh-token")
        .await
        .error(401, "INVALID_REFRESH_TOKEN");
}

#[apply(backends)]
async fn a_cookie_refresh_from_a_foreign_origin_answers_csrf_failed(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;
    let browser = app.browser();
    app.login_with(&browser, &user, HeaderMap::new()).await;

    let reply = app
        .post_empty_json(
            &browser,
            "/v1/auth/refresh",
            header("origin", FOREIGN_ORIGIN),
        )
        .await;

    reply.error(403, "CSRF_FAILED");
}

#[apply(backends)]
async fn a_cookie_refresh_from_an_allowed_or_the_own_origin_succeeds(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;
    let browser = app.browser();
    app.login_with(&browser, &user, HeaderMap::new()).await;

    for origin in [ALLOWED_ORIGIN, PUBLIC_URL] {
        let reply = app
            .post_empty_json(&browser, "/v1/auth/refresh", header("origin", origin))
            .await;
        reply.ok(200);
    }
}

#[apply(backends)]
async fn a_refresh_token_in_the_body_is_not_subject_to_the_origin_check(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;
    let login = app.login(&user).await;

    let reply = app
        .send(
            app.client
                .post(app.url("/v1/auth/refresh"))
                .header("origin", FOREIGN_ORIGIN)
                .json(&json!({ "refreshToken": login.refresh_token })),
        )
        .await;

    reply.ok(200);
}
