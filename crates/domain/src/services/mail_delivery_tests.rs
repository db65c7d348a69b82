//! Unit tests of [`super::MailDelivery`] against mocked ports and a fixed clock.

use super::MailDelivery;
use super::test_support::{port_down, t0};
use crate::error::InfraError;
use crate::ids::MessageId;
use crate::notification::{Notification, OutboxMessage};
use crate::policy::backoff::RetryPolicy;
use crate::ports::{MailError, MockClock, MockMailer, MockOutbox};
use crate::values::{Email, Username};
use chrono::Duration;
use std::sync::Arc;

fn message(attempts: u32) -> OutboxMessage {
    OutboxMessage {
        id: MessageId::new(),
        notification: Notification::PasswordChanged {
            to: Email::from_trusted("jane@example.com".into()),
            username: Username::from_trusted("jane".into()),
            at: t0(),
        },
        created_at: t0() - Duration::minutes(1),
        attempts,
    }
}

fn worker(outbox: MockOutbox, mailer: MockMailer) -> MailDelivery {
    let mut clock = MockClock::new();
    clock.expect_now().returning(t0);
    MailDelivery::new(
        Arc::new(outbox),
        Arc::new(mailer),
        Arc::new(clock),
        RetryPolicy::default(),
    )
}

fn claims(outbox: &mut MockOutbox, messages: Vec<OutboxMessage>) {
    outbox
        .expect_claim_due()
        .times(1)
        .withf(|now, limit, lease| *now == t0() && *limit == 10 && *lease == Duration::seconds(60))
        .returning(move |_, _, _| Ok(messages.clone()));
}

#[tokio::test]
async fn delivered_messages_are_marked_sent_and_counted() {
    let (a, b) = (message(0), message(2));
    let mut outbox = MockOutbox::new();
    claims(&mut outbox, vec![a.clone(), b.clone()]);
    let sent = [a.id, b.id];
    outbox
        .expect_mark_sent()
        .times(2)
        .withf(move |id, now| sent.contains(id) && *now == t0())
        .returning(|_, _| Ok(()));
    outbox.expect_mark_failed().never();
    let mut mailer = MockMailer::new();
    mailer.expect_deliver().times(2).returning(|_| Ok(()));
    assert_eq!(worker(outbox, mailer).run_once(10).await.unwrap(), 2);
}

#[tokio::test]
async fn an_empty_outbox_delivers_nothing() {
    let mut outbox = MockOutbox::new();
    claims(&mut outbox, vec![]);
    let mut mailer = MockMailer::new();
    mailer.expect_deliver().never();
    assert_eq!(worker(outbox, mailer).run_once(10).await.unwrap(), 0);
}

#[tokio::test]
async fn a_transient_failure_is_retried_later_with_backoff() {
    // Third failure: 5 s * 2^2.
    let msg = message(2);
    let id = msg.id;
    let mut outbox = MockOutbox::new();
    claims(&mut outbox, vec![msg]);
    outbox.expect_mark_sent().never();
    outbox
        .expect_mark_failed()
        .times(1)
        .withf(move |m, retry_at, error| {
            *m == id
                && *retry_at == Some(t0() + Duration::seconds(20))
                && error == "connection refused"
        })
        .returning(|_, _, _| Ok(()));
    let mut mailer = MockMailer::new();
    mailer
        .expect_deliver()
        .returning(|_| Err(MailError::Transient("connection refused".into())));
    assert_eq!(worker(outbox, mailer).run_once(10).await.unwrap(), 0);
}

#[tokio::test]
async fn a_message_that_failed_too_often_is_given_up() {
    let msg = message(19);
    let mut outbox = MockOutbox::new();
    claims(&mut outbox, vec![msg]);
    outbox
        .expect_mark_failed()
        .times(1)
        .withf(|_, retry_at, _| retry_at.is_none())
        .returning(|_, _, _| Ok(()));
    let mut mailer = MockMailer::new();
    mailer
        .expect_deliver()
        .returning(|_| Err(MailError::Transient("timeout".into())));
    assert_eq!(worker(outbox, mailer).run_once(10).await.unwrap(), 0);
}

#[tokio::test]
async fn a_permanent_failure_is_never_retried_and_the_address_is_not_recorded() {
    let msg = message(0);
    let mut outbox = MockOutbox::new();
    claims(&mut outbox, vec![msg]);
    outbox
        .expect_mark_failed()
        .times(1)
        .withf(|_, retry_at, error| {
            retry_at.is_none() && error == "550 <recipient>: mailbox unavailable"
        })
        .returning(|_, _, _| Ok(()));
    let mut mailer = MockMailer::new();
    mailer.expect_deliver().returning(|_| {
        Err(MailError::Permanent(
            "550 jane@example.com: mailbox unavailable".into(),
        ))
    });
    assert_eq!(worker(outbox, mailer).run_once(10).await.unwrap(), 0);
}

#[tokio::test]
async fn one_failure_does_not_stop_the_rest_of_the_batch() {
    let (bad, good) = (message(0), message(0));
    let mut outbox = MockOutbox::new();
    claims(&mut outbox, vec![bad.clone(), good.clone()]);
    let good_id = good.id;
    outbox
        .expect_mark_failed()
        .times(1)
        .returning(|_, _, _| Ok(()));
    outbox
        .expect_mark_sent()
        .times(1)
        .withf(move |id, _| *id == good_id)
        .returning(|_, _| Ok(()));
    let mut mailer = MockMailer::new();
    let mut first = true;
    mailer.expect_deliver().times(2).returning(move |_| {
        if std::mem::take(&mut first) {
            Err(MailError::Transient("busy".into()))
        } else {
            Ok(())
        }
    });
    assert_eq!(worker(outbox, mailer).run_once(10).await.unwrap(), 1);
}

#[tokio::test]
async fn an_outbox_that_cannot_be_claimed_is_reported() {
    let mut outbox = MockOutbox::new();
    outbox
        .expect_claim_due()
        .returning(|_, _, _| Err(port_down()));
    let mut mailer = MockMailer::new();
    mailer.expect_deliver().never();
    let err = worker(outbox, mailer).run_once(10).await.unwrap_err();
    assert!(matches!(err, InfraError::Unavailable(_)));
}

#[tokio::test]
async fn the_batch_stops_when_a_delivery_cannot_be_recorded() {
    let mut outbox = MockOutbox::new();
    claims(&mut outbox, vec![message(0), message(0)]);
    outbox
        .expect_mark_sent()
        .times(1)
        .returning(|_, _| Err(port_down()));
    let mut mailer = MockMailer::new();
    mailer.expect_deliver().times(1).returning(|_| Ok(()));
    assert!(worker(outbox, mailer).run_once(10).await.is_err());
}
