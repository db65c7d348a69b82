//! Registrations without a username (the CheckInn dialect): one is derived from the address.

use super::{RegisterError, RegisterInput, registration, valid_input};
use crate::notification::Notification;
use crate::ports::CreateUserError;
use crate::services::test_support::{Mocks, opaque};
use crate::session::ClientInfo;
use crate::values::PasswordHash;
use std::sync::{Arc, Mutex};

fn without_username() -> RegisterInput {
    RegisterInput {
        email: "Jane.Doe+news@example.com".into(),
        username: None,
        ..valid_input()
    }
}

/// Each call of the token generator gives the next of `raws`.
fn randomness(m: &mut Mocks, raws: &'static [&'static str]) {
    let next = Arc::new(Mutex::new(raws.iter()));
    m.tokens
        .expect_generate()
        .times(raws.len())
        .returning(move || opaque(next.lock().unwrap().next().unwrap()));
}

fn hashes(m: &mut Mocks) {
    m.hasher
        .expect_hash()
        .times(1)
        .returning(|_| Ok(PasswordHash::from_trusted("$2b$12$hash".into())));
}

/// The usernames `create` was called with, each answered by the next of `answers`.
fn creates(
    m: &mut Mocks,
    answers: Vec<fn() -> Result<(), CreateUserError>>,
) -> Arc<Mutex<Vec<String>>> {
    let tried = Arc::new(Mutex::new(Vec::new()));
    let seen = tried.clone();
    let times = answers.len();
    let answers = Mutex::new(answers.into_iter());
    m.users
        .expect_create()
        .times(times)
        .returning(move |user, mail| {
            let Notification::VerifyEmail { username, .. } = mail else {
                panic!("expected the verification mail, got {mail:?}");
            };
            assert_eq!(
                username, &user.username,
                "the mail names the stored username"
            );
            seen.lock().unwrap().push(user.username.as_str().to_owned());
            (answers.lock().unwrap().next().unwrap())()
        });
    tried
}

#[tokio::test]
async fn without_a_username_one_is_derived_from_the_address() {
    let mut m = Mocks::new();
    hashes(&mut m);
    randomness(&mut m, &["AAAAAAAA"]);
    let tried = creates(&mut m, vec![|| Ok(())]);
    let user = registration(m)
        .register(without_username(), &ClientInfo::default())
        .await
        .unwrap();
    assert_eq!(user.username.as_str(), "JaneDoenews-aaaaaa");
    assert_eq!(*tried.lock().unwrap(), ["JaneDoenews-aaaaaa"]);
}

#[tokio::test]
async fn a_derived_username_that_is_taken_is_replaced_by_another() {
    let mut m = Mocks::new();
    hashes(&mut m);
    randomness(&mut m, &["AAAAAAAA", "BBBBBBBB"]);
    let tried = creates(
        &mut m,
        vec![|| Err(CreateUserError::UsernameTaken), || Ok(())],
    );
    let user = registration(m)
        .register(without_username(), &ClientInfo::default())
        .await
        .unwrap();
    assert_eq!(user.username.as_str(), "JaneDoenews-bbbbbb");
    assert_eq!(
        *tried.lock().unwrap(),
        ["JaneDoenews-aaaaaa", "JaneDoenews-bbbbbb"]
    );
}

#[tokio::test]
async fn after_three_retries_a_taken_derived_username_answers_username_taken() {
    let mut m = Mocks::new();
    hashes(&mut m);
    randomness(&mut m, &["AAAAAAAA", "BBBBBBBB", "CCCCCCCC", "DDDDDDDD"]);
    let taken: fn() -> Result<(), CreateUserError> = || Err(CreateUserError::UsernameTaken);
    let tried = creates(&mut m, vec![taken; 4]);
    let err = registration(m)
        .register(without_username(), &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(matches!(err, RegisterError::UsernameTaken), "{err:?}");
    assert_eq!(tried.lock().unwrap().len(), 4);
}

#[tokio::test]
async fn a_taken_email_is_not_retried() {
    let mut m = Mocks::new();
    hashes(&mut m);
    randomness(&mut m, &["AAAAAAAA"]);
    creates(&mut m, vec![|| Err(CreateUserError::EmailTaken)]);
    let err = registration(m)
        .register(without_username(), &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(matches!(err, RegisterError::EmailTaken), "{err:?}");
}

#[tokio::test]
async fn an_explicit_username_that_is_taken_is_not_replaced() {
    let mut m = Mocks::new();
    hashes(&mut m);
    m.tokens.expect_generate().never();
    let tried = creates(&mut m, vec![|| Err(CreateUserError::UsernameTaken)]);
    let err = registration(m)
        .register(valid_input(), &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(matches!(err, RegisterError::UsernameTaken), "{err:?}");
    assert_eq!(*tried.lock().unwrap(), ["jane_doe"]);
}

/// Without a username, only the fields sent can be wrong.
#[tokio::test]
async fn without_a_username_an_invalid_address_is_the_only_error() {
    let mut m = Mocks::new();
    m.hasher.expect_hash().never();
    m.users.expect_create().never();
    m.tokens.expect_generate().never();
    let input = RegisterInput {
        email: "not-an-email".into(),
        ..without_username()
    };
    let Err(RegisterError::Validation(errors)) = registration(m)
        .register(input, &ClientInfo::default())
        .await
    else {
        panic!("expected a validation error");
    };
    let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["email"]);
}
