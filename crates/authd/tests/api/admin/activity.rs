//! `GET /v1/users/me/activity`: the caller's own security events, newest first, with the
//! device and address of each sign-in, and what administrators did without naming them.

use crate::helpers::{Backend, backends};
use crate::helpers::{
    CHROME_ON_WINDOWS, NEW_PASSWORD, TestApp, header, next_second, spawn_admin_app, types,
};
use rstest_reuse::apply;
use serde_json::{Value, json};

const ADMIN_CONSOLE: &str = "AdminConsole/7.1 (internal)";

async fn activity(app: &TestApp, token: &str, query: &str) -> Value {
    app.get_authed(&format!("/v1/users/me/activity?{query}"), token)
        .await
        .ok(200)
        .clone()
}

/// The caller's activity once its newest event is `newest`. On PostgreSQL the audit trail is
/// written by a background task in batches, so the request that caused an event can answer
/// before the event is readable.
async fn activity_after(app: &TestApp, token: &str, newest: &str) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let data = activity(app, token, "").await;
        if data["events"][0]["type"] == newest || std::time::Instant::now() > deadline {
            return data;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

async fn change_password(app: &TestApp, token: &str) {
    app.send(
        app.client
            .put(app.url("/v1/auth/change-password"))
            .bearer_auth(token)
            .json(
                &json!({"currentPassword": crate::helpers::PASSWORD, "newPassword": NEW_PASSWORD}),
            ),
    )
    .await
    .ok_or_message();
}

#[apply(backends)]
async fn the_callers_sign_ins_and_password_change_newest_first_and_nobody_elses(backend: Backend) {
    let (app, _admin) = spawn_admin_app(backend).await;
    let user = app.verified_user().await;
    let login = app
        .login_with(&app.client, &user, header("user-agent", CHROME_ON_WINDOWS))
        .await;
    change_password(&app, &login.access_token).await;
    // Someone else's traffic, including a failed attempt on a third account.
    let other = app.verified_user().await;
    app.login(&other).await;
    app.login_reply(&json!({"email": other.email, "password": "Wr0ng-Password!x"}))
        .await;

    let data = activity_after(&app, &login.access_token, "password_changed").await;
    let kinds = types(&data["events"]);
    assert_eq!(
        kinds,
        [
            "password_changed",
            "login_succeeded",
            "email_verified",
            "user_registered"
        ]
    );
    let sign_in = &data["events"][1];
    assert_eq!(sign_in["ipAddress"], "127.0.0.1");
    assert_eq!(sign_in["userAgent"], CHROME_ON_WINDOWS);
    assert_eq!(
        sign_in["device"],
        json!({"browser": "Chrome", "os": "Windows", "device": "Desktop"})
    );
    assert!(sign_in["id"].is_string() && sign_in["createdAt"].is_string());
    assert_eq!(
        data["pagination"],
        json!({"page": 1, "limit": 20, "total": 4, "pages": 1})
    );
    assert!(!data.to_string().contains(&other.id));

    let second_page = activity(&app, &login.access_token, "limit=3&page=2").await;
    assert_eq!(types(&second_page["events"]), ["user_registered"]);
    assert_eq!(second_page["pagination"]["pages"], 2);
}

#[apply(backends)]
async fn what_an_administrator_did_shows_without_the_administrator(backend: Backend) {
    let (app, admin) = spawn_admin_app(backend).await;
    let user = app.verified_user().await;
    app.login(&user).await;
    let console = |request: reqwest::RequestBuilder| {
        request
            .bearer_auth(admin.token())
            .header("user-agent", ADMIN_CONSOLE)
    };
    let url = app.url(&format!("/v1/admin/users/{}", user.id));
    for status in ["suspended", "active"] {
        app.send(console(app.client.put(&url)).json(&json!({ "status": status })))
            .await
            .ok(200);
    }
    app.send(console(app.client.put(&url)).json(&json!({"roles": ["user", "moderator"]})))
        .await
        .ok(200);
    next_second().await;

    let back = app.login(&user).await;
    let data = activity_after(&app, &back.access_token, "login_succeeded").await;
    let kinds = types(&data["events"]);
    assert_eq!(
        kinds[..4],
        [
            "login_succeeded",
            "roles_changed",
            "account_reactivated",
            "account_suspended"
        ],
        "{kinds:?}"
    );
    for event in &data["events"].as_array().expect("events")[1..4] {
        assert_eq!(event["ipAddress"], Value::Null, "{event}");
        assert_eq!(event["userAgent"], Value::Null, "{event}");
        assert_eq!(event["device"], Value::Null, "{event}");
    }
    let text = data.to_string();
    assert!(!text.contains(admin.id()), "{text}");
    assert!(!text.contains("AdminConsole"), "{text}");

    // The administrator's own trail still has it all.
    let trail = app
        .audit_events(
            admin.token(),
            &format!("userId={}&type=account_suspended", user.id),
        )
        .await;
    assert_eq!(trail["events"][0]["userAgent"], ADMIN_CONSOLE);
    assert_eq!(trail["events"][0]["actorId"], admin.id());
}

#[apply(backends)]
async fn failures_a_lock_and_an_administrators_unlock_show_in_the_holders_activity(
    backend: Backend,
) {
    let (app, admin) = spawn_admin_app(backend).await;
    let user = app.verified_user().await;
    let wrong = json!({"email": user.email, "password": "Wr0ng-Password!x"});
    for _ in 0..5 {
        app.login_reply(&wrong).await;
    }
    app.admin_action(admin.token(), &user.id, "unlock")
        .await
        .ok_or_message();
    let login = app.login(&user).await;

    let data = activity_after(&app, &login.access_token, "login_succeeded").await;
    let kinds = types(&data["events"]);
    assert_eq!(
        kinds[..4],
        [
            "login_succeeded",
            "account_unlocked",
            "account_locked",
            "login_failed"
        ],
        "{kinds:?}"
    );
    assert_eq!(kinds.iter().filter(|k| *k == "login_failed").count(), 5);
    let unlocked = &data["events"][1];
    assert_eq!(unlocked["ipAddress"], Value::Null, "{unlocked}");
    assert_eq!(data["events"][3]["ipAddress"], "127.0.0.1");
}
