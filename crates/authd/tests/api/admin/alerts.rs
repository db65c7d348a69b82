//! Sign-in alerts (a login from a device the account had not used: an audit event and a
//! "New sign-in" mail) and credential stuffing (failed logins against many accounts from one
//! address: one audit event per address and window).

use crate::helpers::{Backend, backends};
use crate::helpers::{
    CHROME_ON_WINDOWS, MailKind, Member, TestApp, TestUser, header, spawn_admin_app_with, types,
};
use rstest_reuse::apply;
use serde_json::json;

pub const FIREFOX_ON_LINUX: &str =
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";

async fn login_as(app: &TestApp, user: &TestUser, user_agent: &str) {
    app.login_with(&app.client, user, header("user-agent", user_agent))
        .await;
}

/// The account's `new_device_login` events, once there are `expected` of them or 10 s passed:
/// on PostgreSQL the audit trail is written in batches after the login answers.
async fn new_device_events(
    app: &TestApp,
    admin: &Member,
    user: &TestUser,
    expected: usize,
) -> usize {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let data = app
            .audit_events(
                admin.token(),
                &format!("userId={}&type=new_device_login", user.id),
            )
            .await;
        let found = types(&data["events"]).len();
        if found >= expected || std::time::Instant::now() > deadline {
            return found;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[apply(backends)]
async fn a_login_from_a_new_device_mails_the_holder_once(backend: Backend) {
    let (app, admin) = spawn_admin_app_with(backend, &[]).await;
    let user = app.verified_user().await;

    login_as(&app, &user, CHROME_ON_WINDOWS).await;
    login_as(&app, &user, CHROME_ON_WINDOWS).await;
    app.assert_mail_count(MailKind::NewSignIn, &user.email, 0)
        .await;
    assert_eq!(new_device_events(&app, &admin, &user, 0).await, 0);

    let firefox = app
        .login_with(&app.client, &user, header("user-agent", FIREFOX_ON_LINUX))
        .await;
    let mail = app.wait_for_mail(MailKind::NewSignIn, &user.email).await;
    assert_eq!(mail.subject, "New sign-in to your account");
    assert!(mail.text.contains("Firefox"), "{}", mail.text);
    assert!(mail.text.contains("Linux"), "{}", mail.text);
    assert!(mail.text.contains("127.0.0.1"), "{}", mail.text);
    assert_eq!(new_device_events(&app, &admin, &user, 1).await, 1);
    let own = app
        .send(
            app.client
                .get(app.url("/v1/users/me/activity"))
                .bearer_auth(&firefox.access_token),
        )
        .await;
    let kinds = types(&own.ok(200)["events"]);
    assert!(kinds.contains(&"new_device_login".to_owned()), "{kinds:?}");

    // Both devices are known now.
    login_as(&app, &user, FIREFOX_ON_LINUX).await;
    login_as(&app, &user, CHROME_ON_WINDOWS).await;
    app.assert_mail_count(MailKind::NewSignIn, &user.email, 1)
        .await;
    assert_eq!(new_device_events(&app, &admin, &user, 1).await, 1);
}

#[apply(backends)]
async fn with_alerts_off_a_new_device_is_audited_but_not_mailed(backend: Backend) {
    let (app, admin) = spawn_admin_app_with(backend, &[("NEW_DEVICE_ALERTS", "false")]).await;
    let user = app.verified_user().await;

    login_as(&app, &user, CHROME_ON_WINDOWS).await;
    login_as(&app, &user, FIREFOX_ON_LINUX).await;

    assert_eq!(new_device_events(&app, &admin, &user, 1).await, 1);
    app.assert_mail_count(MailKind::NewSignIn, &user.email, 0)
        .await;
}

/// A failed login for `email`, forwarded by the trusted proxy on behalf of `client`.
async fn failed_login_from(app: &TestApp, client: &str, email: &str) {
    let reply = app
        .send(
            app.client
                .post(app.url("/v1/auth/login"))
                .header("X-Forwarded-For", client)
                .json(&json!({"email": email, "password": "Wr0ng-Password!x"})),
        )
        .await;
    reply.error(401, "INVALID_CREDENTIALS");
}

#[apply(backends)]
async fn failures_against_many_accounts_from_one_address_are_reported_once(backend: Backend) {
    let (app, admin) = spawn_admin_app_with(
        backend,
        &[
            ("STUFFING_THRESHOLD", "3"),
            ("RATE_LIMIT_ENABLED", "true"),
            ("RATE_LIMIT_MAX", "1000"),
            ("AUTH_RATE_LIMIT_MAX", "1000"),
            ("TRUSTED_PROXIES", "127.0.0.1"),
        ],
    )
    .await;
    let real = app.verified_user().await;
    let forgetful = app.verified_user().await;

    // The stuffer: a real account and six strangers from one address.
    failed_login_from(&app, "198.51.100.23", &real.email).await;
    for _ in 0..6 {
        failed_login_from(&app, "198.51.100.23", &TestUser::random().email).await;
    }
    // A forgetful user: one account, many tries, from another address.
    for _ in 0..4 {
        failed_login_from(&app, "198.51.100.24", &forgetful.email).await;
    }
    // Two accounts from a third address: under the threshold.
    for _ in 0..2 {
        failed_login_from(&app, "198.51.100.25", &TestUser::random().email).await;
    }

    let data = app
        .audit_events(admin.token(), "type=credential_stuffing_suspected")
        .await;
    assert_eq!(data["pagination"]["total"], 1, "{data}");
    let event = &data["events"][0];
    assert_eq!(event["ipAddress"], "198.51.100.23");
    assert_eq!(event["userId"], serde_json::Value::Null);
    assert_eq!(event["actorId"], serde_json::Value::Null);
    let note = event["note"].as_str().unwrap_or_default();
    assert!(note.contains("3 accounts"), "{note}");
    // The real account's own trail does not carry it.
    let own = app
        .audit_events(admin.token(), &format!("userId={}", real.id))
        .await;
    assert!(!types(&own["events"]).contains(&"credential_stuffing_suspected".to_owned()));
}
