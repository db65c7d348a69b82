//! `BOOTSTRAP_ADMIN_*` beyond the default roles: the first admin under a role configuration
//! without `admin`, and an account that already holds the bootstrap email (verified: promoted;
//! unverified: start-up stops in one line).

use crate::admin_cli::{authd, stderr};
use crate::helpers::{Backend, backends};
use crate::helpers::{
    MFA_ENCRYPTION_KEY, MailKind, NEW_PASSWORD, PASSWORD, TestUser, fresh_database, next_second,
    roles_in, spawn_admin_app_with, spawn_app_on,
};
use rstest_reuse::apply;
use serde_json::json;

#[apply(backends)]
async fn without_an_admin_role_the_first_admin_gets_the_role_granting_everything(backend: Backend) {
    let (app, admin) = spawn_admin_app_with(
        backend,
        &[
            ("ROLE_PERMISSIONS", "owner=*;user=users.read"),
            ("DEFAULT_ROLE", "user"),
        ],
    )
    .await;

    assert_eq!(roles_in(admin.token()), ["owner"]);
    for path in ["/v1/admin/users", "/v1/admin/audit-events"] {
        app.get_authed(path, admin.token()).await.ok(200);
    }
    let seen = app.admin_user(admin.token(), admin.id()).await;
    assert_eq!(seen["roles"], json!(["owner"]));
    assert_eq!(seen["status"], "active");
    assert_eq!(seen["emailVerified"], true);
    // `owner` is what makes an admin here: the last one cannot go.
    app.set_status(admin.token(), admin.id(), "suspended")
        .await
        .error(409, "LAST_ADMIN");
    app.admin_put(admin.token(), admin.id(), &json!({"roles": ["user"]}))
        .await
        .error(409, "LAST_ADMIN");
    app.me(admin.token()).await.ok(200);
    // A newcomer gets the default role, not the admin's.
    let user = app.member_with_roles(&admin, &["user"]).await;
    assert_eq!(roles_in(user.token()), ["user"]);
}

const EMAIL: &str = "chief@example.com";

fn chief() -> TestUser {
    TestUser {
        id: String::new(),
        email: EMAIL.to_owned(),
        username: "chief".to_owned(),
        password: PASSWORD.to_owned(),
    }
}

/// The variables naming `chief@example.com` with a password of its own ([`NEW_PASSWORD`]).
const BOOTSTRAP_CHIEF: [(&str, &str); 3] = [
    ("BOOTSTRAP_ADMIN_EMAIL", EMAIL),
    ("BOOTSTRAP_ADMIN_PASSWORD", NEW_PASSWORD),
    ("BOOTSTRAP_ADMIN_USERNAME", "boss"),
];

/// Registers [`chief`] on a fresh database, verifies it when `verified`, and stops the app;
/// the database's URL and the mailed verification token.
async fn database_with_chief(verified: bool) -> (String, String) {
    let url = fresh_database().await;
    let app = spawn_app_on(Some(url.clone()), &[]).await;
    app.register(&chief().registration_body()).await.ok(201);
    let token = app.token_from_mail(MailKind::Verification, EMAIL).await;
    if verified {
        app.verify_email(&token).await.ok(200);
    }
    app.stop().await;
    (url, token)
}

#[tokio::test]
async fn a_verified_account_with_the_bootstrap_email_is_promoted_keeping_its_password() {
    let (url, _) = database_with_chief(true).await;

    let app = spawn_app_on(Some(url), &BOOTSTRAP_CHIEF).await;
    // The promotion cut off the account's earlier tokens, up to the end of its second.
    next_second().await;

    let login = app.login(&chief()).await;
    let mut roles = roles_in(&login.access_token);
    roles.sort();
    assert_eq!(roles, ["admin", "user"]);
    app.get_authed("/v1/admin/users", &login.access_token)
        .await
        .ok(200);
    let me = app.me(&login.access_token).await;
    assert_eq!(me.ok(200)["username"], "chief", "no new account: {me:#?}");
    // The bootstrap password did not replace the account's own.
    let with_bootstrap_password = json!({"email": EMAIL, "password": NEW_PASSWORD});
    app.login_reply(&with_bootstrap_password)
        .await
        .error(401, "INVALID_CREDENTIALS");
    let listed = app
        .get_authed("/v1/admin/users?search=chief", &login.access_token)
        .await;
    assert_eq!(listed.ok(200)["pagination"]["total"], 1, "{listed:#?}");
}

#[tokio::test]
async fn an_unverified_account_with_the_bootstrap_email_stops_start_up_in_one_line() {
    let (url, token) = database_with_chief(false).await;

    let mut vars = BOOTSTRAP_CHIEF.to_vec();
    vars.extend([
        ("PORT", "0"),
        ("DATABASE_URL", url.as_str()),
        ("MFA_ENCRYPTION_KEY", MFA_ENCRYPTION_KEY),
    ]);
    let output = authd(&["serve"], &vars, "").await;

    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let said = stderr(&output);
    let lines: Vec<&str> = said
        .lines()
        .filter(|l| l.contains("start-up failed"))
        .collect();
    assert_eq!(lines.len(), 1, "{said}");
    assert!(lines[0].contains("BOOTSTRAP_ADMIN_EMAIL"), "{said}");
    assert!(!said.contains(NEW_PASSWORD), "the password leaked: {said}");

    // Nothing was made of it: once verified by its owner, the account is an ordinary one.
    let app = spawn_app_on(Some(url), &[]).await;
    app.verify_email(&token).await.ok(200);
    let login = app.login(&chief()).await;
    assert_eq!(roles_in(&login.access_token), ["user"]);
}
