//! Conformance checks of creating accounts: found as stored, the mail queued with them, and
//! unique by email, by username and by a username's look-alike key, also under races.

use crate::StorageUnderTest;
use crate::fixtures::{self, unique};
use crate::support::{concurrently, count_mail, create, queued_mail, register, registered_user};
use authd_domain::ids::UserId;
use authd_domain::notification::Notification;
use authd_domain::ports::CreateUserError;
use authd_domain::token::TokenPurpose;
use authd_domain::user::User;
use authd_domain::values::{Email, Username};
use std::sync::Arc;

/// A stored account is found by id, and by email and username in any case.
pub async fn created_user_can_be_found_by_id_email_and_username(s: &StorageUnderTest) {
    let id = unique();
    let user = fixtures::user_with(&format!("Jane.{id}@Example.com"), &format!("Jane_{id}"));
    create(s, &user).await;

    let by_id = s.users.find_by_id(user.id).await.unwrap();
    assert_eq!(by_id.as_ref(), Some(&user), "stored as given");
    let by_email = s
        .users
        .find_by_email(&Email::from_trusted(format!("jane.{id}@example.COM")))
        .await
        .unwrap();
    assert_eq!(
        by_email.map(|u| u.id),
        Some(user.id),
        "email lookup ignores case"
    );
    let by_username = s
        .users
        .find_by_username(&Username::from_trusted(format!("JANE_{id}")))
        .await
        .unwrap();
    assert_eq!(
        by_username.map(|u| u.id),
        Some(user.id),
        "username lookup ignores case"
    );

    assert!(s.users.find_by_id(UserId::new()).await.unwrap().is_none());
    let nobody = Email::from_trusted(format!("nobody-{}@example.com", unique()));
    assert!(s.users.find_by_email(&nobody).await.unwrap().is_none());
    let nobody = Username::from_trusted(format!("nobody_{}", unique()));
    assert!(s.users.find_by_username(&nobody).await.unwrap().is_none());
}

/// Registration queues the verification mail with the account, in the same unit of work; the
/// queued mail names the account, whose link token the mail worker mints when it sends it.
pub async fn create_queues_the_verification_mail_with_the_account(s: &StorageUnderTest) {
    let user = fixtures::user();

    create(s, &user).await;

    let stored = s.users.find_by_id(user.id).await.unwrap();
    assert_eq!(stored.as_ref(), Some(&user));
    let mail: Vec<Notification> = queued_mail(s)
        .await
        .into_iter()
        .filter(|n| n.recipient().normalized() == user.email.normalized())
        .collect();
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert!(
        matches!(&mail[0], Notification::VerifyEmail { user_id, to, username }
            if *user_id == user.id && *to == user.email && *username == user.username),
        "{mail:?}"
    );
    assert_eq!(
        mail[0].link(),
        Some((user.id, TokenPurpose::EmailVerification)),
        "the mail's link is for this account"
    );
}

/// An email used by another account, in another case, is refused and nothing is stored.
pub async fn duplicate_email_is_rejected_case_insensitively(s: &StorageUnderTest) {
    let first = registered_user(s).await;
    let shouted = first.email.as_str().to_uppercase();
    let second = fixtures::user_with(&shouted, &format!("other_{}", unique()));

    let result = s
        .users
        .create(&second, &fixtures::verify_mail(&second))
        .await;

    assert!(
        matches!(result, Err(CreateUserError::EmailTaken)),
        "{result:?}"
    );
    assert!(s.users.find_by_id(second.id).await.unwrap().is_none());
    assert!(
        s.users
            .find_by_username(&second.username)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        count_mail(s, "verify_email", &first.email).await,
        1,
        "the refused account's mail is not queued"
    );
}

