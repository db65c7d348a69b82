//! Conformance checks for [`authd_domain::ports::UserRepository`]; creating accounts is in
//! [`registration`].

mod password_change;
mod registration;
pub use password_change::*;
pub use registration::*;

use crate::StorageUnderTest;
use crate::fixtures::{self, t0, t0_plus, unique};
use crate::support::{concurrently, count_mail, login, registered_user};
use authd_domain::ids::UserId;
use authd_domain::policy::lockout::{FailureOutcome, LockoutPolicy, LockoutState};
use authd_domain::ports::{CreateSessionError, CreateUserError, Rehash};
use authd_domain::user::{AccountStatus, ProfileChanges};
use authd_domain::values::{PersonName, Phone};
use std::sync::Arc;

/// Every check of this module, each registered as a test on a fresh `$storage` (see
/// [`crate::conformance`]): listing a check here runs it on every adapter of the port.
#[macro_export]
macro_rules! users_conformance {
    ($storage:expr) => {
        $crate::__register_checks! { users, $storage;
            created_user_can_be_found_by_id_email_and_username
            create_queues_the_verification_mail_with_the_account
            duplicate_email_is_rejected_case_insensitively
            duplicate_username_is_rejected_case_insensitively
            concurrent_creates_with_one_email_have_exactly_one_winner
            a_look_alike_of_a_taken_username_is_rejected
            names_that_only_resemble_a_taken_username_are_accepted
            concurrent_creates_of_look_alike_usernames_have_exactly_one_winner
            login_failures_count_down_then_lock_once
            concurrent_login_failures_are_all_counted_and_lock_once
            login_failure_of_unknown_account_is_none
            login_success_clears_the_lockout_and_records_the_login
            a_rehash_does_not_overwrite_a_password_changed_meanwhile
            a_session_is_refused_once_the_password_changed
            profile_update_applies_changes_and_sets_updated_at
            change_password_keeps_only_the_given_session
            a_change_checked_against_a_replaced_hash_stores_nothing
            concurrent_changes_from_one_checked_hash_have_exactly_one_winner
            deactivate_marks_the_account_deleted_and_revokes_every_session
        }
    };
}

/// Failures count down to the limit, lock once with one mail, and keep counting while locked.
pub async fn login_failures_count_down_then_lock_once(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    let policy = LockoutPolicy {
        max_attempts: 3,
        ..LockoutPolicy::default()
    };
    let now = t0_plus(60);
    let until = now + policy.duration;
    let mail = fixtures::lock_mail(&user, until);

    let mut outcomes = Vec::new();
    for _ in 0..4 {
        let outcome = s
            .users
            .record_login_failure(user.id, now, &policy, &mail)
            .await
            .unwrap();
        outcomes.push(outcome);
    }

    assert_eq!(
        outcomes,
        vec![
            Some(FailureOutcome::Counted { remaining: 2 }),
            Some(FailureOutcome::Counted { remaining: 1 }),
            Some(FailureOutcome::NewlyLocked { until }),
            Some(FailureOutcome::AlreadyLocked { until }),
        ]
    );
    let stored = s.users.find_by_id(user.id).await.unwrap().unwrap();
    assert_eq!(stored.lockout.failed_attempts, 4);
    assert_eq!(stored.lockout.locked_until, Some(until));
    assert_eq!(stored.lockout.last_failed_at, Some(now));
    assert_eq!(count_mail(s, "account_locked", &user.email).await, 1);
}

/// 50 concurrent failures: all 50 are counted, one of them locks, one lock mail is queued.
pub async fn concurrent_login_failures_are_all_counted_and_lock_once(s: &StorageUnderTest) {
    let user = Arc::new(registered_user(s).await);
    let policy = fixtures::lockout_policy();
    let now = t0_plus(60);

    let outcomes = concurrently(50, |_| {
        let users = Arc::clone(&s.users);
        let user = Arc::clone(&user);
        async move {
            let mail = fixtures::lock_mail(&user, now + policy.duration);
            users
                .record_login_failure(user.id, now, &policy, &mail)
                .await
                .unwrap()
        }
    })
    .await;

    let newly_locked = outcomes
        .iter()
        .filter(|o| matches!(o, Some(FailureOutcome::NewlyLocked { .. })))
        .count();
    assert_eq!(newly_locked, 1, "{outcomes:?}");
    let stored = s.users.find_by_id(user.id).await.unwrap().unwrap();
    assert_eq!(stored.lockout.failed_attempts, 50);
    assert_eq!(stored.lockout.locked_until, Some(now + policy.duration));
    assert_eq!(count_mail(s, "account_locked", &user.email).await, 1);
}

/// A failure for an account that does not exist changes nothing and says so.
pub async fn login_failure_of_unknown_account_is_none(s: &StorageUnderTest) {
    let ghost = fixtures::user();
    let outcome = s
        .users
        .record_login_failure(
            ghost.id,
            t0(),
            &fixtures::lockout_policy(),
            &fixtures::lock_mail(&ghost, t0()),
        )
        .await
        .unwrap();
    assert_eq!(outcome, None);
}

/// A successful login clears the lockout, records the time and stores a re-hash when given.
pub async fn login_success_clears_the_lockout_and_records_the_login(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    let policy = fixtures::lockout_policy();
    for _ in 0..2 {
        s.users
            .record_login_failure(user.id, t0(), &policy, &fixtures::lock_mail(&user, t0()))
            .await
            .unwrap();
    }
    let rehashed = fixtures::password_hash();

    s.users
        .record_login_success(
            user.id,
            t0_plus(10),
            Some(Rehash {
                verified: user.password_hash.clone(),
                replacement: rehashed.clone(),
            }),
        )
        .await
        .unwrap();

    let stored = s.users.find_by_id(user.id).await.unwrap().unwrap();
    assert_eq!(stored.lockout, LockoutState::default());
    assert_eq!(stored.last_login, Some(t0_plus(10)));
    assert_eq!(stored.password_hash, rehashed);

    s.users
        .record_login_success(user.id, t0_plus(20), None)
        .await
        .unwrap();
    let stored = s.users.find_by_id(user.id).await.unwrap().unwrap();
    assert_eq!(stored.last_login, Some(t0_plus(20)));
    assert_eq!(stored.password_hash, rehashed, "no re-hash keeps the hash");
}

