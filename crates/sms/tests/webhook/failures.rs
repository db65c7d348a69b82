//! How each failure is classified, and that no error shows a secret (the code, the token, the
//! URL's keys) or the receiver's body, which echoes the text.

use crate::support::{Answer, Receiver, TOKEN, assert_no_secret, code_sms, sender, settings};
use authd_domain::ports::{SmsError, SmsSender};
use authd_sms::{SmsSetupError, WebhookSms};
use std::time::{Duration, Instant};

async fn outcome_of(status: u16) -> SmsError {
    let receiver = Receiver::start(Answer::Status(status)).await;
    let error = sender(&receiver).send(&code_sms()).await.unwrap_err();
    assert_eq!(receiver.received().len(), 1, "one attempt, no retry inside");
    error
}

#[tokio::test]
async fn a_busy_throttling_or_failing_gateway_is_a_transient_failure() {
    for status in [408, 425, 429, 500, 502, 503, 504] {
        let error = outcome_of(status).await;
        assert!(matches!(error, SmsError::Transient(_)), "{status}: {error}");
        let shown = error.to_string();
        assert!(shown.contains(&status.to_string()), "{shown}");
        assert_no_secret(&shown);
    }
}

#[tokio::test]
async fn a_refused_request_is_a_permanent_failure() {
    for status in [400, 401, 403, 404, 422] {
        let error = outcome_of(status).await;
        assert!(matches!(error, SmsError::Permanent(_)), "{status}: {error}");
        let shown = error.to_string();
        assert!(shown.contains(&status.to_string()), "{shown}");
        assert_no_secret(&shown);
    }
}

#[tokio::test]
async fn a_redirect_is_not_followed_and_fails_for_good() {
    let error = outcome_of(302).await;
    assert!(matches!(error, SmsError::Permanent(_)), "{error}");
    assert!(error.to_string().contains("SMS_WEBHOOK_URL"), "{error}");
}

#[tokio::test]
async fn a_gateway_that_is_down_is_a_transient_failure() {
    let port = {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}{}", crate::support::PATH);
    let webhook = WebhookSms::new(&settings(&url, Some(TOKEN), Duration::from_secs(5))).unwrap();
    let error = webhook.send(&code_sms()).await.unwrap_err();
    assert!(matches!(error, SmsError::Transient(_)), "{error}");
    let shown = error.to_string();
    assert!(shown.contains("cannot connect"), "{shown}");
    assert_no_secret(&shown);
}

#[tokio::test]
async fn a_gateway_that_never_answers_is_cut_off_at_the_timeout() {
    let receiver = Receiver::start(Answer::Never).await;
    let timeout = Duration::from_millis(300);
    let webhook = WebhookSms::new(&settings(&receiver.url(), Some(TOKEN), timeout)).unwrap();
    let started = Instant::now();
    let error = webhook.send(&code_sms()).await.unwrap_err();
    let took = started.elapsed();
    assert!(matches!(error, SmsError::Transient(_)), "{error}");
    assert!(took >= timeout && took < Duration::from_secs(3), "{took:?}");
    assert_eq!(receiver.received().len(), 1, "the request did arrive");
    let shown = error.to_string();
    assert!(shown.contains("did not answer within 300ms"), "{shown}");
    assert_no_secret(&shown);
}

#[tokio::test]
async fn settings_that_cannot_work_are_refused_at_start_up() {
    let url = "http://127.0.0.1:9/sms";
    assert!(matches!(
        WebhookSms::new(&settings(url, None, Duration::ZERO)),
        Err(SmsSetupError::ZeroTimeout)
    ));
    let error = WebhookSms::new(&settings(
        url,
        Some("line\nbreak-s3cret"),
        Duration::from_secs(1),
    ))
    .unwrap_err();
    assert!(matches!(error, SmsSetupError::InvalidToken), "{error}");
    assert!(!error.to_string().contains("s3cret"));
}

#[tokio::test]
async fn a_tls_handshake_that_fails_is_a_transient_failure() {
    // A plain-text server behind an https URL: rustls reads its answer as a broken handshake.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            use tokio::io::AsyncWriteExt;
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
        }
    });
    let url = format!("https://127.0.0.1:{port}{}", crate::support::PATH);
    let webhook = WebhookSms::new(&settings(&url, Some(TOKEN), Duration::from_secs(5))).unwrap();
    let error = webhook.send(&code_sms()).await.unwrap_err();
    assert!(matches!(error, SmsError::Transient(_)), "{error}");
    assert_no_secret(&error.to_string());
}
