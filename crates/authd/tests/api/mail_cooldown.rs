//! `MAIL_COOLDOWN`: at most one verification or reset mail per recipient per mail kind within
//! the cooldown, whatever the number of requests; every request still answers the same 200.

use crate::helpers::{Backend, Cluster, MailKind, Production, TestApp, backends, spawn_app_with};
use rstest_reuse::apply;
use serde_json::json;
use std::time::Duration;

async fn resend(app: &TestApp, email: &str) -> crate::helpers::Reply {
    app.post_json("/v1/auth/resend-verification", &json!({ "email": email }))
        .await
}

async fn forgot(app: &TestApp, email: &str) -> crate::helpers::Reply {
    app.post_json("/v1/auth/forgot-password", &json!({ "email": email }))
        .await
}

#[apply(backends)]
async fn ten_resends_right_after_registering_send_no_second_verification_mail(backend: Backend) {
    let app = spawn_app_with(backend, &[]).await;
    let user = app.registered_user().await;
    app.wait_for_mail(MailKind::Verification, &user.email).await;

    let first = resend(&app, &user.email).await;
    first.ok(200);
    for _ in 1..10 {
        let reply = resend(&app, &user.email).await;
        assert_eq!((reply.status, &reply.body), (first.status, &first.body));
    }

    // The registration's mail started the cooldown: none of the ten resends sent one.
    app.assert_mail_count(MailKind::Verification, &user.email, 1)
        .await;
}

#[apply(backends)]
async fn five_forgot_password_requests_send_one_reset_mail_until_the_cooldown_ends(
    backend: Backend,
) {
    let app = spawn_app_with(backend, &[("MAIL_COOLDOWN", "2s")]).await;
    let user = app.verified_user().await;

    let first = forgot(&app, &user.email).await;
    first.ok(200);
    for _ in 1..5 {
        let reply = forgot(&app, &user.email).await;
        assert_eq!((reply.status, &reply.body), (first.status, &first.body));
    }
    app.assert_mail_count(MailKind::PasswordReset, &user.email, 1)
        .await;

    tokio::time::sleep(Duration::from_millis(2100)).await;
    forgot(&app, &user.email).await.ok(200);
    app.assert_mail_count(MailKind::PasswordReset, &user.email, 2)
        .await;
}

#[apply(backends)]
async fn a_resend_after_the_cooldown_sends_a_new_verification_mail(backend: Backend) {
    let app = spawn_app_with(backend, &[("MAIL_COOLDOWN", "2s")]).await;
    let user = app.registered_user().await;
    resend(&app, &user.email).await.ok(200);
    app.assert_mail_count(MailKind::Verification, &user.email, 1)
        .await;

    tokio::time::sleep(Duration::from_millis(2100)).await;
    resend(&app, &user.email).await.ok(200);
    resend(&app, &user.email).await.ok(200);
    app.assert_mail_count(MailKind::Verification, &user.email, 2)
        .await;
}

#[apply(backends)]
async fn each_mail_kind_has_its_own_cooldown(backend: Backend) {
    let app = spawn_app_with(backend, &[]).await;
    let user = app.registered_user().await;

    // A pending account may ask for a reset link: the verification cooldown does not stop it.
    forgot(&app, &user.email).await.ok(200);
    forgot(&app, &user.email).await.ok(200);

    app.assert_mail_count(MailKind::PasswordReset, &user.email, 1)
        .await;
    app.assert_mail_count(MailKind::Verification, &user.email, 1)
        .await;
}

#[apply(backends)]
async fn a_zero_cooldown_sends_every_mail(backend: Backend) {
    let app = spawn_app_with(backend, &[("MAIL_COOLDOWN", "0")]).await;
    let user = app.verified_user().await;
    for _ in 0..3 {
        forgot(&app, &user.email).await.ok(200);
    }
    app.assert_mail_count(MailKind::PasswordReset, &user.email, 3)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_share_the_cooldown_through_redis() {
    // The per-IP limits off: only the cooldown may stop these requests' mails.
    let cluster = Cluster::start(
        &Production::shared().await,
        3,
        &[("RATE_LIMIT_ENABLED", "false")],
    )
    .await;
    let user = cluster.nodes[0].verified_user().await;

    for node in &cluster.nodes {
        forgot(node, &user.email).await.ok(200);
        forgot(node, &user.email).await.ok(200);
    }

    cluster.nodes[0]
        .assert_mail_count(MailKind::PasswordReset, &user.email, 1)
        .await;
}
