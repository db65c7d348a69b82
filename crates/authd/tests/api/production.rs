//! The production setup in one instance: PostgreSQL, Redis and a real SMTP server. Mail arrives
//! at the SMTP server and its link works; `/v1/health` checks each service for real; the per-IP
//! limits answer 429 with `Retry-After` once spent.

use crate::helpers::{
    Backend, MailKind, Production, Reply, TestApp, TestUser, header, spawn_app_with,
    spawn_production_app,
};
use authd_testkit::smtp::{ServerOptions, ServerTls, SmtpServer, addressed_to};
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn the_verification_link_in_the_mail_delivered_over_smtp_verifies_the_account() {
    let app = spawn_production_app(&[]).await;
    let user = app.registered_user().await;

    let smtp = app
        .smtp
        .as_ref()
        .expect("the production setup sends over SMTP");
    let mail = smtp
        .wait_for(|m| addressed_to(m, &user.email), Duration::from_secs(10))
        .await;
    assert!(
        mail.html.is_some(),
        "a plain-text and an HTML part: {mail:#?}"
    );
    let token = app
        .token_from_mail(MailKind::Verification, &user.email)
        .await;
    app.login_reply(&user.credentials())
        .await
        .error(401, "EMAIL_NOT_VERIFIED");

    app.verify_email(&token).await.ok(200);

    let login = app.login(&user).await;
    let me = app.me(&login.access_token).await;
    assert_eq!(me.ok(200)["email"], user.email.as_str(), "{me:#?}");
}

#[tokio::test]
async fn health_checks_the_database_redis_and_the_smtp_server() {
    let app = spawn_production_app(&[]).await;

    let reply = app.get("/v1/health").await;

    assert_eq!(reply.status, 200, "{reply:#?}");
    assert_eq!(reply.body["status"], "OK");
    for service in ["database", "redis", "email"] {
        assert_eq!(reply.body["services"][service], "healthy", "{reply:#?}");
    }
}

/// A login with credentials nobody has, from `ip` (behind the trusted proxy 127.0.0.1).
async fn failed_login_from(app: &TestApp, ip: &str) -> Reply {
    let stranger = TestUser::random();
    app.send(
        app.client
            .post(app.url("/v1/auth/login"))
            .headers(header("x-forwarded-for", ip))
            .json(&stranger.credentials()),
    )
    .await
}

/// Five attempts are answered, each counting down; the sixth is refused until the window closes;
/// another address is not affected.
async fn assert_login_limit_of_five(app: &TestApp) {
    for remaining in (0..5).rev() {
        let reply = failed_login_from(app, "198.51.100.7").await;
        reply.error(401, "INVALID_CREDENTIALS");
        assert_eq!(reply.header("x-ratelimit-limit"), Some("5"), "{reply:#?}");
        assert_eq!(
            reply.header("x-ratelimit-remaining"),
            Some(remaining.to_string().as_str()),
            "{reply:#?}"
        );
        assert!(reply.header("x-ratelimit-reset").is_some(), "{reply:#?}");
    }

    let sixth = failed_login_from(app, "198.51.100.7").await;

    sixth.error(429, "RATE_LIMIT_EXCEEDED");
    let retry_after: i64 = sixth
        .header("retry-after")
        .expect("Retry-After on a 429")
        .parse()
        .expect("Retry-After in seconds");
    assert!((1..=900).contains(&retry_after), "{sixth:#?}");
    assert_eq!(sixth.body["error"]["retryAfter"], retry_after, "{sixth:#?}");
    assert_eq!(sixth.header("x-ratelimit-remaining"), Some("0"));
    failed_login_from(app, "198.51.100.8")
        .await
        .error(401, "INVALID_CREDENTIALS");
}

#[tokio::test]
async fn the_sixth_login_from_one_address_within_15_minutes_answers_429_with_retry_after() {
    let app = spawn_production_app(&[("TRUSTED_PROXIES", "127.0.0.1")]).await;
    assert_login_limit_of_five(&app).await;
}

#[tokio::test]
async fn the_login_limit_also_holds_on_the_embedded_default() {
    let app = spawn_app_with(
        Backend::Memory,
        &[
            ("RATE_LIMIT_ENABLED", "true"),
            ("TRUSTED_PROXIES", "127.0.0.1"),
        ],
    )
    .await;
    assert_login_limit_of_five(&app).await;
}

#[tokio::test]
async fn the_fourth_registration_from_one_address_within_an_hour_answers_429() {
    let app = spawn_production_app(&[]).await;
    for _ in 0..3 {
        let reply = app.register(&TestUser::random().registration_body()).await;
        reply.ok(201);
        assert_eq!(reply.header("x-ratelimit-limit"), Some("3"), "{reply:#?}");
    }

    let fourth = app.register(&TestUser::random().registration_body()).await;

    fourth.error(429, "RATE_LIMIT_EXCEEDED");
    let retry_after: i64 = fourth
        .header("retry-after")
        .expect("Retry-After on a 429")
        .parse()
        .expect("Retry-After in seconds");
    assert!((3000..=3600).contains(&retry_after), "{fourth:#?}");
    let forgot = app
        .post_json(
            "/v1/auth/forgot-password",
            &json!({"email": "someone@example.com"}),
        )
        .await;
    assert_eq!(
        forgot.status, 200,
        "another route group has its own limit: {forgot:#?}"
    );
}

#[tokio::test]
async fn mail_reaches_a_server_that_requires_starttls_and_a_login() {
    let server = SmtpServer::start_with(ServerOptions {
        tls: ServerTls::StartTls,
        login: Some(("authd".to_owned(), "smtp-test-password".to_owned())),
    })
    .await;
    let ca_file = std::env::temp_dir().join(format!("authd-smtp-ca-{}.pem", uuid::Uuid::new_v4()));
    std::fs::write(
        &ca_file,
        server
            .certificate_pem()
            .expect("a TLS server has a certificate"),
    )
    .expect("write the CA file");
    let production = Production::shared().await.with_smtp(server);
    let app = production
        .spawn(&[
            ("SMTP_SECURITY", "starttls"),
            ("SMTP_USER", "authd"),
            ("SMTP_PASSWORD", "smtp-test-password"),
            ("SMTP_CA_FILE", ca_file.to_str().expect("a UTF-8 path")),
        ])
        .await;

    let user = app.verified_user().await;

    app.login(&user).await;
    let health = app.get("/v1/health").await;
    assert_eq!(health.body["services"]["email"], "healthy", "{health:#?}");
    let _ = std::fs::remove_file(&ca_file);
}
