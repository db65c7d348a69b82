//! Every `sort` of `GET /v1/admin/users` puts the accounts in its order: creation time, email,
//! username, last login (never-logged-in accounts last newest first, first oldest first), and
//! each descending order is the exact reverse of its ascending one.

use crate::helpers::{Backend, backends};
use crate::helpers::{MailKind, Member, PASSWORD, TestApp, TestUser, spawn_admin_app};
use rstest_reuse::apply;
use std::time::Duration;

/// Six accounts in creation order: (username initial, email initial). The three orders differ.
const NAMES: [(char, char); 6] = [
    ('d', 'c'),
    ('a', 'f'),
    ('f', 'a'),
    ('c', 'e'),
    ('e', 'b'),
    ('b', 'd'),
];
/// Which of them log in, in this order (the others never do).
const LOGINS: [usize; 3] = [3, 1, 4];

/// A verified account with these names; its credentials with its id.
async fn verified_as(app: &TestApp, username: String, email: String) -> TestUser {
    let mut user = TestUser {
        id: String::new(),
        email,
        username,
        password: PASSWORD.to_owned(),
    };
    let reply = app.register(&user.registration_body()).await;
    user.id = reply.ok(201)["userId"].as_str().expect("userId").to_owned();
    let token = app
        .token_from_mail(MailKind::Verification, &user.email)
        .await;
    app.verify_email(&token).await.ok(200);
    user
}

async fn ids_sorted(app: &TestApp, admin: &Member, tag: &str, sort: Option<&str>) -> Vec<String> {
    let sort = sort.map(|s| format!("&sort={s}")).unwrap_or_default();
    let reply = app
        .admin_get(
            admin.token(),
            &format!("/v1/admin/users?search={tag}{sort}"),
        )
        .await;
    reply.ok(200)["users"]
        .as_array()
        .unwrap_or_else(|| panic!("users: {reply:#?}"))
        .iter()
        .map(|u| u["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The ids of `users` ordered by `key`.
fn by<K: Ord>(users: &[TestUser], key: impl Fn(usize) -> K) -> Vec<String> {
    let mut order: Vec<usize> = (0..users.len()).collect();
    order.sort_by_key(|i| key(*i));
    order.into_iter().map(|i| users[i].id.clone()).collect()
}

fn reversed(mut ids: Vec<String>) -> Vec<String> {
    ids.reverse();
    ids
}

#[apply(backends)]
async fn every_sort_orders_the_accounts_and_descending_reverses_ascending(backend: Backend) {
    let (app, admin) = spawn_admin_app(backend).await;
    let tag = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    let mut users = Vec::new();
    for (name, mail) in NAMES {
        let user = verified_as(
            &app,
            format!("{name}{tag}"),
            format!("{mail}{tag}@example.com"),
        )
        .await;
        users.push(user);
        // Distinct creation times, whatever the clock's resolution.
        tokio::time::sleep(Duration::from_millis(15)).await;
    }
    for i in LOGINS {
        app.login(&users[i]).await;
        tokio::time::sleep(Duration::from_millis(15)).await;
    }
    app.verified_user().await; // created last, but no match for the search

    let created = by(&users, |i| i);
    let emails = by(&users, |i| NAMES[i].1);
    let usernames = by(&users, |i| NAMES[i].0);
    let never: Vec<String> = {
        let mut ids: Vec<String> = (0..users.len())
            .filter(|i| !LOGINS.contains(i))
            .map(|i| users[i].id.clone())
            .collect();
        ids.sort();
        ids
    };
    let logged_in: Vec<String> = LOGINS.iter().map(|i| users[*i].id.clone()).collect();
    let last_login = [never, logged_in].concat();

    for (sort, expected) in [
        (None, reversed(created.clone())),
        (Some("-createdAt"), reversed(created.clone())),
        (Some("createdAt"), created),
        (Some("email"), emails.clone()),
        (Some("-email"), reversed(emails)),
        (Some("username"), usernames.clone()),
        (Some("-username"), reversed(usernames)),
        (Some("lastLogin"), last_login.clone()),
        (Some("-lastLogin"), reversed(last_login)),
    ] {
        // Accounts that never logged in tie on `lastLogin`: ties go by id, in the sort's direction.
        let got = ids_sorted(&app, &admin, &tag, sort).await;
        assert_eq!(got, expected, "sort={sort:?}");
    }
    for (ascending, descending) in [
        ("createdAt", "-createdAt"),
        ("email", "-email"),
        ("username", "-username"),
        ("lastLogin", "-lastLogin"),
    ] {
        let up = ids_sorted(&app, &admin, &tag, Some(ascending)).await;
        let down = ids_sorted(&app, &admin, &tag, Some(descending)).await;
        assert_eq!(up.len(), NAMES.len());
        assert_eq!(reversed(up), down, "{descending} reverses {ascending}");
    }
}
