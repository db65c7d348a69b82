//! `GET /v1/admin/audit-events`: who did what (`actorId`), the filters, order and pages.

use crate::helpers::{Backend, backends};
use crate::helpers::{TestApp, next_second, spawn_admin_app, types};
use rstest_reuse::apply;
use serde_json::{Value, json};

fn events(data: &Value) -> Vec<Value> {
    data["events"].as_array().expect("events").clone()
}

fn event<'a>(list: &'a [Value], kind: &str) -> &'a Value {
    list.iter()
        .find(|e| e["type"] == kind)
        .unwrap_or_else(|| panic!("no {kind} in {list:#?}"))
}

#[apply(backends)]
async fn an_administrators_actions_name_the_administrator_newest_first(backend: Backend) {
    let (app, admin) = spawn_admin_app(backend).await;
    let user = app.verified_user().await;
    app.login(&user).await;

    let token = admin.token();
    let id = user.id.as_str();
    app.admin_put(token, id, &json!({"firstName": "Grace"}))
        .await
        .ok(200);
    app.admin_put(token, id, &json!({"roles": ["user", "moderator"]}))
        .await
        .ok(200);
    app.set_status(token, id, "suspended").await.ok(200);
    app.set_status(token, id, "active").await.ok(200);
    app.admin_action(token, id, "unlock").await.ok_or_message();
    app.admin_end_sessions(token, id).await.ok(200);
    app.admin_action(token, id, "password-reset")
        .await
        .ok_or_message();

    let list = events(
        &app.audit_events(token, &format!("userId={id}&limit=100"))
            .await,
    );
    let by_admin = [
        "password_reset_requested",
        "sessions_revoked",
        "account_unlocked",
        "account_reactivated",
        "account_suspended",
        "roles_changed",
        "user_updated",
    ];
    let seen = types(&Value::Array(list.clone()));
    let positions: Vec<usize> = by_admin
        .iter()
        .map(|kind| {
            seen.iter()
                .position(|t| t == kind)
                .unwrap_or_else(|| panic!("no {kind} in {seen:?}"))
        })
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "newest first: {seen:?}"
    );
    for kind in by_admin {
        let e = event(&list, kind);
        assert_eq!(e["actorId"], admin.id(), "{e}");
        assert_eq!(e["userId"], id, "{e}");
        assert_eq!(e["ipAddress"], "127.0.0.1", "{e}");
    }
    let login = event(&list, "login_succeeded");
    assert_eq!(login["actorId"], Value::Null);
    assert_eq!(login["userId"], id);
    let times: Vec<&str> = list
        .iter()
        .map(|e| e["createdAt"].as_str().unwrap_or_default())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");
}

/// Three wrong passwords and a login for `user`.
async fn some_traffic(app: &TestApp, user: &crate::helpers::TestUser) {
    let wrong = json!({"email": user.email, "password": "Wr0ng-Password!x"});
    for _ in 0..3 {
        app.login_reply(&wrong)
            .await
            .error(401, "INVALID_CREDENTIALS");
    }
    app.login(user).await;
}

#[apply(backends)]
async fn events_filter_by_account_type_and_time(backend: Backend) {
    let (app, admin) = spawn_admin_app(backend).await;
    let user = app.verified_user().await;
    let other = app.verified_user().await;
    some_traffic(&app, &user).await;
    some_traffic(&app, &other).await;
    next_second().await;
    let boundary = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    app.login(&user).await;
    let token = admin.token();

    let mine = app
        .audit_events(token, &format!("userId={}&limit=100", user.id))
        .await;
    assert!(
        events(&mine)
            .iter()
            .all(|e| e["userId"] == user.id.as_str())
    );
    let failed = app
        .audit_events(token, &format!("userId={}&type=login_failed", user.id))
        .await;
    assert_eq!(types(&failed["events"]), ["login_failed"; 3]);
    assert_eq!(failed["pagination"]["total"], 3);
    let failure = &failed["events"][0];
    assert_eq!(failure["ipAddress"], "127.0.0.1");
    assert_eq!(failure["actorId"], Value::Null);
    assert_eq!(
        failure["note"], "wrong password",
        "as docs/admin.md shows: {failure}"
    );
    let two_kinds = app
        .audit_events(
            token,
            &format!("userId={}&type=login_succeeded,user_registered", user.id),
        )
        .await;
    assert_eq!(
        types(&two_kinds["events"]),
        ["login_succeeded", "login_succeeded", "user_registered"]
    );

    let after = app
        .audit_events(token, &format!("userId={}&from={boundary}", user.id))
        .await;
    assert_eq!(types(&after["events"]), ["login_succeeded"]);
    let before = app
        .audit_events(
            token,
            &format!("userId={}&to={boundary}&limit=100", user.id),
        )
        .await;
    let total = mine["pagination"]["total"].as_u64().expect("total");
    assert_eq!(before["pagination"]["total"], total - 1);
    assert!(!types(&before["events"]).is_empty());
    let nothing = app
        .audit_events(token, &format!("from={boundary}&to={boundary}"))
        .await;
    assert_eq!(nothing["pagination"]["total"], 0, "to is exclusive");
    let everyone_failed = app.audit_events(token, "type=login_failed&limit=100").await;
    assert_eq!(everyone_failed["pagination"]["total"], 6);
}

#[apply(backends)]
async fn events_come_in_pages_that_add_up_to_the_whole_trail(backend: Backend) {
    let (app, admin) = spawn_admin_app(backend).await;
    let user = app.verified_user().await;
    some_traffic(&app, &user).await;
    some_traffic(&app, &user).await;
    let token = admin.token();

    let whole = app
        .audit_events(token, &format!("userId={}&limit=100", user.id))
        .await;
    let total = whole["pagination"]["total"].as_u64().expect("total");
    assert!(total >= 10, "{whole}");
    let mut paged = Vec::new();
    let pages = total.div_ceil(3);
    for page in 1..=pages + 1 {
        let data = app
            .audit_events(token, &format!("userId={}&limit=3&page={page}", user.id))
            .await;
        assert_eq!(
            data["pagination"],
            json!({"page": page, "limit": 3, "total": total, "pages": pages})
        );
        paged.extend(events(&data));
    }
    assert_eq!(paged, events(&whole));
    let unknown = app
        .audit_events(token, "userId=00000000-0000-4000-8000-000000000000")
        .await;
    assert_eq!(unknown["pagination"]["total"], 0);
}
