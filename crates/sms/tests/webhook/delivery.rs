//! What the receiver gets.

use crate::support::{Answer, CODE, Receiver, TOKEN, assert_no_secret, code_sms, sender, sms};
use authd_domain::ports::SmsSender;
use authd_sms::WebhookSms;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;

#[tokio::test]
async fn one_post_carries_exactly_the_documented_json_and_the_bearer_token() {
    let receiver = Receiver::start(Answer::Status(200)).await;
    sender(&receiver).send(&code_sms()).await.unwrap();

    let received = receiver.received();
    assert_eq!(received.len(), 1);
    let request = &received[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.target, crate::support::PATH, "path and query kept");
    assert_eq!(
        request.headers.get("authorization").map(String::as_str),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(
        request.headers.get("content-type").map(String::as_str),
        Some("application/json")
    );
    let body: Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(
        body,
        json!({
            "to": "+84987654321",
            "text": format!("Your authd code is {CODE}. It expires in 5 minutes."),
        })
    );
}

#[tokio::test]
async fn without_a_token_no_authorization_header_is_sent() {
    let receiver = Receiver::start(Answer::Status(204)).await;
    let webhook = WebhookSms::new(&crate::support::settings(
        &receiver.url(),
        None,
        Duration::from_secs(5),
    ))
    .unwrap();
    webhook.send(&sms("hello")).await.unwrap();
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    assert!(!received[0].headers.contains_key("authorization"));
}

#[tokio::test]
async fn every_2xx_counts_as_sent() {
    for status in [200, 201, 202, 204] {
        let receiver = Receiver::start(Answer::Status(status)).await;
        sender(&receiver).send(&sms("hello")).await.unwrap();
        assert_eq!(receiver.received().len(), 1, "{status}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_texts_sent_at_once_all_arrive_once() {
    let receiver = Receiver::start(Answer::Status(200)).await;
    let webhook = Arc::new(sender(&receiver));
    let texts: Vec<String> = (0..20).map(|i| format!("text number {i}")).collect();
    let mut sends = JoinSet::new();
    for text in &texts {
        let (webhook, text) = (Arc::clone(&webhook), text.clone());
        sends.spawn(async move { webhook.send(&sms(&text)).await });
    }
    while let Some(outcome) = sends.join_next().await {
        outcome.unwrap().unwrap();
    }

    let arrived: Vec<String> = receiver
        .received()
        .iter()
        .map(|r| {
            let body: Value = serde_json::from_slice(&r.body).unwrap();
            body["text"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(arrived.len(), 20);
    assert_eq!(
        arrived.into_iter().collect::<HashSet<_>>(),
        texts.into_iter().collect::<HashSet<_>>()
    );
}

#[tokio::test]
async fn debug_output_of_the_sender_shows_neither_token_nor_url_keys() {
    let receiver = Receiver::start(Answer::Status(200)).await;
    let shown = format!("{:?}", sender(&receiver));
    assert_no_secret(&shown);
    assert!(
        shown.contains(&format!("127.0.0.1:{}", receiver.port)),
        "{shown}"
    );
}
