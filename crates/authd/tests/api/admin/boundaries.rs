//! Each permission alone, route by route: a role granting one permission reaches exactly the
//! routes that ask for it (and `/v1/users/me` only with `users.read`); `roles` in a change needs
//! `admin.roles.write` on top of `admin.users.write`, and so does the status of an admin.

use crate::helpers::{Backend, backends};
use crate::helpers::{Member, Reply, TestApp, spawn_admin_app_with};
use rstest_reuse::apply;
use serde_json::json;

/// The default roles (so that the first admin exists), one role per permission, and the two
/// combinations the tests need.
const SINGLES: &str = "user=users.read;moderator=users.read,admin.users.read,audit.read;admin=*;\
    only_users_read=users.read;only_admin_users_read=admin.users.read;\
    only_admin_users_write=admin.users.write;only_admin_roles_write=admin.roles.write;\
    only_admin_sessions_write=admin.sessions.write;only_audit_read=audit.read;\
    users_and_roles_write=admin.users.write,admin.roles.write;\
    ops=admin.users.read,admin.users.write";

/// Every route that asks for a permission, by name. `put` changes the first name only,
/// `put-roles` changes the roles only.
const ROUTES: [&str; 9] = [
    "me",
    "list",
    "get",
    "put",
    "put-roles",
    "unlock",
    "sessions",
    "password-reset",
    "audit",
];

async fn call(app: &TestApp, token: &str, route: &str, target: &str) -> Reply {
    let user = format!("/v1/admin/users/{target}");
    let request = match route {
        "me" => app.client.get(app.url("/v1/users/me")),
        "list" => app.client.get(app.url("/v1/admin/users")),
        "get" => app.client.get(app.url(&user)),
        "put" => app
            .client
            .put(app.url(&user))
            .json(&json!({"firstName": "Grace"})),
        "put-roles" => app
            .client
            .put(app.url(&user))
            .json(&json!({"roles": ["moderator"]})),
        "unlock" => app.client.post(app.url(&format!("{user}/unlock"))),
        "sessions" => app.client.delete(app.url(&format!("{user}/sessions"))),
        "password-reset" => app.client.post(app.url(&format!("{user}/password-reset"))),
        "audit" => app.client.get(app.url("/v1/admin/audit-events")),
        other => panic!("no route {other}"),
    };
    app.send(request.bearer_auth(token)).await
}

#[apply(backends)]
async fn each_permission_alone_opens_exactly_its_routes(backend: Backend) {
    let (app, admin) = spawn_admin_app_with(backend, &[("ROLE_PERMISSIONS", SINGLES)]).await;
    let table: [(&str, &[&str]); 7] = [
        ("only_users_read", &["me"]),
        ("only_admin_users_read", &["list", "get"]),
        (
            "only_admin_users_write",
            &["put", "unlock", "password-reset"],
        ),
        // `roles` is a part of the change route, which asks for admin.users.write first.
        ("only_admin_roles_write", &[]),
        ("only_admin_sessions_write", &["sessions"]),
        ("only_audit_read", &["audit"]),
        (
            "users_and_roles_write",
            &["put", "put-roles", "unlock", "password-reset"],
        ),
    ];

    for (role, allowed) in table {
        let member = app.member_with_roles(&admin, &[role]).await;
        let target = app.verified_user().await;
        for route in ROUTES {
            let reply = call(&app, member.token(), route, &target.id).await;
            if allowed.contains(&route) {
                assert_eq!(reply.status, 200, "{route} as {role}: {reply:#?}");
            } else {
                assert_eq!(reply.status, 403, "{route} as {role}: {reply:#?}");
                reply.error(403, "INSUFFICIENT_PERMISSIONS");
            }
        }
        // What a refused change left alone, and what an allowed one did.
        let seen = app.admin_user(admin.token(), &target.id).await;
        let named = if allowed.contains(&"put") {
            "Grace"
        } else {
            "Ada"
        };
        assert_eq!(seen["firstName"], named, "as {role}: {seen}");
        let roles = if allowed.contains(&"put-roles") {
            json!(["moderator"])
        } else {
            json!(["user"])
        };
        assert_eq!(seen["roles"], roles, "as {role}: {seen}");
    }
}

/// A second administrator (signed in), made by the first.
async fn second_admin(app: &TestApp, admin: &Member) -> Member {
    app.member_with_roles(admin, &["admin"]).await
}

#[apply(backends)]
async fn the_status_of_an_admin_needs_admin_roles_write_too(backend: Backend) {
    let (app, admin) = spawn_admin_app_with(backend, &[("ROLE_PERMISSIONS", SINGLES)]).await;
    let ops = app.member_with_roles(&admin, &["ops"]).await;
    let other = second_admin(&app, &admin).await;
    let user = app.verified_user().await;

    app.set_status(ops.token(), &user.id, "suspended")
        .await
        .ok(200);
    app.login_reply(&user.credentials())
        .await
        .error(403, "ACCOUNT_SUSPENDED");

    for (target, status) in [
        (&admin, "suspended"),
        (&other, "suspended"),
        (&other, "deleted"),
    ] {
        app.set_status(ops.token(), target.id(), status)
            .await
            .error(403, "INSUFFICIENT_PERMISSIONS");
        let seen = app.admin_user(admin.token(), target.id()).await;
        assert_eq!(seen["status"], "active", "{seen}");
    }
    // The admins were left alone: both still sign in and reach the admin routes.
    for member in [&admin, &other] {
        let again = app.login(&member.user).await;
        app.get_authed("/v1/admin/users", &again.access_token)
            .await
            .ok(200);
    }
    // Nor can ops bring back an admin another admin suspended.
    app.set_status(admin.token(), other.id(), "suspended")
        .await
        .ok(200);
    app.set_status(ops.token(), other.id(), "active")
        .await
        .error(403, "INSUFFICIENT_PERMISSIONS");
    app.login_reply(&other.user.credentials())
        .await
        .error(403, "ACCOUNT_SUSPENDED");
    // Its other fields are ops's to change.
    app.admin_put(ops.token(), admin.id(), &json!({"firstName": "Root"}))
        .await
        .ok(200);
}
