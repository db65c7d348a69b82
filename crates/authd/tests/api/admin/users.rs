//! `GET /v1/admin/users` (filters, search, sort, pages) and `GET /v1/admin/users/{id}`.

use crate::helpers::{Backend, backends};
use crate::helpers::{Member, PASSWORD, TestApp, TestUser, spawn_admin_app};
use rstest_reuse::apply;
use serde_json::{Value, json};

/// A fresh tag (lower-case hex) no other account's name contains.
fn tag() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..8].to_owned()
}

/// Registers (pending, unverified) `username` with `email`; its id.
async fn register_as(app: &TestApp, username: &str, email: &str) -> String {
    let user = TestUser {
        id: String::new(),
        email: email.to_owned(),
        username: username.to_owned(),
        password: PASSWORD.to_owned(),
    };
    let reply = app.register(&user.registration_body()).await;
    reply.ok(201)["userId"].as_str().expect("userId").to_owned()
}

async fn list(app: &TestApp, admin: &Member, query: &str) -> Value {
    app.admin_get(admin.token(), &format!("/v1/admin/users?{query}"))
        .await
        .ok(200)
        .clone()
}

fn ids(data: &Value) -> Vec<String> {
    data["users"]
        .as_array()
        .unwrap_or_else(|| panic!("users: {data}"))
        .iter()
        .map(|u| u["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[apply(backends)]
async fn twenty_three_matches_in_pages_of_ten_are_three_pages_newest_first(backend: Backend) {
    let (app, admin) = spawn_admin_app(backend).await;
    let tag = tag();
    let mut registered = Vec::new();
    for i in 0..23 {
        let name = format!("pg{tag}{i:02}");
        registered.push(register_as(&app, &name, &format!("{name}@example.com")).await);
    }
    app.verified_user().await; // one that does not match

    let mut seen = Vec::new();
    for (page, expected) in [(1, 10), (2, 10), (3, 3), (4, 0)] {
        let data = list(&app, &admin, &format!("search={tag}&limit=10&page={page}")).await;
        assert_eq!(
            data["pagination"],
            json!({"page": page, "limit": 10, "total": 23, "pages": 3})
        );
        assert_eq!(ids(&data).len(), expected, "page {page}: {data}");
        seen.extend(ids(&data));
    }
    registered.reverse();
    assert_eq!(seen, registered, "newest first, no account twice");

    let by_email = list(&app, &admin, &format!("search={tag}&limit=100&sort=email")).await;
    let emails: Vec<String> = by_email["users"]
        .as_array()
        .expect("users")
        .iter()
        .map(|u| u["email"].as_str().unwrap_or_default().to_owned())
        .collect();
    let mut sorted = emails.clone();
    sorted.sort();
    assert_eq!(emails, sorted);
    assert_eq!(emails.len(), 23);
    let oldest = list(
        &app,
        &admin,
        &format!("search={tag}&limit=1&sort=createdAt"),
    )
    .await;
    assert_eq!(ids(&oldest), [registered[22].clone()]);

    let none = list(&app, &admin, "search=nobody-has-this-name").await;
    assert_eq!(
        none["pagination"],
        json!({"page": 1, "limit": 20, "total": 0, "pages": 0})
    );
}

#[apply(backends)]
async fn search_finds_a_case_insensitive_substring_of_email_or_username(backend: Backend) {
    let (app, admin) = spawn_admin_app(backend).await;
    let tag = tag();
    let by_name = register_as(
        &app,
        &format!("alpha{tag}"),
        &format!("x{tag}a@example.com"),
    )
    .await;
    let by_mail = register_as(&app, &format!("b{tag}"), &format!("zulu{tag}@example.com")).await;

    for (search, expected) in [
        (
            format!("ALPHA{}", tag.to_uppercase()),
            vec![by_name.clone()],
        ),
        (format!("Zulu{tag}@EXAMPLE"), vec![by_mail.clone()]),
        (format!("ha{tag}"), vec![by_name.clone()]),
        (tag.to_uppercase(), vec![by_mail.clone(), by_name.clone()]),
    ] {
        let data = list(&app, &admin, &format!("search={search}")).await;
        assert_eq!(ids(&data), expected, "search={search}");
    }
}

#[apply(backends)]
async fn percent_and_underscore_in_a_search_are_plain_characters(backend: Backend) {
    let (app, admin) = spawn_admin_app(backend).await;
    app.verified_user().await; // `user_...`: an underscore in its name

    // As LIKE wildcards, `%` would match every account and `r_o` the admin `root`.
    for search in ["%25", "r_o", "%25root", "ro%25t"] {
        let data = list(&app, &admin, &format!("search={search}")).await;
        assert_eq!(data["pagination"]["total"], 0, "search={search}: {data}");
    }
    let underscore = list(&app, &admin, "search=_").await;
    assert_eq!(underscore["pagination"]["total"], 1, "{underscore}");
}

#[apply(backends)]
async fn status_and_role_filters_keep_only_matching_accounts(backend: Backend) {
    let (app, admin) = spawn_admin_app(backend).await;
    let tag = tag();
    let pending = register_as(&app, &format!("p{tag}"), &format!("p{tag}@example.com")).await;
    let active = app.verified_user().await;
    let moderator = app.member_with_roles(&admin, &["moderator"]).await;
    let suspended = app.verified_user().await;
    app.set_status(admin.token(), &suspended.id, "suspended")
        .await
        .ok(200);

    let of = |data: Value| ids(&data);
    assert_eq!(of(list(&app, &admin, "status=pending").await), [pending]);
    assert_eq!(
        of(list(&app, &admin, "status=suspended").await),
        std::slice::from_ref(&suspended.id)
    );
    let actives = of(list(&app, &admin, "status=active").await);
    assert!(actives.contains(&active.id) && actives.contains(&admin.id().to_owned()));
    assert!(!actives.contains(&suspended.id));
    assert_eq!(
        of(list(&app, &admin, "role=moderator").await),
        [moderator.id().to_owned()]
    );
    assert_eq!(
        of(list(&app, &admin, "role=admin").await),
        [admin.id().to_owned()]
    );
    assert!(of(list(&app, &admin, "role=wizard").await).is_empty());
    let summary = &list(&app, &admin, "role=moderator").await["users"][0];
    assert_eq!(summary["roles"], json!(["moderator"]));
    assert_eq!(summary["status"], "active");
    assert_eq!(summary["emailVerified"], true);
    assert!(summary["lastLogin"].is_string() && summary["createdAt"].is_string());
}

#[apply(backends)]
async fn one_account_shows_its_profile_sessions_and_lockout(backend: Backend) {
    let (app, admin) = spawn_admin_app(backend).await;
    let user = app.verified_user().await;
    app.login(&user).await;
    app.login(&user).await;

    let seen = app.admin_user(admin.token(), &user.id).await;
    assert_eq!(seen["id"], user.id);
    assert_eq!(seen["email"], user.email);
    assert_eq!(seen["username"], user.username);
    assert_eq!(seen["firstName"], "Ada");
    assert_eq!(seen["lastName"], "Lovelace");
    assert_eq!(seen["phone"], Value::Null);
    assert_eq!(seen["status"], "active");
    assert_eq!(seen["emailVerified"], true);
    assert_eq!(seen["phoneVerified"], false);
    assert_eq!(seen["roles"], json!(["user"]));
    assert_eq!(seen["permissions"], json!(["users.read"]));
    assert_eq!(seen["mfaEnabled"], false);
    assert_eq!(seen["activeSessions"], 2);
    assert_eq!(seen["failedLoginAttempts"], 0);
    assert_eq!(seen["lastFailedLogin"], Value::Null);
    assert_eq!(seen["accountLockedUntil"], Value::Null);
    for field in ["lastLogin", "createdAt", "updatedAt"] {
        assert!(seen[field].is_string(), "{field}: {seen}");
    }

    let wrong = json!({"email": user.email, "password": "Wr0ng-Password!x"});
    for _ in 0..2 {
        app.login_reply(&wrong)
            .await
            .error(401, "INVALID_CREDENTIALS");
    }
    let failing = app.admin_user(admin.token(), &user.id).await;
    assert_eq!(failing["failedLoginAttempts"], 2);
    assert!(failing["lastFailedLogin"].is_string(), "{failing}");
    assert_eq!(failing["accountLockedUntil"], Value::Null);
    for _ in 0..3 {
        app.login_reply(&wrong).await;
    }
    let locked = app.admin_user(admin.token(), &user.id).await;
    assert_eq!(locked["failedLoginAttempts"], 5);
    assert!(locked["accountLockedUntil"].is_string(), "{locked}");
}

#[apply(backends)]
async fn a_malformed_id_is_400_and_an_unknown_one_404(backend: Backend) {
    let (app, admin) = spawn_admin_app(backend).await;

    for bad in ["not-a-uuid", "1", "00000000-0000-4000-8000-00000000000g"] {
        let reply = app
            .admin_get(admin.token(), &format!("/v1/admin/users/{bad}"))
            .await;
        assert_eq!(
            reply.validation_details(),
            [("userId".to_owned(), "INVALID_FORMAT".to_owned())]
        );
    }
    let unknown = "00000000-0000-4000-8000-000000000000";
    app.admin_get(admin.token(), &format!("/v1/admin/users/{unknown}"))
        .await
        .error(404, "USER_NOT_FOUND");
    app.set_status(admin.token(), unknown, "suspended")
        .await
        .error(404, "USER_NOT_FOUND");
    app.admin_action(admin.token(), unknown, "unlock")
        .await
        .error(404, "USER_NOT_FOUND");
    app.admin_end_sessions(admin.token(), unknown)
        .await
        .error(404, "USER_NOT_FOUND");
}
