//! Who reaches which admin route: the first admin made from the environment, `user`,
//! `moderator`, custom roles from `ROLE_PERMISSIONS`, and no token at all.

use crate::helpers::{Backend, backends};
use crate::helpers::{Member, Reply, TestApp, roles_in, spawn_admin_app, spawn_admin_app_with};
use rstest_reuse::apply;
use serde_json::{Value, json};

/// The admin routes by name; `PUT` changes the first name only.
const ROUTES: [&str; 7] = [
    "list",
    "get",
    "put",
    "unlock",
    "sessions",
    "password-reset",
    "audit",
];

async fn call(app: &TestApp, token: Option<&str>, route: &str, target: &str) -> Reply {
    let user = format!("/v1/admin/users/{target}");
    let request = match route {
        "list" => app.client.get(app.url("/v1/admin/users")),
        "get" => app.client.get(app.url(&user)),
        "put" => app
            .client
            .put(app.url(&user))
            .json(&json!({"firstName": "Grace"})),
        "unlock" => app.client.post(app.url(&format!("{user}/unlock"))),
        "sessions" => app.client.delete(app.url(&format!("{user}/sessions"))),
        "password-reset" => app.client.post(app.url(&format!("{user}/password-reset"))),
        "audit" => app.client.get(app.url("/v1/admin/audit-events")),
        other => panic!("no route {other}"),
    };
    let request = match token {
        Some(token) => request.bearer_auth(token),
        None => request,
    };
    app.send(request).await
}

/// Calls every admin route as `member` and checks which answer 200 and which 403.
async fn assert_reaches(app: &TestApp, member: &Member, allowed: &[&str]) {
    let target = app.verified_user().await;
    for route in ROUTES {
        let reply = call(app, Some(member.token()), route, &target.id).await;
        if allowed.contains(&route) {
            assert_eq!(
                reply.status,
                200,
                "{route} as {:?}: {reply:#?}",
                roles_in(member.token())
            );
        } else {
            reply.error(403, "INSUFFICIENT_PERMISSIONS");
        }
    }
    let first_name = &app.admin_user_as_root(&target.id).await["firstName"];
    let changed = allowed.contains(&"put");
    assert_eq!(first_name, if changed { "Grace" } else { "Ada" });
}

impl TestApp {
    /// The account as the first admin sees it, whoever else is signed in.
    async fn admin_user_as_root(&self, id: &str) -> Value {
        let root = self.sign_in(crate::helpers::bootstrap_admin()).await;
        self.admin_user(root.token(), id).await
    }
}

#[apply(backends)]
async fn the_first_admin_from_the_environment_signs_in_as_admin_and_reaches_every_route(
    backend: Backend,
) {
    let (app, admin) = spawn_admin_app(backend).await;

    assert_eq!(roles_in(admin.token()), ["admin"]);
    let me = app.me(admin.token()).await;
    assert_eq!(me.ok(200)["emailVerified"], true);
    assert_reaches(&app, &admin, &ROUTES).await;
}

#[apply(backends)]
async fn a_user_gets_insufficient_permissions_on_every_admin_route(backend: Backend) {
    let (app, admin) = spawn_admin_app(backend).await;
    let user = app.member_with_roles(&admin, &["user"]).await;

    assert_reaches(&app, &user, &[]).await;
}

#[apply(backends)]
async fn a_moderator_reads_accounts_and_the_audit_trail_and_changes_nothing(backend: Backend) {
    let (app, admin) = spawn_admin_app(backend).await;
    let moderator = app.member_with_roles(&admin, &["moderator"]).await;

    assert_reaches(&app, &moderator, &["list", "get", "audit"]).await;
}

#[apply(backends)]
async fn without_a_token_every_admin_route_answers_401(backend: Backend) {
    let (app, _admin) = spawn_admin_app(backend).await;
    let target = app.verified_user().await;

    for route in ROUTES {
        call(&app, None, route, &target.id)
            .await
            .error(401, "MISSING_AUTH_HEADER");
    }
}

const CUSTOM: &str = "user=users.read;moderator=users.read,admin.users.read,audit.read;admin=*;\
    support=users.read,admin.users.read,admin.users.write,admin.sessions.write;nobody=";

#[apply(backends)]
async fn a_custom_role_gets_what_role_permissions_grants_it_and_no_more(backend: Backend) {
    let (app, admin) = spawn_admin_app_with(backend, &[("ROLE_PERMISSIONS", CUSTOM)]).await;
    let support = app.member_with_roles(&admin, &["support"]).await;

    assert_reaches(
        &app,
        &support,
        &["list", "get", "put", "unlock", "sessions", "password-reset"],
    )
    .await;

    // `roles` needs admin.roles.write, which support lacks: refused, and nothing changed.
    let target = app.verified_user().await;
    app.admin_put(
        support.token(),
        &target.id,
        &json!({"firstName": "Eve", "roles": ["admin"]}),
    )
    .await
    .error(403, "INSUFFICIENT_PERMISSIONS");
    let seen = app.admin_user(admin.token(), &target.id).await;
    assert_eq!(seen["roles"], json!(["user"]));
    assert_eq!(seen["firstName"], "Ada");
}

#[apply(backends)]
async fn a_role_granting_nothing_can_still_log_out_but_not_read_its_own_account(backend: Backend) {
    let (app, admin) = spawn_admin_app_with(backend, &[("ROLE_PERMISSIONS", CUSTOM)]).await;
    let nobody = app.member_with_roles(&admin, &["nobody"]).await;

    app.me(nobody.token())
        .await
        .error(403, "INSUFFICIENT_PERMISSIONS");
    app.get_authed("/v1/admin/users", nobody.token())
        .await
        .error(403, "INSUFFICIENT_PERMISSIONS");
    let elsewhere = app.login(&nobody.user).await;
    app.logout(nobody.token(), &json!({})).await.ok(200);
    crate::helpers::assert_refresh_dead(&app, &nobody.login.refresh_token).await;
    // Ending every session needs no permission either.
    let here = app.login(&nobody.user).await;
    app.logout(&here.access_token, &json!({"logoutAllDevices": true}))
        .await
        .ok(200);
    crate::helpers::assert_refresh_dead(&app, &elsewhere.refresh_token).await;
}
