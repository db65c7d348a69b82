//! STARTTLS and implicit TLS against a server with a self-signed certificate, which the tests
//! trust through `extra_root_certificates` (as an operator would a private relay's CA), and
//! the login.

use crate::support::{WITHIN, mailer, settings, unique_address, verify_email};
use authd_domain::ports::{MailError, Mailer};
use authd_smtp::{SmtpSecurity, SmtpSettings};
use authd_testkit::smtp::{ServerOptions, ServerTls, SmtpServer, addressed_to, server};
use secrecy::SecretString;

const USER: &str = "authd";
const PASSWORD: &str = "s3cret-Pa55word-never-shown";

async fn tls_server(tls: ServerTls) -> SmtpServer {
    SmtpServer::start_with(ServerOptions {
        tls,
        login: Some((USER.to_owned(), PASSWORD.to_owned())),
    })
    .await
}

fn tls_settings(smtp: &SmtpServer, security: SmtpSecurity, password: &str) -> SmtpSettings {
    SmtpSettings {
        security,
        username: Some(USER.to_owned()),
        password: Some(SecretString::from(password)),
        extra_root_certificates: smtp.certificate_pem(),
        ..settings(smtp)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starttls_with_a_login_delivers_to_a_server_whose_certificate_is_trusted() {
    let smtp = tls_server(ServerTls::StartTls).await;
    let mailer = mailer(&tls_settings(&smtp, SmtpSecurity::StartTls, PASSWORD));
    let address = unique_address("starttls");

    mailer.deliver(&verify_email(&address)).await.unwrap();

    smtp.wait_for(|m| addressed_to(m, &address), WITHIN).await;
    assert!(mailer.is_healthy().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn implicit_tls_with_a_login_delivers() {
    let smtp = tls_server(ServerTls::Implicit).await;
    let mailer = mailer(&tls_settings(&smtp, SmtpSecurity::Tls, PASSWORD));
    let address = unique_address("smtps");

    mailer.deliver(&verify_email(&address)).await.unwrap();

    smtp.wait_for(|m| addressed_to(m, &address), WITHIN).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_a_transient_failure_whose_message_never_shows_a_password() {
    let smtp = tls_server(ServerTls::StartTls).await;
    let wrong = "wrong-Pa55word-also-secret";
    let mailer = mailer(&tls_settings(&smtp, SmtpSecurity::StartTls, wrong));

    let result = mailer
        .deliver(&verify_email(&unique_address("login")))
        .await;

    let Err(MailError::Transient(message)) = &result else {
        panic!("expected a transient failure, got {result:?}");
    };
    assert!(message.contains("SMTP_PASSWORD"), "{message}");
    assert!(
        !message.contains(wrong) && !message.contains(PASSWORD),
        "{message}"
    );
    assert!(!format!("{mailer:?}").contains(wrong));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_nobody_vouches_for_is_refused_transiently() {
    let smtp = tls_server(ServerTls::StartTls).await;
    let untrusted = SmtpSettings {
        extra_root_certificates: None,
        ..tls_settings(&smtp, SmtpSecurity::StartTls, PASSWORD)
    };
    let address = unique_address("untrusted");

    let result = mailer(&untrusted).deliver(&verify_email(&address)).await;

    assert!(matches!(result, Err(MailError::Transient(_))), "{result:?}");
    assert_eq!(smtp.count(|m| addressed_to(m, &address)), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn required_starttls_sends_nothing_to_a_server_that_does_not_offer_it() {
    let smtp = server().await;
    let required = SmtpSettings {
        security: SmtpSecurity::StartTls,
        ..settings(smtp)
    };
    let address = unique_address("downgrade");

    let result = mailer(&required).deliver(&verify_email(&address)).await;

    assert!(matches!(result, Err(MailError::Transient(_))), "{result:?}");
    assert_eq!(smtp.count(|m| addressed_to(m, &address)), 0);
}
