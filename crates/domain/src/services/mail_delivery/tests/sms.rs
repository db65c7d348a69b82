//! The SMS code: minted at send like the emailed code, handed to the SMS gateway (never the
//! mailer), retried on a transient failure, dead on a permanent one, and given up without a code
//! once too late or without a gateway.

use super::code::mints;
use super::{claims, marks_sent, queued, worker, worker_with_sms};
use crate::ids::{FactorId, UserId};
use crate::notification::{Notification, OutboxMessage, SMS_CODE_GIVE_UP};
use crate::ports::{CodeTarget, MockMailer, MockSmsSender, SmsError};
use crate::services::test_support::{Mocks, t0};
use crate::values::{Email, MobileNumber};
use chrono::Duration;
use mockall::Sequence;

fn sms_code(target: CodeTarget) -> OutboxMessage {
    queued(
        Notification::SmsCode {
            user_id: UserId::new(),
            to: Email::from_trusted("jane@example.com".into()),
            phone: MobileNumber::parse("+84987654321", "phone").unwrap(),
            target,
        },
        0,
    )
}

fn no_mail() -> MockMailer {
    let mut mailer = MockMailer::new();
    mailer.expect_deliver().never();
    mailer
}

/// The outbox records one failure of `msg`: retried (`retry`) or dead, with a reason that never
/// names the number.
fn fails(m: &mut Mocks, msg: &OutboxMessage, retry: bool) {
    let id = msg.id;
    m.outbox.expect_mark_sent().never();
    m.outbox
        .expect_mark_failed()
        .times(1)
        .withf(move |failed, retry_at, reason| {
            *failed == id && retry_at.is_some() == retry && !reason.contains("987654321")
        })
        .returning(|_, _, _| Ok(()));
}

#[tokio::test]
async fn the_code_is_minted_stored_and_texted_to_the_factors_number() {
    let target = CodeTarget::Factor(FactorId::new());
    let msg = sms_code(target.clone());
    let mut m = Mocks::new();
    let mut order = Sequence::new();
    claims(&mut m.outbox, vec![msg.clone()]);
    marks_sent(&mut m.outbox, msg.id);
    mints(&mut m, &target, Ok(true), &mut order);
    let mut sms = MockSmsSender::new();
    sms.expect_send()
        .times(1)
        .in_sequence(&mut order)
        .withf(|sms| {
            sms.to.as_str() == "+84987654321"
                && sms.text.expose().contains("042042")
                && sms.text.expose().contains("10 minutes")
        })
        .returning(|_| Ok(()));
    let delivered = worker_with_sms(m, no_mail(), Some(sms))
        .run_once(10)
        .await
        .unwrap();
    assert_eq!(delivered, 1);
}

#[tokio::test]
async fn a_transient_gateway_failure_is_retried_and_a_permanent_one_is_dead() {
    for (error, retried) in [
        (SmsError::Transient("503 from +84987654321".into()), true),
        (
            SmsError::Permanent("number +84987654321 refused".into()),
            false,
        ),
    ] {
        let target = CodeTarget::Challenge(crate::token::TokenHash::from_trusted("h".into()));
        let msg = sms_code(target.clone());
        let mut m = Mocks::new();
        claims(&mut m.outbox, vec![msg.clone()]);
        fails(&mut m, &msg, retried);
        mints(&mut m, &target, Ok(true), &mut Sequence::new());
        let mut sms = MockSmsSender::new();
        let mut error = Some(error);
        sms.expect_send()
            .times(1)
            .returning(move |_| Err(error.take().unwrap()));
        let delivered = worker_with_sms(m, no_mail(), Some(sms))
            .run_once(10)
            .await
            .unwrap();
        assert_eq!(delivered, 0);
    }
}

#[tokio::test]
async fn a_code_that_could_no_longer_arrive_in_time_is_given_up_without_minting() {
    let target = CodeTarget::Factor(FactorId::new());
    let mut msg = sms_code(target);
    msg.created_at = t0() - SMS_CODE_GIVE_UP - Duration::seconds(1);
    msg.attempts = 4;
    let mut m = Mocks::new();
    claims(&mut m.outbox, vec![msg.clone()]);
    fails(&mut m, &msg, false);
    m.otp.expect_new_code().never();
    m.mfa.expect_store_code().never();
    let mut sms = MockSmsSender::new();
    sms.expect_send().never();
    let delivered = worker_with_sms(m, no_mail(), Some(sms))
        .run_once(10)
        .await
        .unwrap();
    assert_eq!(delivered, 0);
}

#[tokio::test]
async fn without_a_gateway_the_code_is_dead_at_once_without_minting() {
    let msg = sms_code(CodeTarget::Factor(FactorId::new()));
    let mut m = Mocks::new();
    claims(&mut m.outbox, vec![msg.clone()]);
    fails(&mut m, &msg, false);
    m.otp.expect_new_code().never();
    m.mfa.expect_store_code().never();
    assert_eq!(worker(m, no_mail()).run_once(10).await.unwrap(), 0);
}