/// A re-hash computed from the password checked before a change is not stored over the newer
/// hash; the login is still recorded.
pub async fn a_rehash_does_not_overwrite_a_password_changed_meanwhile(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    let changed = fixtures::password_hash();
    s.users
        .change_password(
            user.id,
            &user.password_hash,
            &changed,
            None,
            t0_plus(5),
            &fixtures::password_changed_mail(&user, t0_plus(5)),
        )
        .await
        .unwrap();

    s.users
        .record_login_success(
            user.id,
            t0_plus(10),
            Some(Rehash {
                verified: user.password_hash.clone(),
                replacement: fixtures::password_hash(),
            }),
        )
        .await
        .unwrap();

    let stored = s.users.find_by_id(user.id).await.unwrap().unwrap();
    assert_eq!(stored.password_hash, changed, "the newer password stays");
    assert_eq!(stored.last_login, Some(t0_plus(10)));
}

/// A login whose password check predates a password change, or whose account was deactivated
/// meanwhile, gets no session.
pub async fn a_session_is_refused_once_the_password_changed(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    let now = t0_plus(5);
    s.users
        .change_password(
            user.id,
            &user.password_hash,
            &fixtures::password_hash(),
            None,
            now,
            &fixtures::password_changed_mail(&user, now),
        )
        .await
        .unwrap();

    let session = fixtures::session(user.id, t0_plus(10), false);
    let refused = s
        .sessions
        .create(
            &session,
            &fixtures::refresh_token(&session),
            0,
            &user.password_hash,
        )
        .await;
    assert!(matches!(
        refused,
        Err(CreateSessionError::CredentialsChanged)
    ));
    assert_eq!(
        s.sessions.find(session.id).await.unwrap(),
        None,
        "nothing stored"
    );

    let current = s.users.find_by_id(user.id).await.unwrap().unwrap();
    s.users.deactivate(user.id, t0_plus(20)).await.unwrap();
    let session = fixtures::session(user.id, t0_plus(30), false);
    let refused = s
        .sessions
        .create(
            &session,
            &fixtures::refresh_token(&session),
            0,
            &current.password_hash,
        )
        .await;
    assert!(
        matches!(refused, Err(CreateSessionError::CredentialsChanged)),
        "a deactivated account gets no session even with its current hash"
    );
}

/// Profile changes apply field by field, `Some(None)` clears, and `updated_at` moves.
pub async fn profile_update_applies_changes_and_sets_updated_at(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    let set = ProfileChanges {
        first_name: Some(Some(PersonName::from_trusted("Jane".to_owned()))),
        last_name: Some(Some(PersonName::from_trusted("Doe".to_owned()))),
        phone: Some(Some(Phone::from_trusted("+1 555 0100".to_owned()))),
        preferences: None,
    };

    let updated = s
        .users
        .update_profile(user.id, &set, t0_plus(60))
        .await
        .unwrap();

    let updated = updated.expect("the account exists");
    assert_eq!(
        updated.profile.first_name.as_ref().map(PersonName::as_str),
        Some("Jane")
    );
    assert_eq!(
        updated.profile.phone.as_ref().map(Phone::as_str),
        Some("+1 555 0100")
    );
    assert_eq!(updated.updated_at, t0_plus(60));
    assert_eq!(s.users.find_by_id(user.id).await.unwrap(), Some(updated));

    let clear_first_name = ProfileChanges {
        first_name: Some(None),
        ..ProfileChanges::default()
    };
    let updated = s
        .users
        .update_profile(user.id, &clear_first_name, t0_plus(120))
        .await
        .unwrap()
        .expect("the account exists");
    assert_eq!(updated.profile.first_name, None);
    assert_eq!(
        updated.profile.last_name.as_ref().map(PersonName::as_str),
        Some("Doe"),
        "fields left out stay as they were"
    );

    let ghost = s
        .users
        .update_profile(UserId::new(), &set, t0())
        .await
        .unwrap();
    assert_eq!(ghost, None);
}

/// Deactivation marks the account deleted and revokes all its sessions; its email stays taken.
pub async fn deactivate_marks_the_account_deleted_and_revokes_every_session(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    let a = login(s, user.id, t0_plus(1)).await;
    let b = login(s, user.id, t0_plus(2)).await;
    let now = t0_plus(60);

    let mut revoked = s.users.deactivate(user.id, now).await.unwrap();

    revoked.sort_unstable();
    let mut expected = vec![a.session.id, b.session.id];
    expected.sort_unstable();
    assert_eq!(revoked, expected);
    let stored = s.users.find_by_id(user.id).await.unwrap().unwrap();
    assert_eq!(stored.status, AccountStatus::Deleted);
    assert!(
        s.sessions
            .list_active(user.id, now)
            .await
            .unwrap()
            .is_empty()
    );
    let session = s.sessions.find(a.session.id).await.unwrap().unwrap();
    assert_eq!(session.revoked_at, Some(now));

    let again = fixtures::user_with(user.email.as_str(), &format!("again_{}", unique()));
    let result = s.users.create(&again, &fixtures::verify_mail(&again)).await;
    assert!(
        matches!(result, Err(CreateUserError::EmailTaken)),
        "a deleted account keeps its email: {result:?}"
    );
}
