//! Status changes by an administrator: suspension shuts the account out at once and
//! reactivation lets it back in; deletion is final; `pending` and `emailVerified`.

use crate::helpers::{Backend, backends};
use crate::helpers::{
    MailKind, NEW_PASSWORD, TestUser, assert_access_revoked, assert_refresh_dead, next_second,
    spawn_admin_app,
};
use rstest_reuse::apply;
use serde_json::json;

fn wrong_password(user: &TestUser) -> serde_json::Value {
    json!({"email": user.email, "password": "Wr0ng-Password!x"})
}

#[apply(backends)]
async fn a_suspended_account_is_shut_out_at_once_and_reactivation_lets_it_back(backend: Backend) {
    let (app, admin) = spawn_admin_app(backend).await;
    let user = app.verified_user().await;
    let login = app.login(&user).await;
    app.forgot_password(&user.email).await.ok(200);
    let reset = app
        .token_from_mail(MailKind::PasswordReset, &user.email)
        .await;

    let suspended = app.set_status(admin.token(), &user.id, "suspended").await;
    assert_eq!(suspended.ok(200)["status"], "suspended");

    assert_access_revoked(&app, &login.access_token).await;
    assert_refresh_dead(&app, &login.refresh_token).await;
    app.login_reply(&user.credentials())
        .await
        .error(403, "ACCOUNT_SUSPENDED");
    app.login_reply(&wrong_password(&user))
        .await
        .error(401, "INVALID_CREDENTIALS");
    app.reset_password(&reset, NEW_PASSWORD)
        .await
        .error(404, "INVALID_TOKEN");
    let seen = app.admin_user(admin.token(), &user.id).await;
    assert_eq!(seen["activeSessions"], 0);
    assert_eq!(seen["status"], "suspended");

    let reactivated = app.set_status(admin.token(), &user.id, "active").await;
    assert_eq!(reactivated.ok(200)["status"], "active");
    // Token times are whole seconds, so the suspension cut off every token of its second:
    // sign in with one of the next. The voided link changed nothing: the old password works.
    next_second().await;
    let again = app.login(&user).await;
    app.me(&again.access_token).await.ok(200);
    // The old session stays dead.
    assert_refresh_dead(&app, &login.refresh_token).await;
}

#[apply(backends)]
async fn a_deleted_account_is_final(backend: Backend) {
    let (app, admin) = spawn_admin_app(backend).await;
    let user = app.verified_user().await;
    let login = app.login(&user).await;

    let deleted = app.set_status(admin.token(), &user.id, "deleted").await;
    assert_eq!(deleted.ok(200)["status"], "deleted");
    assert_access_revoked(&app, &login.access_token).await;
    assert_refresh_dead(&app, &login.refresh_token).await;
    // As docs/decisions.md says: after the right password, 403 ACCOUNT_DELETED.
    app.login_reply(&user.credentials())
        .await
        .error(403, "ACCOUNT_DELETED");

    for body in [
        json!({"status": "active"}),
        json!({"status": "suspended"}),
        json!({"status": "deleted"}),
        json!({"firstName": "Lazarus"}),
        json!({"roles": ["moderator"]}),
        json!({"emailVerified": true}),
    ] {
        app.admin_put(admin.token(), &user.id, &body)
            .await
            .error(409, "ACCOUNT_DELETED");
    }
    app.admin_action(admin.token(), &user.id, "unlock")
        .await
        .error(409, "ACCOUNT_DELETED");
    app.admin_action(admin.token(), &user.id, "password-reset")
        .await
        .error(409, "ACCOUNT_DELETED");
    let seen = app.admin_user(admin.token(), &user.id).await;
    assert_eq!(seen["status"], "deleted");
    assert_eq!(seen["firstName"], "Ada");
    assert_eq!(seen["roles"], json!(["user"]));
}

#[apply(backends)]
async fn pending_is_only_for_a_pending_account_and_verifying_it_makes_it_active(backend: Backend) {
    let (app, admin) = spawn_admin_app(backend).await;
    let active = app.verified_user().await;
    let pending = app.registered_user().await;

    let refused = app.set_status(admin.token(), &active.id, "pending").await;
    assert!(
        refused
            .validation_details()
            .iter()
            .any(|(field, _)| field == "status"),
        "{refused:#?}"
    );
    assert_eq!(
        app.admin_user(admin.token(), &active.id).await["status"],
        "active"
    );
    app.set_status(admin.token(), &pending.id, "pending")
        .await
        .ok(200);
    for status in ["banned", "Active", ""] {
        let reply = app.set_status(admin.token(), &active.id, status).await;
        assert!(
            reply
                .validation_details()
                .iter()
                .any(|(field, _)| field == "status"),
            "{status}: {reply:#?}"
        );
    }

    let verified = app
        .admin_put(admin.token(), &pending.id, &json!({"emailVerified": true}))
        .await;
    assert_eq!(verified.ok(200)["status"], "active");
    app.login(&pending).await;
}

#[apply(backends)]
async fn a_profile_change_sets_and_clears_fields_and_leaves_absent_ones(backend: Backend) {
    let (app, admin) = spawn_admin_app(backend).await;
    let user = app.verified_user().await;
    let login = app.login(&user).await;

    let changed = app
        .admin_put(
            admin.token(),
            &user.id,
            &json!({"firstName": "Grace", "phone": "+14155550100"}),
        )
        .await;
    let data = changed.ok(200);
    assert_eq!(data["firstName"], "Grace");
    assert_eq!(data["lastName"], "Lovelace");
    let cleared = app
        .admin_put(admin.token(), &user.id, &json!({"lastName": null}))
        .await;
    assert_eq!(cleared.ok(200)["lastName"], serde_json::Value::Null);
    let seen = app.admin_user(admin.token(), &user.id).await;
    assert_eq!(seen["phone"], "+14155550100");
    assert_eq!(seen["firstName"], "Grace");
    // A profile change is no reason to cut the account off.
    app.me(&login.access_token).await.ok(200);
}
