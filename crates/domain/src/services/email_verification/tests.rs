//! Unit tests of [`super::EmailVerification`] against mocked ports.

use super::{EmailVerification, EmailVerificationPorts, ResendError, VerifyEmailError};
use crate::audit::AuditKind;
use crate::error::InfraError;
use crate::ids::MessageId;
use crate::notification::Notification;
use crate::ports::ConsumeError;
use crate::services::test_support::{
    Mocks, active_user, capture_audit, cooldown_answers, opaque, port_down, t0,
};
use crate::session::ClientInfo;
use crate::user::{AccountStatus, User};
use chrono::Duration;
use std::sync::Arc;

/// The mail cooldown is off unless a test turns it on ([`verification_cooling`]).
fn verification(m: Mocks) -> EmailVerification {
    verification_cooling(m, Duration::zero())
}

fn verification_cooling(m: Mocks, cooldown: Duration) -> EmailVerification {
    EmailVerification::new(
        EmailVerificationPorts {
            users: Arc::new(m.users),
            one_time_tokens: Arc::new(m.one_time_tokens),
            outbox: Arc::new(m.outbox),
            tokens: Arc::new(m.tokens),
            rate_limiter: Arc::new(m.rate_limiter),
            audit: Arc::new(m.audit),
            clock: Arc::new(m.clock),
        },
        cooldown,
    )
}

async fn verify_with(
    outcome: fn() -> Result<crate::ids::UserId, ConsumeError>,
) -> Result<(), VerifyEmailError> {
    let mut m = Mocks::new();
    m.tokens.expect_digest().returning(|raw| opaque(raw).hash);
    m.one_time_tokens
        .expect_consume_verification()
        .withf(|hash, now| hash.as_str() == "hash-link-token" && *now == t0())
        .times(1)
        .returning(move |_, _| outcome());
    verification(m)
        .verify(&"link-token".into(), &ClientInfo::default())
        .await
}

#[tokio::test]
async fn a_valid_verification_token_activates_the_account() {
    let user = active_user();
    let id = user.id;
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    m.tokens.expect_digest().returning(|raw| opaque(raw).hash);
    m.one_time_tokens
        .expect_consume_verification()
        .times(1)
        .returning(move |_, _| Ok(id));
    verification(m)
        .verify(&"link-token".into(), &ClientInfo::default())
        .await
        .unwrap();
    let events = events.lock().unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, AuditKind::EmailVerified);
    assert_eq!(events[0].user_id, Some(id));
}

#[tokio::test]
async fn an_empty_verification_token_is_invalid_without_a_lookup() {
    let err = verification(Mocks::new())
        .verify(&"".into(), &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(matches!(err, VerifyEmailError::InvalidToken));
}

#[tokio::test]
async fn an_unknown_or_used_verification_token_is_invalid() {
    let err = verify_with(|| Err(ConsumeError::NotFound))
        .await
        .unwrap_err();
    assert!(matches!(err, VerifyEmailError::InvalidToken));
}

#[tokio::test]
async fn an_expired_verification_token_answers_token_expired() {
    let err = verify_with(|| Err(ConsumeError::Expired))
        .await
        .unwrap_err();
    assert!(matches!(err, VerifyEmailError::TokenExpired));
}

#[tokio::test]
async fn a_storage_outage_during_verification_is_an_infrastructure_error() {
    let err = verify_with(|| Err(ConsumeError::Port(port_down())))
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        VerifyEmailError::Infra(InfraError::Unavailable(_))
    ));
}

fn pending_user() -> User {
    User {
        status: AccountStatus::Pending,
        email_verified: false,
        ..active_user()
    }
}

fn account_is(m: &mut Mocks, user: Option<User>) {
    m.users
        .expect_find_by_email()
        .withf(|e| e.as_str() == "jane@example.com")
        .times(1)
        .returning(move |_| Ok(user.clone()));
}

