//! Role changes through the admin API take effect at once; registration may ask only for a
//! self-assignable role.

use crate::helpers::{Backend, backends};
use crate::helpers::{MailKind, TestApp, TestUser, roles_in, spawn_admin_app, spawn_app_with};
use rstest_reuse::apply;
use serde_json::{Value, json};
use std::time::Duration;

#[apply(backends)]
async fn a_role_change_cuts_off_the_old_token_and_the_next_refresh_carries_the_new_roles(
    backend: Backend,
) {
    let (app, admin) = spawn_admin_app(backend).await;
    let member = app.member_with_roles(&admin, &["user"]).await;
    app.get_authed("/v1/admin/users", member.token())
        .await
        .error(403, "INSUFFICIENT_PERMISSIONS");

    let changed = app
        .admin_put(
            admin.token(),
            member.id(),
            &json!({"roles": ["user", "moderator"]}),
        )
        .await;
    assert_eq!(changed.ok(200)["roles"], json!(["user", "moderator"]));

    crate::helpers::assert_access_revoked(&app, member.token()).await;
    // Token times are whole seconds: a token of the next second is past the cut-off.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let refreshed = app.refresh(&member.login.refresh_token).await;
    let access = refreshed.ok(200)["accessToken"]
        .as_str()
        .expect("accessToken")
        .to_owned();
    let mut roles = roles_in(&access);
    roles.sort();
    assert_eq!(roles, ["moderator", "user"]);
    app.get_authed("/v1/admin/users", &access).await.ok(200);
    app.me(&access).await.ok(200);
}

#[apply(backends)]
async fn roles_must_be_configured_and_not_empty(backend: Backend) {
    let (app, admin) = spawn_admin_app(backend).await;
    let user = app.verified_user().await;
    let before = app.login(&user).await;

    for roles in [json!(["wizard"]), json!(["user", "Admin"]), json!([])] {
        let reply = app
            .admin_put(admin.token(), &user.id, &json!({ "roles": roles }))
            .await;
        let details = reply.validation_details();
        assert!(
            details.iter().any(|(field, _)| field == "roles"),
            "{roles}: {details:?}"
        );
    }
    let unknown = app
        .admin_put(admin.token(), &user.id, &json!({"roles": ["wizard"]}))
        .await;
    assert!(
        unknown
            .validation_details()
            .contains(&("roles".to_owned(), "UNKNOWN_ROLE".to_owned()))
    );
    assert_eq!(
        app.admin_user(admin.token(), &user.id).await["roles"],
        json!(["user"])
    );
    // Nothing changed, so nothing was cut off.
    app.me(&before.access_token).await.ok(200);
}

fn asking_for(user: &TestUser, role: &str) -> Value {
    let mut body = user.registration_body();
    body["role"] = json!(role);
    body
}

#[apply(backends)]
async fn a_registration_asking_for_a_role_it_may_not_pick_creates_nothing(backend: Backend) {
    let (app, admin) = spawn_admin_app(backend).await;
    let user = TestUser::random();

    for role in ["moderator", "admin", "wizard", "User"] {
        let reply = app.register(&asking_for(&user, role)).await;
        assert_eq!(
            reply.validation_details(),
            [("role".to_owned(), "ROLE_NOT_ALLOWED".to_owned())],
            "{role}"
        );
    }
    let search = format!("/v1/admin/users?search={}", user.username);
    let found = app.admin_get(admin.token(), &search).await;
    assert_eq!(found.ok(200)["pagination"]["total"], 0);
    app.assert_mail_count(MailKind::Verification, &user.email, 0)
        .await;

    // The same email and username are free: the default role, as always.
    app.register(&asking_for(&user, "user")).await.ok(201);
    let token = app
        .token_from_mail(MailKind::Verification, &user.email)
        .await;
    app.verify_email(&token).await.ok(200);
    assert_eq!(roles_in(&app.login(&user).await.access_token), ["user"]);
}

#[apply(backends)]
async fn a_self_assignable_role_asked_for_at_registration_is_in_the_token(backend: Backend) {
    let app: TestApp = spawn_app_with(
        backend,
        &[
            (
                "ROLE_PERMISSIONS",
                "Customer=users.read;HotelPartner=users.read;Admin=*",
            ),
            ("DEFAULT_ROLE", "Customer"),
            ("SELF_ASSIGNABLE_ROLES", "Customer,HotelPartner"),
        ],
    )
    .await;
    let partner = TestUser::random();
    app.register(&asking_for(&partner, "HotelPartner"))
        .await
        .ok(201);
    let token = app
        .token_from_mail(MailKind::Verification, &partner.email)
        .await;
    app.verify_email(&token).await.ok(200);

    let login = app.login(&partner).await;
    assert_eq!(roles_in(&login.access_token), ["HotelPartner"]);

    let plain = app.verified_user().await;
    assert_eq!(
        roles_in(&app.login(&plain).await.access_token),
        ["Customer"]
    );
    app.register(&asking_for(&TestUser::random(), "Admin"))
        .await
        .validation_details();
}
