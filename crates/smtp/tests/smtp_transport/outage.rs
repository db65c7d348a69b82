//! An SMTP outage: failures are transient and quick, so the outbox keeps the mail and tries
//! again, and the same mailer delivers once the server is back.

use crate::support::{WITHIN, mailer, settings, unique_address, verify_email};
use authd_domain::ports::{MailError, Mailer};
use authd_smtp::{SmtpSecurity, SmtpSettings};
use authd_testkit::smtp::{SmtpServer, addressed_to};
use std::time::{Duration, Instant};

/// The settings' timeout plus room for a slow, shared machine.
const QUICKLY: Duration = Duration::from_secs(3);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_server_is_a_quick_transient_failure_and_the_same_mailer_delivers_after_start() {
    let smtp = SmtpServer::start_new().await;
    let mailer = mailer(&settings(&smtp));
    let (before, during, after) = (
        unique_address("before"),
        unique_address("during"),
        unique_address("after"),
    );
    mailer.deliver(&verify_email(&before)).await.unwrap();

    smtp.stop();
    let started = Instant::now();
    let result = mailer.deliver(&verify_email(&during)).await;
    assert!(matches!(result, Err(MailError::Transient(_))), "{result:?}");
    assert!(started.elapsed() < QUICKLY, "took {:?}", started.elapsed());

    smtp.start();
    mailer.deliver(&verify_email(&after)).await.unwrap();
    smtp.wait_for(|m| addressed_to(m, &after), WITHIN).await;
    assert_eq!(smtp.count(|m| addressed_to(m, &before)), 1);
    assert_eq!(smtp.count(|m| addressed_to(m, &during)), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_follows_the_server_down_and_up_again() {
    let smtp = SmtpServer::start_new().await;
    let mailer = mailer(&settings(&smtp));
    assert!(mailer.is_healthy().await);

    smtp.stop();
    let started = Instant::now();
    assert!(!mailer.is_healthy().await);
    assert!(started.elapsed() < QUICKLY, "took {:?}", started.elapsed());

    smtp.start();
    assert!(mailer.is_healthy().await);
}

/// A listener that completes the TCP handshake (the kernel does) but never says a word.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_never_answers_is_a_transient_failure_within_the_timeout() {
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let settings = SmtpSettings {
        host: "127.0.0.1".to_owned(),
        port: silent.local_addr().unwrap().port(),
        security: SmtpSecurity::None,
        username: None,
        password: None,
        timeout: Duration::from_millis(500),
        extra_root_certificates: None,
    };
    let mailer = mailer(&settings);

    let started = Instant::now();
    let result = mailer
        .deliver(&verify_email(&unique_address("silent")))
        .await;
    assert!(matches!(result, Err(MailError::Transient(_))), "{result:?}");
    assert!(!mailer.is_healthy().await);
    assert!(started.elapsed() < QUICKLY, "took {:?}", started.elapsed());
}
