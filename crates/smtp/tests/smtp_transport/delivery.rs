//! What a reader finds in their mailbox, and how the server's refusals are classified.

use crate::support::{
    BASE_URL, TOKEN, WITHIN, every_kind, mailer, password_reset, settings, unique_address,
    username, verify_email,
};
use authd_domain::notification::{Letter, Notification};
use authd_domain::ports::{MailError, Mailer};
use authd_testkit::smtp::{addressed_to, server};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_of_email_arrives_with_its_subject_a_text_and_an_html_part() {
    let smtp = server().await;
    let mailer = mailer(&settings(smtp));
    for (letter, subject) in every_kind(|| unique_address("kind")) {
        let address = letter.notification.recipient().as_str().to_owned();
        mailer.deliver(&letter).await.unwrap();

        let mail = smtp.wait_for(|m| addressed_to(m, &address), WITHIN).await;
        assert_eq!(mail.subject, subject);
        assert_eq!(mail.from, "no-reply@example.com");
        assert!(mail.text.contains("Hello ada,"), "{}", mail.text);
        let html = mail
            .html
            .unwrap_or_else(|| panic!("{subject}: no HTML part"));
        assert!(html.contains("Hello ada,"), "{html}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_verification_email_carries_its_link_with_the_token_verbatim() {
    let smtp = server().await;
    let address = unique_address("verify");
    mailer(&settings(smtp))
        .deliver(&verify_email(&address))
        .await
        .unwrap();

    let mail = smtp.wait_for(|m| addressed_to(m, &address), WITHIN).await;
    let link = format!("{BASE_URL}/verify-email?token={TOKEN}");
    assert!(mail.text.contains(&link), "{}", mail.text);
    assert!(mail.html.unwrap().contains(&format!("href=\"{link}\"")));
    assert!(
        mail.raw.contains(&link),
        "the link is not verbatim in the raw message"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_email_carries_its_link_with_the_token_verbatim() {
    let smtp = server().await;
    let address = unique_address("reset");
    mailer(&settings(smtp))
        .deliver(&password_reset(&address))
        .await
        .unwrap();

    let mail = smtp.wait_for(|m| addressed_to(m, &address), WITHIN).await;
    let link = format!("{BASE_URL}/reset-password?token={TOKEN}");
    assert!(mail.text.contains(&link), "{}", mail.text);
    assert!(mail.html.unwrap().contains(&format!("href=\"{link}\"")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_non_ascii_username_arrives_intact_and_markup_arrives_escaped() {
    let smtp = server().await;
    let address = unique_address("utf8");
    let letter = Letter {
        notification: Notification::PasswordChanged {
            to: authd_domain::values::Email::from_trusted(address.clone()),
            username: username("Zoë<b>"),
            at: chrono::Utc::now(),
        },
        link_token: None,
        code: None,
    };
    mailer(&settings(smtp)).deliver(&letter).await.unwrap();

    let mail = smtp.wait_for(|m| addressed_to(m, &address), WITHIN).await;
    assert!(mail.text.contains("Hello Zoë<b>,"), "{}", mail.text);
    assert!(mail.html.unwrap().contains("Hello Zoë&lt;b&gt;,"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recipient_the_server_rejects_with_550_is_a_permanent_failure() {
    let smtp = server().await;
    let address = unique_address("reject");
    let result = mailer(&settings(smtp))
        .deliver(&verify_email(&address))
        .await;
    assert!(
        matches!(&result, Err(MailError::Permanent(m)) if m.contains("550")),
        "{result:?}"
    );
    assert_eq!(smtp.count(|m| addressed_to(m, &address)), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recipient_the_server_defers_with_451_is_a_transient_failure() {
    let smtp = server().await;
    let address = unique_address("defer");
    let result = mailer(&settings(smtp))
        .deliver(&verify_email(&address))
        .await;
    assert!(
        matches!(&result, Err(MailError::Transient(m)) if m.contains("451")),
        "{result:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_mailer_delivers_many_emails_over_its_pooled_connections() {
    let smtp = server().await;
    let mailer = mailer(&settings(smtp));
    let addresses: Vec<String> = (0..5).map(|_| unique_address("pool")).collect();
    for address in &addresses {
        mailer.deliver(&verify_email(address)).await.unwrap();
    }
    for address in &addresses {
        smtp.wait_for(|m| addressed_to(m, address), WITHIN).await;
    }
    assert!(mailer.is_healthy().await);
}
