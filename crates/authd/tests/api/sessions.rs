//! `GET /v1/users/me/sessions`, `DELETE /v1/users/me/sessions/{id}`, and the session limit.

use crate::helpers::{Backend, backends};
use crate::helpers::{
    CHROME_ON_WINDOWS, TestApp, assert_access_revoked, assert_refresh_dead, header, spawn_app,
    spawn_app_with,
};
use rstest_reuse::apply;
use serde_json::{Value, json};
use std::time::Duration;

async fn sessions(app: &TestApp, access: &str) -> Vec<Value> {
    let reply = app.get_authed("/v1/users/me/sessions", access).await;
    reply
        .ok(200)
        .as_array()
        .expect("a list of sessions")
        .clone()
}

async fn delete_session(app: &TestApp, access: &str, id: &str) -> crate::helpers::Reply {
    app.send(
        app.client
            .delete(app.url(&format!("/v1/users/me/sessions/{id}")))
            .bearer_auth(access),
    )
    .await
}

#[apply(backends)]
async fn the_session_list_describes_the_device_and_marks_the_current_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;
    let login = app
        .login_with(&app.client, &user, header("user-agent", CHROME_ON_WINDOWS))
        .await;

    let list = sessions(&app, &login.access_token).await;

    assert_eq!(list.len(), 1, "{list:?}");
    let session = &list[0];
    assert_eq!(session["id"], login.session_id());
    assert_eq!(
        session["deviceInfo"],
        json!({"browser": "Chrome", "os": "Windows", "device": "Desktop"})
    );
    assert_eq!(session["ipAddress"], "127.0.0.1");
    assert_eq!(session["location"], Value::Null);
    assert_eq!(session["isCurrent"], true);
    assert!(session["createdAt"].is_string() && session["lastActivity"].is_string());
}

#[apply(backends)]
async fn only_the_callers_session_is_current(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;
    let here = app.login(&user).await;
    let elsewhere = app.login(&user).await;

    let list = sessions(&app, &here.access_token).await;

    assert_eq!(list.len(), 2, "{list:?}");
    for session in &list {
        let current = session["id"] == here.session_id();
        assert_eq!(session["isCurrent"], current, "{session}");
    }
    assert!(list.iter().any(|s| s["id"] == elsewhere.session_id()));
}

#[apply(backends)]
async fn ending_another_own_session_cuts_off_its_tokens(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;
    let here = app.login(&user).await;
    let elsewhere = app.login(&user).await;

    let reply = delete_session(&app, &here.access_token, &elsewhere.session_id()).await;

    assert_eq!(reply.status, 200, "{reply:#?}");
    assert_eq!(
        reply.body,
        json!({"success": true, "message": "Session terminated successfully"})
    );
    assert_access_revoked(&app, &elsewhere.access_token).await;
    assert_refresh_dead(&app, &elsewhere.refresh_token).await;
    app.me(&here.access_token).await.ok(200);
    assert_eq!(sessions(&app, &here.access_token).await.len(), 1);
}

#[apply(backends)]
async fn another_users_session_cannot_be_ended(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.verified_user().await;
    let bob = app.verified_user().await;
    let alice_login = app.login(&alice).await;
    let bob_login = app.login(&bob).await;

    let reply = delete_session(&app, &alice_login.access_token, &bob_login.session_id()).await;

    reply.error(404, "NOT_FOUND");
    app.me(&bob_login.access_token).await.ok(200);
    delete_session(&app, &alice_login.access_token, "not-a-session-id")
        .await
        .error(404, "NOT_FOUND");
}

#[apply(backends)]
async fn a_login_beyond_the_session_limit_evicts_the_least_recently_used_session(backend: Backend) {
    let app = spawn_app_with(backend, &[("MAX_CONCURRENT_SESSIONS", "5")]).await;
    let user = app.verified_user().await;
    let mut logins = Vec::new();
    for _ in 0..6 {
        logins.push(app.login(&user).await);
        // Distinct timestamps, so "least recently used" has one answer.
        tokio::time::sleep(Duration::from_millis(15)).await;
    }

    assert_access_revoked(&app, &logins[0].access_token).await;
    assert_refresh_dead(&app, &logins[0].refresh_token).await;
    for login in &logins[1..] {
        app.me(&login.access_token).await.ok(200);
    }
    let list = sessions(&app, &logins[5].access_token).await;
    assert_eq!(list.len(), 5, "{list:?}");
    assert!(!list.iter().any(|s| s["id"] == logins[0].session_id()));
}
