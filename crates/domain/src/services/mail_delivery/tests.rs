//! Unit tests of [`super::MailDelivery`] against mocked ports and a fixed clock.

use super::{MailDelivery, MailDeliveryPorts, MailDeliverySettings};
use crate::error::InfraError;
use crate::ids::{MessageId, UserId};
use crate::notification::{Notification, OutboxMessage};
use crate::policy::backoff::RetryPolicy;
use crate::ports::{MailError, MockMailer, MockOutbox};
use crate::services::test_support::{Mocks, active_user, opaque, port_down, settings, t0};
use crate::token::TokenPurpose;
use crate::user::{AccountStatus, User};
use crate::values::{Email, Username};
use chrono::Duration;
use mockall::Sequence;
use std::sync::Arc;

pub(super) fn jane() -> (Email, Username) {
    (
        Email::from_trusted("jane@example.com".into()),
        Username::from_trusted("jane".into()),
    )
}

pub(super) fn queued(notification: Notification, attempts: u32) -> OutboxMessage {
    OutboxMessage {
        id: MessageId::new(),
        notification,
        created_at: t0() - Duration::minutes(1),
        attempts,
    }
}

/// A message without a link.
fn message(attempts: u32) -> OutboxMessage {
    let (to, username) = jane();
    queued(
        Notification::PasswordChanged {
            to,
            username,
            at: t0(),
        },
        attempts,
    )
}

fn verify_email(user_id: UserId, attempts: u32) -> OutboxMessage {
    let (to, username) = jane();
    queued(
        Notification::VerifyEmail {
            user_id,
            to,
            username,
        },
        attempts,
    )
}

fn password_reset(user_id: UserId) -> OutboxMessage {
    let (to, username) = jane();
    queued(
        Notification::PasswordReset {
            user_id,
            to,
            username,
        },
        0,
    )
}

/// The worker over `mocks` (whose outbox and token ports the test sets up) and `mailer`.
pub(super) fn worker(mocks: Mocks, mailer: MockMailer) -> MailDelivery {
    worker_with_sms(mocks, mailer, None)
}

/// [`worker`] with an SMS gateway.
pub(super) fn worker_with_sms(
    mocks: Mocks,
    mailer: MockMailer,
    sms: Option<crate::ports::MockSmsSender>,
) -> MailDelivery {
    let ports = MailDeliveryPorts {
        outbox: Arc::new(mocks.outbox),
        users: Arc::new(mocks.users),
        one_time_tokens: Arc::new(mocks.one_time_tokens),
        tokens: Arc::new(mocks.tokens),
        mfa: Arc::new(mocks.mfa),
        otp: Arc::new(mocks.otp),
        mailer: Arc::new(mailer),
        sms: sms.map(|s| Arc::new(s) as Arc<dyn crate::ports::SmsSender>),
        clock: Arc::new(mocks.clock),
        telemetry: Arc::new(crate::telemetry::NoTelemetry),
    };
    MailDelivery::new(
        ports,
        MailDeliverySettings::new(&settings(), RetryPolicy::default()),
    )
}

/// Mocks that must never mint a token: for batches of messages without a link.
pub(super) fn no_links(outbox: MockOutbox) -> Mocks {
    let mut m = Mocks::new();
    m.outbox = outbox;
    m.tokens.expect_generate().never();
    m.one_time_tokens.expect_issue().never();
    m
}

pub(super) fn claims(outbox: &mut MockOutbox, messages: Vec<OutboxMessage>) {
    outbox
        .expect_claim_due()
        .times(1)
        .withf(|now, limit, lease| *now == t0() && *limit == 10 && *lease == Duration::seconds(60))
        .returning(move |_, _, _| Ok(messages.clone()));
}

pub(super) fn marks_sent(outbox: &mut MockOutbox, id: MessageId) {
    outbox
        .expect_mark_sent()
        .times(1)
        .withf(move |m, now| *m == id && *now == t0())
        .returning(|_, _| Ok(()));
    outbox.expect_mark_failed().never();
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
    let delivered = worker(no_links(outbox), mailer).run_once(10).await.unwrap();
    assert_eq!(delivered, 2);
}

