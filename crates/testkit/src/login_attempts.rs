//! Conformance checks for [`authd_domain::ports::LoginAttempts`]: the lookup that starts every
//! login, and the failure counts of identifiers naming no account, which must lock exactly as
//! an account does.

use crate::StorageUnderTest;
use crate::clock::ManualClock;
use crate::fixtures::{self, t0_plus, unique};
use crate::support::{concurrently, count_mail, registered_user};
use authd_domain::Timestamp;
use authd_domain::policy::lockout::{FailureOutcome, LockoutPolicy, LockoutState};
use authd_domain::ports::{Clock, LoginName, LoginTarget};
use authd_domain::token::TokenHash;
use authd_domain::values::{Email, Username};
use std::sync::Arc;

/// Every check of this module, each registered as a test on a fresh `$storage` (see
/// [`crate::conformance`]).
#[macro_export]
macro_rules! login_attempts_conformance {
    ($storage:expr) => {
        $crate::__register_checks! { login_attempts, $storage;
            a_login_finds_the_account_by_email_or_username_in_any_case
            a_login_naming_nobody_finds_an_open_lockout_at_first
            unknown_failures_count_down_then_lock_once_without_account_or_mail
            an_expired_unknown_lock_starts_a_fresh_count
            unknown_failures_are_counted_per_identifier
            concurrent_unknown_failures_are_all_counted_and_lock_once
            an_account_is_found_even_where_its_identifier_failed_before_it_existed
        }
    };
}

fn nobody() -> (Email, TokenHash) {
    (
        Email::from_trusted(format!("nobody-{}@example.com", unique())),
        fixtures::token_hash(),
    )
}

async fn unknown_lockout(s: &StorageUnderTest, email: &Email, key: &TokenHash) -> LockoutState {
    match s
        .login_attempts
        .find_for_login(&LoginName::Email(email.clone()), key)
        .await
        .unwrap()
    {
        LoginTarget::Unknown(state) => state,
        LoginTarget::Account(user) => panic!("no account expected, found {user:?}"),
    }
}

async fn fail(s: &StorageUnderTest, key: &TokenHash, now: Timestamp) -> FailureOutcome {
    s.login_attempts
        .record_unknown_failure(key, now, &fixtures::lockout_policy())
        .await
        .unwrap()
}

/// The account is found by its email or username in another case, whatever the key.
pub async fn a_login_finds_the_account_by_email_or_username_in_any_case(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    let names = [
        LoginName::Email(Email::from_trusted(user.email.as_str().to_uppercase())),
        LoginName::Username(Username::from_trusted(
            user.username.as_str().to_uppercase(),
        )),
    ];
    for name in names {
        let found = s
            .login_attempts
            .find_for_login(&name, &fixtures::token_hash())
            .await
            .unwrap();
        assert!(
            matches!(&found, LoginTarget::Account(u) if u.id == user.id),
            "{name:?}: {found:?}"
        );
    }
}

/// An identifier naming no account, or text naming none at all, starts open with nothing
/// counted.
pub async fn a_login_naming_nobody_finds_an_open_lockout_at_first(s: &StorageUnderTest) {
    let (email, key) = nobody();
    assert_eq!(
        unknown_lockout(s, &email, &key).await,
        LockoutState::default()
    );
    let malformed = s
        .login_attempts
        .find_for_login(&LoginName::Malformed, &fixtures::token_hash())
        .await
        .unwrap();
    assert_eq!(malformed, LoginTarget::Unknown(LockoutState::default()));
}

/// The policy applies as to an account: counted down, locked once at the limit, counted but not
/// locked again; no account appears and no mail is queued.
pub async fn unknown_failures_count_down_then_lock_once_without_account_or_mail(
    s: &StorageUnderTest,
) {
    let (email, key) = nobody();
    let policy = LockoutPolicy {
        max_attempts: 3,
        ..LockoutPolicy::default()
    };
    let now = t0_plus(60);
    let until = now + policy.duration;

    let mut outcomes = Vec::new();
    for _ in 0..4 {
        let outcome = s
            .login_attempts
            .record_unknown_failure(&key, now, &policy)
            .await
            .unwrap();
        outcomes.push(outcome);
    }

    assert_eq!(
        outcomes,
        vec![
            FailureOutcome::Counted { remaining: 2 },
            FailureOutcome::Counted { remaining: 1 },
            FailureOutcome::NewlyLocked { until },
            FailureOutcome::AlreadyLocked { until },
        ]
    );
    assert_eq!(
        unknown_lockout(s, &email, &key).await,
        LockoutState {
            failed_attempts: 4,
            last_failed_at: Some(now),
            locked_until: Some(until),
        }
    );
    assert!(s.users.find_by_email(&email).await.unwrap().is_none());
    assert_eq!(count_mail(s, "account_locked", &email).await, 0);
}

