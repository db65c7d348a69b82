//! Unlocking an account, and storing one as given (the first admin).

use super::{fresh_role, guard, insert, role, stored};
use crate::StorageUnderTest;
use crate::fixtures::{self, t0_plus, unique};
use crate::support::{concurrently, count_mail, registered_user};
use authd_domain::ids::UserId;
use authd_domain::policy::lockout::LockoutState;
use authd_domain::ports::{CreateUserError, InsertAccountError};
use authd_domain::user::{AccountStatus, User};
use authd_domain::values::Email;
use std::sync::Arc;

/// Unlocking clears the lock and the failure count (`true`); an unknown id is `false`.
pub async fn clear_lockout_clears_the_lock_and_the_failure_count(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    let policy = fixtures::lockout_policy();
    for _ in 0..policy.max_attempts {
        s.users
            .record_login_failure(
                user.id,
                t0_plus(10),
                &policy,
                &fixtures::lock_mail(&user, t0_plus(10)),
            )
            .await
            .unwrap();
    }
    assert!(stored(s, user.id).await.lockout.locked_until.is_some());

    assert!(
        s.directory
            .clear_lockout(user.id, t0_plus(20))
            .await
            .unwrap()
    );

    assert_eq!(stored(s, user.id).await.lockout, LockoutState::default());
    assert!(
        !s.directory
            .clear_lockout(UserId::new(), t0_plus(20))
            .await
            .unwrap()
    );
}

/// The account is stored exactly as given (status, roles, verified flag, last login), found by
/// id and by email in any case, and no mail is queued for it.
pub async fn insert_stores_the_account_as_given_and_queues_no_mail(s: &StorageUnderTest) {
    let admin = fresh_role();
    let user = User {
        status: AccountStatus::Active,
        email_verified: true,
        roles: vec![admin.clone(), role("user")],
        last_login: Some(t0_plus(30)),
        updated_at: t0_plus(40),
        ..fixtures::user()
    };

    s.directory.insert(&user).await.unwrap();

    assert_eq!(stored(s, user.id).await, user);
    let upper = Email::from_trusted(user.email.as_str().to_uppercase());
    assert_eq!(
        s.users.find_by_email(&upper).await.unwrap(),
        Some(user.clone())
    );
    assert_eq!(count_mail(s, "verify_email", &user.email).await, 0);
    assert!(s.directory.any_admin(&guard(&[&admin])).await.unwrap());
}

/// An email taken in any case, or a username that looks like a taken one, is refused as
/// registration refuses it, and nothing is stored; an inserted account blocks registration too.
pub async fn insert_refuses_a_taken_email_or_a_look_alike_username(s: &StorageUnderTest) {
    let tag = unique();
    let alice = fixtures::user_with(&format!("alice{tag}@example.com"), &format!("alice{tag}"));
    insert(s, &alice).await;
    let same_email =
        fixtures::user_with(&format!("ALICE{tag}@Example.com"), &format!("other{tag}"));
    let look_alike =
        fixtures::user_with(&format!("other{tag}@example.com"), &format!("aIice{tag}"));

    let result = s.directory.insert(&same_email).await;
    assert!(
        matches!(result, Err(InsertAccountError::EmailTaken)),
        "{result:?}"
    );
    let result = s.directory.insert(&look_alike).await;
    assert!(
        matches!(result, Err(InsertAccountError::UsernameTaken)),
        "{result:?}"
    );
    for refused in [&same_email, &look_alike] {
        assert_eq!(s.users.find_by_id(refused.id).await.unwrap(), None);
    }
    let result = s
        .users
        .create(&same_email, &fixtures::verify_mail(&same_email))
        .await;
    assert!(
        matches!(result, Err(CreateUserError::EmailTaken)),
        "{result:?}"
    );
}

/// Ten concurrent inserts of accounts sharing one email (in different cases): one is stored,
/// nine are refused as taken.
pub async fn concurrent_inserts_with_one_email_have_exactly_one_winner(s: &StorageUnderTest) {
    let tag = unique();
    let results = concurrently(10, |i| {
        let directory = Arc::clone(&s.directory);
        let email = if i % 2 == 0 {
            format!("first{tag}@example.com")
        } else {
            format!("FIRST{tag}@example.com")
        };
        let user = fixtures::user_with(&email, &format!("first{i}n{tag}"));
        async move { directory.insert(&user).await }
    })
    .await;

    let stored = results.iter().filter(|r| r.is_ok()).count();
    let taken = results
        .iter()
        .filter(|r| matches!(r, Err(InsertAccountError::EmailTaken)))
        .count();
    assert_eq!((stored, taken), (1, 9), "{results:?}");
}