#[tokio::test]
async fn a_message_without_a_link_is_delivered_as_is_without_minting_a_token() {
    let msg = message(0);
    let mut outbox = MockOutbox::new();
    claims(&mut outbox, vec![msg.clone()]);
    marks_sent(&mut outbox, msg.id);
    let mut mailer = MockMailer::new();
    mailer
        .expect_deliver()
        .times(1)
        .withf(|letter| {
            letter.link_token.is_none()
                && matches!(&letter.notification, Notification::PasswordChanged { to, at, .. }
                    if to.as_str() == "jane@example.com" && *at == t0())
        })
        .returning(|_| Ok(()));
    let delivered = worker(no_links(outbox), mailer).run_once(10).await.unwrap();
    assert_eq!(delivered, 1);
}

/// The account the link is for, as stored now.
fn account(m: &mut Mocks, user_id: UserId, status: AccountStatus, email_verified: bool) {
    let user = User {
        id: user_id,
        status,
        email_verified,
        ..active_user()
    };
    m.users
        .expect_find_by_id()
        .withf(move |id| *id == user_id)
        .returning(move |_| Ok(Some(user.clone())));
}

/// Expects one token minted as `raw` and stored (before the mail goes out) for `user_id` and
/// `purpose`, valid for `ttl` from now; then one letter carrying that raw token.
pub(super) fn mints_and_sends(
    m: &mut Mocks,
    mailer: &mut MockMailer,
    user_id: UserId,
    purpose: TokenPurpose,
    ttl: Duration,
) {
    let mut order = Sequence::new();
    m.tokens
        .expect_generate()
        .times(1)
        .in_sequence(&mut order)
        .returning(|| opaque("fresh"));
    m.one_time_tokens
        .expect_issue()
        .times(1)
        .in_sequence(&mut order)
        .withf(move |token| {
            token.hash.as_str() == "hash-fresh"
                && token.user_id == user_id
                && token.purpose == purpose
                && token.created_at == t0()
                && token.expires_at == t0() + ttl
        })
        .returning(|_| Ok(()));
    mailer
        .expect_deliver()
        .times(1)
        .in_sequence(&mut order)
        .withf(move |letter| {
            letter.link_token.as_ref().map(|t| t.expose()) == Some("fresh")
                && letter.notification.link() == Some((user_id, purpose))
        })
        .returning(|_| Ok(()));
}

#[tokio::test]
async fn a_verification_email_carries_a_fresh_token_valid_for_the_verification_ttl() {
    let user_id = UserId::new();
    // A retry mints its own token too: the link's lifetime starts when it is sent.
    let msg = verify_email(user_id, 3);
    let mut m = Mocks::new();
    account(&mut m, user_id, AccountStatus::Pending, false);
    claims(&mut m.outbox, vec![msg.clone()]);
    marks_sent(&mut m.outbox, msg.id);
    let mut mailer = MockMailer::new();
    let ttl = settings().verification_ttl;
    assert_eq!(ttl, Duration::hours(24));
    mints_and_sends(
        &mut m,
        &mut mailer,
        user_id,
        TokenPurpose::EmailVerification,
        ttl,
    );
    assert_eq!(worker(m, mailer).run_once(10).await.unwrap(), 1);
}

#[tokio::test]
async fn a_reset_email_carries_a_fresh_token_valid_for_the_reset_ttl() {
    let user_id = UserId::new();
    let msg = password_reset(user_id);
    let mut m = Mocks::new();
    account(&mut m, user_id, AccountStatus::Active, true);
    claims(&mut m.outbox, vec![msg.clone()]);
    marks_sent(&mut m.outbox, msg.id);
    let mut mailer = MockMailer::new();
    let ttl = settings().reset_ttl;
    assert_eq!(ttl, Duration::hours(1));
    mints_and_sends(
        &mut m,
        &mut mailer,
        user_id,
        TokenPurpose::PasswordReset,
        ttl,
    );
    assert_eq!(worker(m, mailer).run_once(10).await.unwrap(), 1);
}

