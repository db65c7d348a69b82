//! Garbage in every query parameter of the listings: 400 `VALIDATION_ERROR` naming the
//! parameter, never a 5xx; odd but valid searches find only literal matches, on both backends.

use crate::helpers::{Backend, backends};
use crate::helpers::{Member, TestApp, spawn_admin_app};
use rstest_reuse::apply;

/// (query string, the parameter the answer must name)
fn page_garbage() -> Vec<(String, &'static str)> {
    let mut cases: Vec<(String, &'static str)> = Vec::new();
    for name in ["page", "limit"] {
        for value in [
            "",
            "0",
            "-1",
            "-99999999999999999999",
            "99999999999999999999999999999",
            "4294967296",
            "1.5",
            "1e3",
            "+1",
            "0x10",
            "ten",
            "%EF%BC%91", // a full-width digit one
            "1%00",
            "%",
            "%zz",
            "%FF",
            "1;DROP TABLE users",
            "1%27%20OR%20%271%27=%271",
        ] {
            cases.push((format!("{name}={value}"), name));
        }
        cases.push((format!("{name}=1&{name}=1"), name));
    }
    cases.push(("limit=101".to_owned(), "limit"));
    cases.push(("page=100001".to_owned(), "page"));
    cases
}

fn users_garbage() -> Vec<(String, &'static str)> {
    let mut cases = page_garbage();
    let long = "a".repeat(101);
    let long_unicode = "é".repeat(101);
    for (query, name) in [
        ("status=".to_owned(), "status"),
        ("status=banned".to_owned(), "status"),
        ("status=ACTIVE".to_owned(), "status"),
        ("status=active%27%20OR%201=1--".to_owned(), "status"),
        ("status=%C3%A1ctive".to_owned(), "status"),
        ("status=active&status=pending".to_owned(), "status"),
        ("search=".to_owned(), "search"),
        ("search=+++".to_owned(), "search"),
        (format!("search={long}"), "search"),
        (format!("search={long_unicode}"), "search"),
        ("search=a%00b".to_owned(), "search"),
        ("search=%0A".to_owned(), "search"),
        ("search=%".to_owned(), "search"),
        ("search=%E2%82".to_owned(), "search"),
        ("search=a&search=b".to_owned(), "search"),
        ("role=".to_owned(), "role"),
        ("role=1admin".to_owned(), "role"),
        ("role=admin%27--".to_owned(), "role"),
        ("role=ad+min".to_owned(), "role"),
        (format!("role=a{}", "b".repeat(64)), "role"),
        ("role=%F0%9F%98%80".to_owned(), "role"),
        ("sort=".to_owned(), "sort"),
        ("sort=age".to_owned(), "sort"),
        ("sort=email;DROP%20TABLE%20users".to_owned(), "sort"),
        ("sort=%2BcreatedAt".to_owned(), "sort"),
        ("sort=Email".to_owned(), "sort"),
    ] {
        cases.push((query, name));
    }
    cases
}

fn audit_garbage() -> Vec<(String, &'static str)> {
    let mut cases = page_garbage();
    for (query, name) in [
        ("userId=", "userId"),
        ("userId=42", "userId"),
        ("userId=not-a-uuid", "userId"),
        ("userId=%27%20OR%201=1--", "userId"),
        ("userId=00000000-0000-4000-8000-00000000000g", "userId"),
        ("type=", "type"),
        ("type=nope", "type"),
        ("type=LOGIN_FAILED", "type"),
        ("type=login_failed,", "type"),
        ("type=login_failed,,logout", "type"),
        ("type=login_failed%27--", "type"),
        ("type=login_failed&type=logout", "type"),
        ("from=", "from"),
        ("from=yesterday", "from"),
        ("from=2026-12-01", "from"),
        ("from=2026-13-01T00:00:00Z", "from"),
        ("from=2026-12-01T10:00:00+01:00", "from"), // `+` is a space in a query
        ("from=1701426600", "from"),
        ("to=2026-12-01T25:00:00Z", "to"),
        ("to=%", "to"),
        ("from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z", "from"),
    ] {
        cases.push((query.to_owned(), name));
    }
    cases
}

async fn assert_all_refused(
    app: &TestApp,
    token: &str,
    path: &str,
    cases: Vec<(String, &'static str)>,
) {
    for (query, name) in cases {
        let reply = app.get_authed(&format!("{path}?{query}"), token).await;
        assert!(reply.status < 500, "{path}?{query}: {reply:#?}");
        let fields: Vec<String> = reply
            .validation_details()
            .into_iter()
            .map(|(field, _)| field)
            .collect();
        assert_eq!(fields, [name], "{path}?{query}: {reply:#?}");
    }
}

async fn app() -> (TestApp, Member) {
    spawn_admin_app(Backend::Memory).await
}

#[tokio::test]
async fn garbage_in_the_user_list_query_names_the_parameter() {
    let (app, admin) = app().await;
    assert_all_refused(&app, admin.token(), "/v1/admin/users", users_garbage()).await;
}

#[tokio::test]
async fn garbage_in_the_audit_query_names_the_parameter() {
    let (app, admin) = app().await;
    assert_all_refused(
        &app,
        admin.token(),
        "/v1/admin/audit-events",
        audit_garbage(),
    )
    .await;
}

#[tokio::test]
async fn garbage_in_the_activity_query_names_the_parameter() {
    let (app, admin) = app().await;
    assert_all_refused(&app, admin.token(), "/v1/users/me/activity", page_garbage()).await;
}

#[tokio::test]
async fn several_bad_parameters_are_each_named_once() {
    let (app, admin) = app().await;
    let reply = app
        .get_authed(
            "/v1/admin/users?page=0&limit=x&status=x&search=&role=1&sort=x&page=2",
            admin.token(),
        )
        .await;
    let mut fields: Vec<String> = reply
        .validation_details()
        .into_iter()
        .map(|(field, _)| field)
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        ["limit", "page", "role", "search", "sort", "status"]
    );
}

/// The ids of the accounts `search` finds (there are few: one page holds them all).
async fn found(app: &TestApp, admin: &Member, search: &str) -> Vec<String> {
    let reply = app
        .get_authed(
            &format!("/v1/admin/users?search={search}&limit=100"),
            admin.token(),
        )
        .await;
    let data = reply.ok(200);
    let mut ids: Vec<String> = data["users"]
        .as_array()
        .unwrap_or_else(|| panic!("{search}: {data}"))
        .iter()
        .map(|u| u["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(data["pagination"]["total"], ids.len(), "{search}: {data}");
    ids.sort();
    ids
}

#[apply(backends)]
async fn odd_but_valid_searches_and_unknown_parameters_answer_200(backend: Backend) {
    let (app, admin) = spawn_admin_app(backend).await;
    // `user_<hex>`: each holds an underscore; the first admin `root` none.
    let mut with_underscore = vec![app.verified_user().await.id, app.verified_user().await.id];
    with_underscore.sort();
    let hundred_ascii = "x".repeat(100);
    let hundred = "é".repeat(100);
    let nothing: [&str; 11] = [
        "%25",
        "%25%25",
        "%5C",
        "%5C%25",
        "%27",
        "%27%20OR%201%3D1%20--",
        "%22%3B%20DROP%20TABLE%20users%3B%20--",
        "%E6%9D%B1%E4%BA%AC",
        "%F0%9F%98%80",
        &hundred_ascii,
        &hundred,
    ];
    for search in nothing {
        assert_eq!(
            found(&app, &admin, search).await,
            Vec::<String>::new(),
            "{search}"
        );
    }
    // `_` is an underscore, not "any one character".
    assert_eq!(found(&app, &admin, "_").await, with_underscore);
    assert_eq!(found(&app, &admin, "r_").await, with_underscore);
    assert_eq!(found(&app, &admin, "r__").await, Vec::<String>::new());
    assert_eq!(found(&app, &admin, "ro_t").await, Vec::<String>::new());
    assert_eq!(found(&app, &admin, "ROOT").await, [admin.id().to_owned()]);
    for query in ["_=1701426600&utm_source=x", "Page=abc"] {
        let reply = app
            .get_authed(&format!("/v1/admin/users?{query}"), admin.token())
            .await;
        assert_eq!(reply.ok(200)["pagination"]["total"], 3, "{query}");
    }
}