#[tokio::test]
async fn resending_to_a_pending_account_queues_a_new_verification_email() {
    let user = pending_user();
    let id = user.id;
    let mut m = Mocks::new();
    account_is(&mut m, Some(user));
    // The link token is minted by the mail worker, just before sending.
    m.tokens.expect_generate().never();
    m.one_time_tokens.expect_issue().never();
    m.outbox
        .expect_enqueue()
        .withf(move |mail, now| {
            *now == t0()
                && matches!(mail, Notification::VerifyEmail { user_id, to, username }
                    if *user_id == id
                        && to.as_str() == "jane@example.com"
                        && username.as_str() == "jane")
        })
        .times(1)
        .returning(|_, _| Ok(MessageId::new()));
    verification(m)
        .resend(" jane@example.com ", &ClientInfo::default())
        .await
        .unwrap();
}

async fn resend_to(user: Option<User>) -> Result<(), ResendError> {
    let mut m = Mocks::new();
    account_is(&mut m, user);
    m.outbox.expect_enqueue().never();
    verification(m)
        .resend("jane@example.com", &ClientInfo::default())
        .await
}

#[tokio::test]
async fn resending_to_an_unknown_address_does_nothing_and_still_succeeds() {
    assert!(resend_to(None).await.is_ok());
}

#[tokio::test]
async fn resending_to_a_verified_account_does_nothing_and_still_succeeds() {
    assert!(resend_to(Some(active_user())).await.is_ok());
}

#[tokio::test]
async fn resending_to_a_malformed_address_is_a_validation_error() {
    let mut m = Mocks::new();
    m.users.expect_find_by_email().never();
    let Err(ResendError::Validation(errors)) =
        verification(m).resend("nope", &ClientInfo::default()).await
    else {
        panic!("expected a validation error");
    };
    assert_eq!(errors.0[0].field, "email");
}

fn resend_with_cooldown(
    outcome: fn() -> Result<bool, crate::error::PortError>,
    mails: usize,
) -> Mocks {
    let mut m = Mocks::new();
    account_is(&mut m, Some(pending_user()));
    cooldown_answers(&mut m, "verify_email", Duration::seconds(60), outcome);
    m.outbox
        .expect_enqueue()
        .times(mails)
        .returning(|_, _| Ok(MessageId::new()));
    m
}

#[tokio::test]
async fn a_resend_outside_the_cooldown_queues_the_mail() {
    let m = resend_with_cooldown(|| Ok(true), 1);
    verification_cooling(m, Duration::seconds(60))
        .resend("jane@example.com", &ClientInfo::default())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_resend_within_the_cooldown_succeeds_the_same_and_queues_nothing() {
    let m = resend_with_cooldown(|| Ok(false), 0);
    verification_cooling(m, Duration::seconds(60))
        .resend("jane@example.com", &ClientInfo::default())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_resend_whose_cooldown_store_fails_queues_the_mail() {
    let m = resend_with_cooldown(|| Err(port_down()), 1);
    verification_cooling(m, Duration::seconds(60))
        .resend("jane@example.com", &ClientInfo::default())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_resend_with_the_cooldown_off_never_consults_the_store() {
    let mut m = Mocks::new();
    account_is(&mut m, Some(pending_user()));
    m.rate_limiter.expect_hit().never();
    m.outbox
        .expect_enqueue()
        .times(1)
        .returning(|_, _| Ok(MessageId::new()));
    verification_cooling(m, Duration::zero())
        .resend("jane@example.com", &ClientInfo::default())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_resend_to_an_account_with_nothing_to_verify_never_consults_the_store() {
    let mut m = Mocks::new();
    account_is(&mut m, Some(active_user()));
    m.rate_limiter.expect_hit().never();
    m.outbox.expect_enqueue().never();
    verification_cooling(m, Duration::seconds(60))
        .resend("jane@example.com", &ClientInfo::default())
        .await
        .unwrap();
}