#[tokio::test]
async fn a_token_store_outage_is_retried_later_and_nothing_is_sent() {
    let user_id = UserId::new();
    let msg = verify_email(user_id, 0);
    let id = msg.id;
    let mut m = Mocks::new();
    account(&mut m, user_id, AccountStatus::Pending, false);
    claims(&mut m.outbox, vec![msg]);
    m.outbox.expect_mark_sent().never();
    m.outbox
        .expect_mark_failed()
        .times(1)
        .withf(move |failed, retry_at, error| {
            *failed == id
                && *retry_at == Some(t0() + Duration::seconds(5))
                && error.contains("link token")
        })
        .returning(|_, _, _| Ok(()));
    m.tokens.expect_generate().returning(|| opaque("fresh"));
    m.one_time_tokens
        .expect_issue()
        .times(1)
        .returning(|_| Err(port_down()));
    let mut mailer = MockMailer::new();
    mailer.expect_deliver().never();
    assert_eq!(worker(m, mailer).run_once(10).await.unwrap(), 0);
}

#[tokio::test]
async fn an_empty_outbox_delivers_nothing() {
    let mut outbox = MockOutbox::new();
    claims(&mut outbox, vec![]);
    let mut mailer = MockMailer::new();
    mailer.expect_deliver().never();
    let delivered = worker(no_links(outbox), mailer).run_once(10).await.unwrap();
    assert_eq!(delivered, 0);
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
    let delivered = worker(no_links(outbox), mailer).run_once(10).await.unwrap();
    assert_eq!(delivered, 0);
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
    let delivered = worker(no_links(outbox), mailer).run_once(10).await.unwrap();
    assert_eq!(delivered, 0);
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
    let delivered = worker(no_links(outbox), mailer).run_once(10).await.unwrap();
    assert_eq!(delivered, 0);
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
    let delivered = worker(no_links(outbox), mailer).run_once(10).await.unwrap();
    assert_eq!(delivered, 1);
}

#[tokio::test]
async fn an_outbox_that_cannot_be_claimed_is_reported() {
    let mut outbox = MockOutbox::new();
    outbox
        .expect_claim_due()
        .returning(|_, _, _| Err(port_down()));
    let mut mailer = MockMailer::new();
    mailer.expect_deliver().never();
    let err = worker(no_links(outbox), mailer)
        .run_once(10)
        .await
        .unwrap_err();
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
    assert!(worker(no_links(outbox), mailer).run_once(10).await.is_err());
}

/// Expects `msg` to be dropped: no token minted, nothing sent, the message never retried.
pub(super) async fn is_dropped(mut m: Mocks, msg: OutboxMessage) {
    let id = msg.id;
    claims(&mut m.outbox, vec![msg]);
    m.outbox.expect_mark_sent().never();
    m.outbox
        .expect_mark_failed()
        .times(1)
        .withf(move |dropped, retry_at, _| *dropped == id && retry_at.is_none())
        .returning(|_, _, _| Ok(()));
    m.tokens.expect_generate().never();
    m.one_time_tokens.expect_issue().never();
    let mut mailer = MockMailer::new();
    mailer.expect_deliver().never();
    assert_eq!(worker(m, mailer).run_once(10).await.unwrap(), 0);
}

#[tokio::test]
async fn a_verification_link_for_an_account_verified_since_is_dropped() {
    let user_id = UserId::new();
    let mut m = Mocks::new();
    account(&mut m, user_id, AccountStatus::Active, true);
    is_dropped(m, verify_email(user_id, 0)).await;
}

#[tokio::test]
async fn a_link_for_an_account_deleted_since_is_dropped() {
    let user_id = UserId::new();
    let mut m = Mocks::new();
    account(&mut m, user_id, AccountStatus::Deleted, false);
    is_dropped(m, password_reset(user_id)).await;
}

#[tokio::test]
async fn a_reset_link_for_a_suspended_account_is_dropped() {
    let user_id = UserId::new();
    let mut m = Mocks::new();
    account(&mut m, user_id, AccountStatus::Suspended, true);
    is_dropped(m, password_reset(user_id)).await;
}

#[tokio::test]
async fn a_link_for_an_unknown_account_is_dropped() {
    let user_id = UserId::new();
    let mut m = Mocks::new();
    m.users.expect_find_by_id().returning(|_| Ok(None));
    is_dropped(m, verify_email(user_id, 0)).await;
}

mod code;
mod sms;
mod unlock;
