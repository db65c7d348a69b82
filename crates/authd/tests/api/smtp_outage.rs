//! An SMTP outage delays mail and loses none: the outbox keeps every message in PostgreSQL, the
//! workers of three instances retry with backoff, and the lease on each message means no two
//! instances send the same one.

use crate::helpers::{Cluster, MailKind, Production, Smtp, TestUser};
use authd_testkit::smtp::{SmtpServer, addressed_to};
use std::time::{Duration, Instant};

const USERS: usize = 20;

async fn stop(smtp: &Smtp) {
    let smtp = smtp.clone();
    tokio::task::spawn_blocking(move || smtp.stop())
        .await
        .expect("stop the SMTP server");
}

async fn start(smtp: &Smtp) {
    let smtp = smtp.clone();
    tokio::task::spawn_blocking(move || smtp.start())
        .await
        .expect("start the SMTP server");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_verification_emails_queued_during_an_smtp_outage_all_arrive_once_each() {
    let production = Production::shared()
        .await
        .with_smtp(SmtpServer::start_new().await);
    let cluster = Cluster::start(
        &production,
        3,
        &[
            ("REGISTER_RATE_LIMIT_MAX", "1000"),
            ("OUTBOX_POLL_INTERVAL_MS", "100"),
        ],
    )
    .await;
    let smtp = &production.smtp;
    stop(smtp).await;

    let mut users = Vec::new();
    for _ in 0..USERS {
        let user = TestUser::random();
        cluster
            .next()
            .register(&user.registration_body())
            .await
            .ok(201);
        users.push(user);
    }
    // Long enough for every worker to fail at least once and schedule a retry.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let health = cluster.next().get("/v1/health").await;
    assert_eq!(health.body["services"]["email"], "unhealthy", "{health:#?}");
    assert_eq!(
        health.status, 200,
        "mail alone does not make authd unready: {health:#?}"
    );

    start(smtp).await;

    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let messages = smtp.messages();
        let missing: Vec<&str> = users
            .iter()
            .map(|u| u.email.as_str())
            .filter(|email| !messages.iter().any(|m| addressed_to(m, email)))
            .collect();
        if missing.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{} of {USERS} verification emails still missing 40 s after SMTP came back: {missing:?}",
            missing.len()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // A duplicate would come from a second worker whose retry was already due: wait it out.
    tokio::time::sleep(Duration::from_secs(3)).await;
    for user in &users {
        assert_eq!(
            smtp.count(|m| addressed_to(m, &user.email)),
            1,
            "exactly one email to {}",
            user.email
        );
    }

    let node = cluster.next();
    let token = node
        .token_from_mail(MailKind::Verification, &users[0].email)
        .await;
    node.verify_email(&token).await.ok(200);
    cluster.next().login(&users[0]).await;
}
