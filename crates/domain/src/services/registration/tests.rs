//! Unit tests of [`super::Registration`] against mocked ports.

use super::{RegisterError, RegisterInput, Registration, RegistrationPorts};
use crate::audit::AuditKind;
use crate::authorization::RoleName;
use crate::error::InfraError;
use crate::notification::Notification;
use crate::ports::{CreateUserError, HashError};
use crate::services::test_support::{
    Mocks, audit_kinds, capture_audit, cooldown_answers, port_down, settings, t0,
};
use crate::session::ClientInfo;
use crate::user::AccountStatus;
use crate::values::{EmailDomains, PasswordHash};
use chrono::Duration;
use std::sync::Arc;

mod derived_username;
mod roles;

fn valid_input() -> RegisterInput {
    RegisterInput {
        email: "jane@example.com".into(),
        username: Some("jane_doe".into()),
        password: "Correct-Horse-42!".into(),
        first_name: Some("Jane".into()),
        last_name: Some("Doe".into()),
        phone: Some("+1 555 0100".into()),
        role: None,
    }
}

fn registration(m: Mocks) -> Registration {
    registration_with(m, settings().email_domains)
}

/// The mail cooldown is off unless a test turns it on ([`registration_cooling`]).
fn registration_with(m: Mocks, email_domains: EmailDomains) -> Registration {
    build(m, email_domains, Duration::zero())
}

fn registration_cooling(m: Mocks, cooldown: Duration) -> Registration {
    build(m, settings().email_domains, cooldown)
}

fn build(m: Mocks, email_domains: EmailDomains, cooldown: Duration) -> Registration {
    build_with_roles(m, email_domains, cooldown, settings().roles)
}

fn build_with_roles(
    m: Mocks,
    email_domains: EmailDomains,
    cooldown: Duration,
    roles: Arc<crate::authorization::RoleCatalog>,
) -> Registration {
    let ports = RegistrationPorts {
        users: Arc::new(m.users),
        hasher: Arc::new(m.hasher),
        rate_limiter: Arc::new(m.rate_limiter),
        tokens: Arc::new(m.tokens),
        audit: Arc::new(m.audit),
        clock: Arc::new(m.clock),
    };
    Registration::new(
        ports,
        roles,
        settings().password_policy,
        email_domains,
        cooldown,
    )
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
                && user.roles == [RoleName::parse("user").unwrap_or_else(|e| panic!("{e}"))]
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
        username: Some("x".into()),
        password: "short".into(),
        first_name: Some("n".repeat(101)),
        last_name: Some("Bad\u{7}Name".into()),
        phone: Some("call me".into()),
        role: None,
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
async fn an_address_that_can_never_receive_mail_is_refused_before_anything_is_stored() {
    for email in ["alice@[127.0.0.1]", "a@b", "alice@localhost"] {
        let mut m = Mocks::new();
        nothing_is_stored(&mut m);
        let input = RegisterInput {
            email: email.into(),
            ..valid_input()
        };
        let Err(RegisterError::Validation(errors)) = registration(m)
            .register(input, &ClientInfo::default())
            .await
        else {
            panic!("{email}: expected a validation error");
        };
        let fields: Vec<(&str, &str)> = errors
            .0
            .iter()
            .map(|e| (e.field.as_str(), e.code))
            .collect();
        assert_eq!(fields, [("email", "INVALID_EMAIL_FORMAT")], "{email}");
    }
}

#[tokio::test]
async fn local_domains_register_when_the_setting_allows_them() {
    let mut m = Mocks::new();
    hashes(&mut m);
    m.users.expect_create().times(1).returning(|_, _| Ok(()));
    let service = registration_with(m, EmailDomains::AllowLocal);
    let input = RegisterInput {
        email: "jane@localhost".into(),
        ..valid_input()
    };
    let user = service
        .register(input, &ClientInfo::default())
        .await
        .unwrap();
    assert_eq!(user.email.as_str(), "jane@localhost");
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

/// A valid registration whose start of the verification cooldown answers `outcome`.
async fn register_with_cooldown(outcome: fn() -> Result<bool, crate::error::PortError>) {
    let mut m = Mocks::new();
    hashes(&mut m);
    m.users.expect_create().times(1).returning(|_, _| Ok(()));
    cooldown_answers(&mut m, "verify_email", Duration::seconds(60), outcome);
    registration_cooling(m, Duration::seconds(60))
        .register(valid_input(), &ClientInfo::default())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_registration_starts_the_verification_cooldown() {
    register_with_cooldown(|| Ok(true)).await;
}

#[tokio::test]
async fn a_registration_still_succeeds_when_its_recipient_is_already_cooling_down() {
    register_with_cooldown(|| Ok(false)).await;
}

#[tokio::test]
async fn a_registration_still_succeeds_when_the_cooldown_store_fails() {
    register_with_cooldown(|| Err(port_down())).await;
}

#[tokio::test]
async fn a_refused_registration_starts_no_cooldown() {
    let mut m = Mocks::new();
    hashes(&mut m);
    m.users
        .expect_create()
        .returning(|_, _| Err(CreateUserError::EmailTaken));
    m.rate_limiter.expect_hit().never();
    let err = registration_cooling(m, Duration::seconds(60))
        .register(valid_input(), &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(matches!(err, RegisterError::EmailTaken));
}

/// The checks alone: every problem of every field, and not a port touched (a mock without
/// expectations panics when called).
#[test]
fn problems_lists_every_bad_field_and_touches_nothing() {
    let service = registration(Mocks::new());
    assert!(service.problems(&valid_input()).is_empty());
    let input = RegisterInput {
        email: "not-an-email".into(),
        password: "short".into(),
        phone: Some("call me maybe".into()),
        ..valid_input()
    };
    let mut fields: Vec<String> = service
        .problems(&input)
        .into_iter()
        .map(|e| e.field)
        .collect();
    // Every rule the password breaks is its own problem.
    fields.dedup();
    assert_eq!(fields, ["email", "phone", "password"]);
}