/// A username used by another account, in another case, is refused and nothing is stored.
pub async fn duplicate_username_is_rejected_case_insensitively(s: &StorageUnderTest) {
    let first = registered_user(s).await;
    let second = fixtures::user_with(
        &format!("other-{}@example.com", unique()),
        &first.username.as_str().to_uppercase(),
    );

    let result = s
        .users
        .create(&second, &fixtures::verify_mail(&second))
        .await;

    assert!(
        matches!(result, Err(CreateUserError::UsernameTaken)),
        "{result:?}"
    );
    assert!(
        s.users
            .find_by_email(&second.email)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(count_mail(s, "verify_email", &second.email).await, 0);
}

/// 20 registrations racing for one email: exactly one account exists afterwards.
pub async fn concurrent_creates_with_one_email_have_exactly_one_winner(s: &StorageUnderTest) {
    let email = format!("race-{}@example.com", unique());
    let candidates: Vec<_> = (0..20)
        .map(|_| fixtures::user_with(&email, &format!("racer_{}", unique())))
        .collect();
    let candidates = Arc::new(candidates);
    let (results, winners) = race_to_create(s, &candidates).await;
    assert_eq!(winners.len(), 1, "{results:?}");
    assert!(
        results
            .iter()
            .all(|r| matches!(r, Ok(_) | Err(CreateUserError::EmailTaken))),
        "{results:?}"
    );
    let stored = s
        .users
        .find_by_email(&Email::from_trusted(email.clone()))
        .await
        .unwrap();
    assert_eq!(stored.map(|u| u.id), Some(winners[0]));
    assert_eq!(
        count_mail(s, "verify_email", &Email::from_trusted(email)).await,
        1
    );
}

/// Once `alice` exists, `aIice` (capital i), `ALlCE` and `a1ice` are taken: refused with nothing
/// stored and no mail queued. A login by username still finds only `alice`, in any case.
pub async fn a_look_alike_of_a_taken_username_is_rejected(s: &StorageUnderTest) {
    let id = unique();
    let alice = fixtures::user_with(&format!("alice-{id}@example.com"), &format!("alice_{id}"));
    register(s, &alice).await;

    for (n, lookalike) in ["aIice", "ALlCE", "a1ice"].into_iter().enumerate() {
        let other = fixtures::user_with(
            &format!("other{n}-{id}@example.com"),
            &format!("{lookalike}_{id}"),
        );
        let result = s.users.create(&other, &fixtures::verify_mail(&other)).await;
        assert!(
            matches!(result, Err(CreateUserError::UsernameTaken)),
            "{lookalike}: {result:?}"
        );
        assert!(s.users.find_by_id(other.id).await.unwrap().is_none());
        assert_eq!(count_mail(s, "verify_email", &other.email).await, 0);
        assert!(
            s.users
                .find_by_username(&other.username)
                .await
                .unwrap()
                .is_none(),
            "a login as {lookalike} must not reach alice"
        );
    }
    let by_username = s
        .users
        .find_by_username(&Username::from_trusted(format!("ALICE_{id}")))
        .await
        .unwrap();
    assert_eq!(by_username.map(|u| u.username), Some(alice.username));
}

/// `alicia` and `alise` beside `alice` look different: both are accepted.
pub async fn names_that_only_resemble_a_taken_username_are_accepted(s: &StorageUnderTest) {
    let id = unique();
    for (n, name) in ["alice", "alicia", "alise", "Bob_9", "Bop_9"]
        .into_iter()
        .enumerate()
    {
        let user = fixtures::user_with(
            &format!("resemble{n}-{id}@example.com"),
            &format!("{name}_{id}"),
        );
        create(s, &user).await;
        let stored = s.users.find_by_username(&user.username).await.unwrap();
        assert_eq!(stored.map(|u| u.username), Some(user.username), "{name}");
    }
}

/// 20 registrations racing with look-alikes of one name (`alice`, `aIice`, `ALlCE`, ...), each
/// with its own email: exactly one account exists afterwards.
pub async fn concurrent_creates_of_look_alike_usernames_have_exactly_one_winner(
    s: &StorageUnderTest,
) {
    let id = unique();
    let spellings = ["alice", "aIice", "ALlCE", "a1ice", "AL1CE"];
    let candidates: Vec<_> = (0..20)
        .map(|i| {
            fixtures::user_with(
                &format!("racer{i}-{id}@example.com"),
                &format!("{}_{id}", spellings[i % spellings.len()]),
            )
        })
        .collect();
    let candidates = Arc::new(candidates);
    let (results, winners) = race_to_create(s, &candidates).await;
    assert_eq!(winners.len(), 1, "{results:?}");
    assert!(
        results
            .iter()
            .all(|r| matches!(r, Ok(_) | Err(CreateUserError::UsernameTaken))),
        "{results:?}"
    );
    let mut mails = 0;
    for user in candidates.iter() {
        mails += count_mail(s, "verify_email", &user.email).await;
    }
    assert_eq!(mails, 1, "only the winner's mail is queued");
}

/// Creates every candidate at once, one task each; returns each outcome and the winners' ids.
async fn race_to_create(
    s: &StorageUnderTest,
    candidates: &Arc<Vec<User>>,
) -> (Vec<Result<UserId, CreateUserError>>, Vec<UserId>) {
    let results = concurrently(candidates.len(), |i| {
        let users = Arc::clone(&s.users);
        let candidates = Arc::clone(candidates);
        async move {
            let user = &candidates[i];
            users
                .create(user, &fixtures::verify_mail(user))
                .await
                .map(|()| user.id)
        }
    })
    .await;
    let winners = results
        .iter()
        .filter_map(|r| r.as_ref().ok().copied())
        .collect();
    (results, winners)
}
