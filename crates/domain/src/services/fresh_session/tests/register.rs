//! `FreshSession::register`: the registration, then a session unless the login requires a
//! verified email first.

use super::{fresh, fresh_verifying, new_password_hash, no_session, session_starts_with};
use crate::audit::AuditKind;
use crate::ports::{CreateSessionError, CreateUserError};
use crate::services::test_support::{Mocks, STRONG, capture_audit, opaque};
use crate::services::{RegisterError, RegisterInput, SignedUp};
use crate::session::ClientInfo;
use crate::user::AccountStatus;
use std::sync::Arc;

fn registration_input() -> RegisterInput {
    RegisterInput {
        email: "jane@example.com".into(),
        username: None,
        password: STRONG.into(),
        first_name: Some("Jane".into()),
        last_name: Some("Doe".into()),
        ..RegisterInput::default()
    }
}

#[tokio::test]
async fn a_registration_signs_the_new_pending_account_in() {
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    new_password_hash(&mut m);
    m.users.expect_create().times(1).returning(|_, _| Ok(()));
    // One token for the username's suffix, one for the first refresh token.
    m.tokens
        .expect_generate()
        .times(1)
        .returning(|| opaque("AAAAAAAA"));
    session_starts_with(&mut m, "$2b$12$new");

    let signed_up = fresh(m)
        .register(registration_input(), &ClientInfo::default())
        .await
        .unwrap();

    let SignedUp::SignedIn(ok) = signed_up else {
        panic!("not signed in: {signed_up:?}");
    };

    assert_eq!(ok.tokens.access_token, "signed.jwt");
    assert_eq!(
        ok.tokens.refresh_token.as_ref().map(|t| t.expose()),
        Some("first-refresh")
    );
    assert_eq!(ok.user.status, AccountStatus::Pending);
    assert_eq!(ok.user.username.as_str(), "jane-aaaaaa");
    let events = events.lock().unwrap();
    let kinds: Vec<_> = events.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [AuditKind::UserRegistered, AuditKind::LoginSucceeded]
    );
    assert_eq!(events[1].detail.as_deref(), Some("registration"));
    assert_eq!(events[1].session_id, Some(ok.session_id));
}

#[tokio::test]
async fn with_verification_required_a_registration_opens_no_session() {
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    new_password_hash(&mut m);
    m.users.expect_create().times(1).returning(|_, _| Ok(()));
    m.tokens
        .expect_generate()
        .times(1)
        .returning(|| opaque("AAAAAAAA"));
    no_session(&mut m);

    let signed_up = fresh_verifying(m, true)
        .register(registration_input(), &ClientInfo::default())
        .await
        .unwrap();

    let SignedUp::VerificationRequired(user) = signed_up else {
        panic!("not waiting for its verification: {signed_up:?}");
    };
    assert_eq!(user.status, AccountStatus::Pending);
    assert!(!user.email_verified);
    let kinds: Vec<_> = events.lock().unwrap().iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [AuditKind::UserRegistered]);
}

/// The account was suspended (or its password reset) between its creation and its session:
/// registered, not signed in, and no server error.
#[tokio::test]
async fn a_session_refused_after_the_registration_still_answers_registered() {
    let mut m = Mocks::new();
    new_password_hash(&mut m);
    m.users.expect_create().times(1).returning(|_, _| Ok(()));
    m.users
        .expect_record_login_success()
        .returning(|_, _, _| Ok(()));
    m.tokens.expect_generate().returning(|| opaque("AAAAAAAA"));
    m.sessions
        .expect_create()
        .times(1)
        .returning(|_, _, _, _| Err(CreateSessionError::CredentialsChanged));
    m.access_tokens.expect_issue().never();

    let signed_up = fresh(m)
        .register(registration_input(), &ClientInfo::default())
        .await
        .unwrap();

    assert!(
        matches!(signed_up, SignedUp::NotSignedIn(_)),
        "{signed_up:?}"
    );
}

#[tokio::test]
async fn a_refused_registration_signs_nothing_in() {
    for taken in [CreateUserError::EmailTaken, CreateUserError::UsernameTaken] {
        let explicit = matches!(taken, CreateUserError::UsernameTaken);
        let mut m = Mocks::new();
        new_password_hash(&mut m);
        let answer = Arc::new(std::sync::Mutex::new(Some(taken)));
        m.users
            .expect_create()
            .times(1)
            .returning(move |_, _| Err(answer.lock().unwrap().take().unwrap()));
        m.tokens
            .expect_generate()
            .times(usize::from(!explicit))
            .returning(|| opaque("A"));
        no_session(&mut m);
        let input = RegisterInput {
            username: explicit.then(|| "jane_doe".to_owned()),
            ..registration_input()
        };
        let err = fresh(m)
            .register(input, &ClientInfo::default())
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                RegisterError::EmailTaken | RegisterError::UsernameTaken
            ),
            "{err:?}"
        );
        assert_eq!(explicit, matches!(err, RegisterError::UsernameTaken));
    }
}

#[tokio::test]
async fn an_invalid_registration_signs_nothing_in() {
    let mut m = Mocks::new();
    m.hasher.expect_hash().never();
    m.users.expect_create().never();
    no_session(&mut m);
    let input = RegisterInput {
        password: "password".into(),
        ..registration_input()
    };
    let err = fresh(m)
        .register(input, &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(matches!(err, RegisterError::Validation(_)), "{err:?}");
}
