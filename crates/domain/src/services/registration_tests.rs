//! Unit tests of [`super::Registration`] and [`super::EmailVerification`] against mocked ports.

use super::test_support::{
    Mocks, active_user, audit_kinds, capture_audit, opaque, port_down, settings, t0,
};
use super::{EmailVerification, RegisterError, RegisterInput, Registration, VerifyEmailError};
use crate::audit::AuditKind;
use crate::authorization::Role;
use crate::error::InfraError;
use crate::ids::MessageId;
use crate::notification::Notification;
use crate::ports::{ConsumeError, CreateUserError, HashError};
use crate::services::email_verification::ResendError;
use crate::session::ClientInfo;
use crate::user::{AccountStatus, User};
use crate::values::PasswordHash;

fn valid_input() -> RegisterInput {
    RegisterInput {
        email: "jane@example.com".into(),
        username: "jane_doe".into(),
        password: "Correct-Horse-42!".into(),
        first_name: Some("Jane".into()),
        last_name: Some("Doe".into()),
        phone: Some("+1 555 0100".into()),
    }
}

fn registration(m: Mocks) -> Registration {
    Registration::new(m.into_ports(), settings())
}

fn hashes(m: &mut Mocks) {
    m.hasher
        .expect_hash()
        .times(1)
        .returning(|_| Ok(PasswordHash::from_trusted("$2b$12$hash".into())));
    // The link token is minted by the mail worker, not at registration.
    m.tokens.expect_generate().never();
}

fn nothing_is_stored(m: &mut Mocks) {
    m.hasher.expect_hash().never();
    m.users.expect_create().never();
}

#[tokio::test]
async fn a_valid_registration_stores_a_pending_account_with_its_verification_email() {
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    hashes(&mut m);
    m.users
        .expect_create()
        .withf(|user, mail| {
            user.status == AccountStatus::Pending
                && !user.email_verified
                && user.roles == [Role::User]
                && user.password_hash.as_str() == "$2b$12$hash"
                && user.created_at == t0()
                && matches!(mail, Notification::VerifyEmail { user_id, to, username }
                    if *user_id == user.id
                        && to.as_str() == "jane@example.com"
                        && username.as_str() == "jane_doe")
        })
        .times(1)
        .returning(|_, _| Ok(()));

    let user = registration(m)
        .register(valid_input(), &ClientInfo::default())
        .await
        .unwrap();

    assert_eq!(user.username.as_str(), "jane_doe");
    assert_eq!(
        user.profile.first_name.as_ref().map(|n| n.as_str()),
        Some("Jane")
    );
    assert_eq!(
        user.profile.phone.as_ref().map(|p| p.as_str()),
        Some("+1 555 0100")
    );
    assert_eq!(audit_kinds(&events), vec![AuditKind::UserRegistered]);
}

#[tokio::test]
async fn every_invalid_field_is_reported_at_once() {
    let mut m = Mocks::new();
    nothing_is_stored(&mut m);
    let input = RegisterInput {
        email: "not-an-email".into(),
        username: "x".into(),
        password: "short".into(),
        first_name: Some("n".repeat(101)),
        last_name: Some("Bad\u{7}Name".into()),
        phone: Some("call me".into()),
    };
    let Err(RegisterError::Validation(errors)) = registration(m)
        .register(input, &ClientInfo::default())
        .await
    else {
        panic!("expected a validation error");
    };
    let mut fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
    fields.dedup();
    assert_eq!(
        fields,
        [
            "email",
            "username",
            "firstName",
            "lastName",
            "phone",
            "password"
        ]
    );
}

#[tokio::test]
async fn a_password_containing_the_username_is_rejected() {
    let mut m = Mocks::new();
    nothing_is_stored(&mut m);
    let input = RegisterInput {
        password: "Jane_Doe-Rocks-42!".into(),
        ..valid_input()
    };
    let Err(RegisterError::Validation(errors)) = registration(m)
        .register(input, &ClientInfo::default())
        .await
    else {
        panic!("expected a validation error");
    };
    assert!(errors.0.iter().all(|e| e.field == "password"));
    assert!(!errors.is_empty());
}

#[tokio::test]
async fn blank_optional_fields_are_treated_as_absent() {
    let mut m = Mocks::new();
    hashes(&mut m);
    m.users.expect_create().returning(|_, _| Ok(()));
    let input = RegisterInput {
        first_name: Some(String::new()),
        last_name: Some("  ".into()),
        phone: None,
        ..valid_input()
    };
    let user = registration(m)
        .register(input, &ClientInfo::default())
        .await
        .unwrap();
    assert_eq!(user.profile.first_name, None);
    assert_eq!(user.profile.last_name, None);
}

async fn register_against(taken: fn() -> CreateUserError) -> RegisterError {
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    hashes(&mut m);
    m.users.expect_create().returning(move |_, _| Err(taken()));
    let err = registration(m)
        .register(valid_input(), &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(audit_kinds(&events).is_empty());
    err
}

#[tokio::test]
async fn a_registered_email_answers_email_taken() {
    let err = register_against(|| CreateUserError::EmailTaken).await;
    assert!(matches!(err, RegisterError::EmailTaken));
}

#[tokio::test]
async fn a_taken_username_answers_username_taken() {
    let err = register_against(|| CreateUserError::UsernameTaken).await;
    assert!(matches!(err, RegisterError::UsernameTaken));
}

#[tokio::test]
async fn a_storage_outage_on_create_is_an_infrastructure_error() {
    let err = register_against(|| CreateUserError::Port(port_down())).await;
    assert!(matches!(
        err,
        RegisterError::Infra(InfraError::Unavailable(_))
    ));
}

#[tokio::test]
async fn a_full_hashing_queue_answers_busy_and_stores_nothing() {
    let mut m = Mocks::new();
    m.hasher.expect_hash().returning(|_| Err(HashError::Busy));
    m.users.expect_create().never();
    let err = registration(m)
        .register(valid_input(), &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(matches!(err, RegisterError::Infra(InfraError::Busy)));
}

#[tokio::test]
async fn a_lost_audit_event_does_not_fail_the_registration() {
    let mut m = Mocks::new();
    m.audit = crate::ports::MockAuditLog::new();
    m.audit
        .expect_record()
        .times(1)
        .returning(|_| Err(port_down()));
    hashes(&mut m);
    m.users.expect_create().returning(|_, _| Ok(()));
    assert!(
        registration(m)
            .register(valid_input(), &ClientInfo::default())
            .await
            .is_ok()
    );
}

fn verification(m: Mocks) -> EmailVerification {
    EmailVerification::new(m.into_ports(), settings())
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
