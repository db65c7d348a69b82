//! The MFA code email: its code is minted at send time and only its digest stored, for a target
//! that still exists.

use super::{claims, is_dropped, jane, marks_sent, queued, worker};
use crate::ids::{FactorId, UserId};
use crate::mfa::{EMAIL_CODE_TTL, OtpCode};
use crate::notification::{Notification, OutboxMessage};
use crate::ports::{CodeTarget, MockMailer};
use crate::services::test_support::{Mocks, port_down, t0};
use crate::token::TokenHash;
use mockall::Sequence;

fn code_mail(target: CodeTarget) -> OutboxMessage {
    let (to, username) = jane();
    queued(
        Notification::MfaCode {
            user_id: UserId::new(),
            to,
            username,
            target,
        },
        0,
    )
}

/// A code `042042` is minted and digested as `c-042042`; storing it answers `stored`.
pub(super) fn mints(
    m: &mut Mocks,
    target: &CodeTarget,
    stored: Result<bool, ()>,
    order: &mut Sequence,
) {
    m.tokens.expect_generate().never();
    m.one_time_tokens.expect_issue().never();
    m.otp
        .expect_new_code()
        .times(1)
        .in_sequence(order)
        .returning(|| OtpCode::from_digits("042042").unwrap());
    m.otp
        .expect_digest_code()
        .times(1)
        .in_sequence(order)
        .returning(|code| TokenHash::from_trusted(format!("c-{}", code.as_str())));
    let target = target.clone();
    m.mfa
        .expect_store_code()
        .withf(move |t, digest, expires_at| {
            *t == target && digest.as_str() == "c-042042" && *expires_at == t0() + EMAIL_CODE_TTL
        })
        .times(1)
        .in_sequence(order)
        .returning(move |_, _, _| stored.map_err(|()| port_down()));
}

#[tokio::test]
async fn the_code_is_minted_its_digest_stored_and_then_it_is_sent() {
    for target in [
        CodeTarget::Factor(FactorId::new()),
        CodeTarget::Challenge(TokenHash::from_trusted("sha256(mfa-token)".into())),
    ] {
        let msg = code_mail(target.clone());
        let mut m = Mocks::new();
        let mut order = Sequence::new();
        claims(&mut m.outbox, vec![msg.clone()]);
        marks_sent(&mut m.outbox, msg.id);
        mints(&mut m, &target, Ok(true), &mut order);
        let mut mailer = MockMailer::new();
        mailer
            .expect_deliver()
            .times(1)
            .in_sequence(&mut order)
            .withf(|letter| {
                letter.code.as_ref().map(OtpCode::as_str) == Some("042042")
                    && letter.link_token.is_none()
                    && !format!("{letter:?}").contains("042042")
            })
            .returning(|_| Ok(()));
        assert_eq!(worker(m, mailer).run_once(10).await.unwrap(), 1);
    }
}

#[tokio::test]
async fn a_code_for_a_target_that_is_gone_is_dropped_unsent() {
    let target = CodeTarget::Challenge(TokenHash::from_trusted("sha256(used)".into()));
    let mut m = Mocks::new();
    mints(&mut m, &target, Ok(false), &mut Sequence::new());
    is_dropped(m, code_mail(target)).await;
}

#[tokio::test]
async fn a_storage_outage_leaves_the_code_mail_for_a_retry() {
    let target = CodeTarget::Factor(FactorId::new());
    let msg = code_mail(target.clone());
    let id = msg.id;
    let mut m = Mocks::new();
    claims(&mut m.outbox, vec![msg]);
    m.outbox.expect_mark_sent().never();
    m.outbox
        .expect_mark_failed()
        .times(1)
        .withf(move |failed, retry_at, _| *failed == id && retry_at.is_some())
        .returning(|_, _, _| Ok(()));
    mints(&mut m, &target, Err(()), &mut Sequence::new());
    let mut mailer = MockMailer::new();
    mailer.expect_deliver().never();
    assert_eq!(worker(m, mailer).run_once(10).await.unwrap(), 0);
}