/// Once the lock has run out (on a clock the test moves), the next failure counts from one.
pub async fn an_expired_unknown_lock_starts_a_fresh_count(s: &StorageUnderTest) {
    let (email, key) = nobody();
    let policy = fixtures::lockout_policy();
    let clock = ManualClock::at(t0_plus(60));
    for _ in 0..policy.max_attempts {
        fail(s, &key, clock.now()).await;
    }
    let locked = unknown_lockout(s, &email, &key).await;
    assert_eq!(
        policy.locked_until(&locked, clock.now()),
        Some(clock.now() + policy.duration)
    );

    clock.advance(policy.duration);
    assert_eq!(policy.locked_until(&locked, clock.now()), None, "expired");
    let outcome = fail(s, &key, clock.now()).await;

    assert_eq!(
        outcome,
        FailureOutcome::Counted {
            remaining: policy.max_attempts - 1
        }
    );
    let stored = unknown_lockout(s, &email, &key).await;
    assert_eq!(stored.failed_attempts, 1);
    assert_eq!(stored.locked_until, None);
}

/// Each key has its own count.
pub async fn unknown_failures_are_counted_per_identifier(s: &StorageUnderTest) {
    let (email, key) = nobody();
    let (other_email, other_key) = nobody();
    for _ in 0..3 {
        fail(s, &key, t0_plus(60)).await;
    }
    fail(s, &other_key, t0_plus(60)).await;

    assert_eq!(unknown_lockout(s, &email, &key).await.failed_attempts, 3);
    assert_eq!(
        unknown_lockout(s, &other_email, &other_key)
            .await
            .failed_attempts,
        1
    );
}

/// 50 concurrent failures of one identifier: all counted, exactly one locks.
pub async fn concurrent_unknown_failures_are_all_counted_and_lock_once(s: &StorageUnderTest) {
    let (email, key) = nobody();
    let key = Arc::new(key);
    let policy = fixtures::lockout_policy();
    let now = t0_plus(60);

    let outcomes = concurrently(50, |_| {
        let attempts = Arc::clone(&s.login_attempts);
        let key = Arc::clone(&key);
        async move {
            attempts
                .record_unknown_failure(&key, now, &policy)
                .await
                .unwrap()
        }
    })
    .await;

    let newly_locked = outcomes
        .iter()
        .filter(|o| matches!(o, FailureOutcome::NewlyLocked { .. }))
        .count();
    assert_eq!(newly_locked, 1, "{outcomes:?}");
    let counted = outcomes
        .iter()
        .filter(|o| matches!(o, FailureOutcome::Counted { .. }))
        .count();
    assert_eq!(counted, 4, "{outcomes:?}");
    let stored = unknown_lockout(s, &email, &key).await;
    assert_eq!(stored.failed_attempts, 50);
    assert_eq!(stored.locked_until, Some(now + policy.duration));
}

/// Failures counted against an address before anyone registered it do not hide the account.
pub async fn an_account_is_found_even_where_its_identifier_failed_before_it_existed(
    s: &StorageUnderTest,
) {
    let key = fixtures::token_hash();
    for _ in 0..5 {
        fail(s, &key, t0_plus(60)).await;
    }
    let user = registered_user(s).await;

    let found = s
        .login_attempts
        .find_for_login(&LoginName::Email(user.email.clone()), &key)
        .await
        .unwrap();

    assert!(
        matches!(&found, LoginTarget::Account(u) if u.id == user.id && u.lockout == LockoutState::default()),
        "{found:?}"
    );
}
