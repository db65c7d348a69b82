//! Conformance checks for [`authd_domain::ports::OneTimeTokenRepository`]: verification, reset
//! and unlock links, single use under concurrency.

mod unlock;
pub use unlock::*;

use crate::StorageUnderTest;
use crate::fixtures::{self, t0, t0_plus};
use crate::support::{concurrently, count_mail, failed_login, login, register, registered_user};
use authd_domain::ids::SessionId;
use authd_domain::policy::lockout::LockoutState;
use authd_domain::ports::{ConsumeError, RotateOutcome};
use authd_domain::token::TokenPurpose;
use authd_domain::user::AccountStatus;
use chrono::Duration;
use std::sync::Arc;

/// Every check of this module, each registered as a test on a fresh `$storage` (see
/// [`crate::conformance`]): listing a check here runs it on every adapter of the port.
#[macro_export]
macro_rules! one_time_tokens_conformance {
    ($storage:expr) => {
        $crate::__register_checks! { one_time_tokens, $storage;
            issued_token_is_found_by_hash_and_purpose
            issue_invalidates_earlier_tokens_of_the_same_purpose
            consume_verification_activates_a_pending_user_once
            expired_or_foreign_verification_token_is_refused
            concurrent_verifications_with_one_token_succeed_once
            consume_reset_replaces_the_password_and_revokes_sessions
            expired_reset_token_changes_nothing
            concurrent_resets_with_one_token_succeed_once
            consume_unlock_clears_the_lockout_once
            an_expired_unlock_token_leaves_the_lock
            only_an_unlock_token_unlocks
            concurrent_unlocks_with_one_token_succeed_once
        }
    };
}

/// An issued token is found by its hash and purpose only; issuing queues no mail (the mail
/// worker issues the token of a mail it is sending).
pub async fn issued_token_is_found_by_hash_and_purpose(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    let token = fixtures::reset_token(&user, t0_plus(60));

    s.one_time_tokens.issue(&token).await.unwrap();

    let found = s
        .one_time_tokens
        .find(&token.hash, TokenPurpose::PasswordReset)
        .await
        .unwrap();
    assert_eq!(found, Some(token.clone()));
    let wrong_purpose = s
        .one_time_tokens
        .find(&token.hash, TokenPurpose::EmailVerification)
        .await
        .unwrap();
    assert_eq!(wrong_purpose, None);
    let unknown = s
        .one_time_tokens
        .find(&fixtures::token_hash(), TokenPurpose::PasswordReset)
        .await
        .unwrap();
    assert_eq!(unknown, None);
    assert_eq!(count_mail(s, "password_reset", &user.email).await, 0);
}

/// A new link of one purpose retires the earlier ones of that purpose, not of the other.
pub async fn issue_invalidates_earlier_tokens_of_the_same_purpose(s: &StorageUnderTest) {
    let user = fixtures::user();
    let verification = register(s, &user).await;
    let earlier = fixtures::reset_token(&user, t0_plus(60));
    let later = fixtures::reset_token(&user, t0_plus(120));
    s.one_time_tokens.issue(&earlier).await.unwrap();

    s.one_time_tokens.issue(&later).await.unwrap();

    let earlier_found = s
        .one_time_tokens
        .find(&earlier.hash, TokenPurpose::PasswordReset)
        .await
        .unwrap();
    assert_eq!(earlier_found, None, "only the latest link is valid");
    let consumed = s
        .one_time_tokens
        .consume_reset(
            &earlier.hash,
            &fixtures::password_hash(),
            t0_plus(130),
            &fixtures::password_changed_mail(&user, t0_plus(130)),
        )
        .await;
    assert!(
        matches!(consumed, Err(ConsumeError::NotFound)),
        "{consumed:?}"
    );
    let verification_found = s
        .one_time_tokens
        .find(&verification.hash, TokenPurpose::EmailVerification)
        .await
        .unwrap();
    assert_eq!(
        verification_found,
        Some(verification),
        "the other purpose is untouched"
    );
    let later_consumed = s
        .one_time_tokens
        .consume_reset(
            &later.hash,
            &fixtures::password_hash(),
            t0_plus(140),
            &fixtures::password_changed_mail(&user, t0_plus(140)),
        )
        .await;
    assert!(later_consumed.is_ok(), "{later_consumed:?}");
}

/// Verifying activates a pending account, once: the token is then gone.
pub async fn consume_verification_activates_a_pending_user_once(s: &StorageUnderTest) {
    let user = fixtures::user();
    let token = register(s, &user).await;

    let verified = s
        .one_time_tokens
        .consume_verification(&token.hash, t0_plus(60))
        .await
        .unwrap();

    assert_eq!(verified, user.id);
    let stored = s.users.find_by_id(user.id).await.unwrap().unwrap();
    assert_eq!(stored.status, AccountStatus::Active);
    assert!(stored.email_verified);
    let found = s
        .one_time_tokens
        .find(&token.hash, TokenPurpose::EmailVerification)
        .await
        .unwrap();
    assert_eq!(found, None, "a used token is not found");
    let again = s
        .one_time_tokens
        .consume_verification(&token.hash, t0_plus(61))
        .await;
    assert!(matches!(again, Err(ConsumeError::NotFound)), "{again:?}");
}

/// An expired verification link is refused as expired and the account stays pending; unknown
/// links and reset links are not found.
pub async fn expired_or_foreign_verification_token_is_refused(s: &StorageUnderTest) {
    let user = fixtures::user();
    let token = register(s, &user).await;

    let expired = s
        .one_time_tokens
        .consume_verification(&token.hash, token.expires_at)
        .await;

    assert!(matches!(expired, Err(ConsumeError::Expired)), "{expired:?}");
    let stored = s.users.find_by_id(user.id).await.unwrap().unwrap();
    assert_eq!(stored.status, AccountStatus::Pending);
    assert!(!stored.email_verified);

    let unknown = s
        .one_time_tokens
        .consume_verification(&fixtures::token_hash(), t0())
        .await;
    assert!(
        matches!(unknown, Err(ConsumeError::NotFound)),
        "{unknown:?}"
    );
    let reset = fixtures::reset_token(&user, t0());
    s.one_time_tokens.issue(&reset).await.unwrap();
    let wrong_purpose = s
        .one_time_tokens
        .consume_verification(&reset.hash, t0_plus(1))
        .await;
    assert!(
        matches!(wrong_purpose, Err(ConsumeError::NotFound)),
        "{wrong_purpose:?}"
    );
}

/// 20 concurrent verifications with one link: exactly one succeeds.
pub async fn concurrent_verifications_with_one_token_succeed_once(s: &StorageUnderTest) {
    let user = fixtures::user();
    let token = register(s, &user).await;

    let results = concurrently(20, |_| {
        let repo = Arc::clone(&s.one_time_tokens);
        let hash = token.hash.clone();
        async move { repo.consume_verification(&hash, t0_plus(60)).await }
    })
    .await;

    let ok = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(ok, 1, "{results:?}");
    assert!(
        results
            .iter()
            .all(|r| matches!(r, Ok(_) | Err(ConsumeError::NotFound))),
        "{results:?}"
    );
}

/// A reset replaces the hash, clears the lockout, revokes every session and queues its mail;
/// the link then stops working.
pub async fn consume_reset_replaces_the_password_and_revokes_sessions(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    failed_login(s, &user, t0()).await;
    let a = login(s, user.id, t0_plus(1)).await;
    let b = login(s, user.id, t0_plus(2)).await;
    let token = fixtures::reset_token(&user, t0_plus(10));
    s.one_time_tokens.issue(&token).await.unwrap();
    let new_hash = fixtures::password_hash();
    let now = t0_plus(60);

    let (user_id, revoked) = s
        .one_time_tokens
        .consume_reset(
            &token.hash,
            &new_hash,
            now,
            &fixtures::password_changed_mail(&user, now),
        )
        .await
        .unwrap();

    assert_eq!(user_id, user.id);
    let mut revoked = revoked;
    revoked.sort_unstable();
    let mut expected = vec![a.session.id, b.session.id];
    expected.sort_unstable();
    assert_eq!(revoked, expected);
    let stored = s.users.find_by_id(user.id).await.unwrap().unwrap();
    assert_eq!(stored.password_hash, new_hash);
    assert_eq!(stored.lockout, LockoutState::default());
    assert!(
        s.sessions
            .list_active(user.id, now)
            .await
            .unwrap()
            .is_empty()
    );
    let outcome = s
        .sessions
        .rotate(
            &a.token.hash,
            &fixtures::token_hash(),
            now,
            &fixtures::rotation_policy(),
        )
        .await
        .unwrap();
    assert_eq!(outcome, RotateOutcome::Revoked);
    assert_eq!(count_mail(s, "password_changed", &user.email).await, 1);

    let again = s
        .one_time_tokens
        .consume_reset(
            &token.hash,
            &fixtures::password_hash(),
            now,
            &fixtures::password_changed_mail(&user, now),
        )
        .await;
    assert!(matches!(again, Err(ConsumeError::NotFound)), "{again:?}");
}

/// An expired reset link is refused as expired and changes nothing.
pub async fn expired_reset_token_changes_nothing(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    let l = login(s, user.id, t0_plus(1)).await;
    let token = fixtures::reset_token(&user, t0_plus(10));
    s.one_time_tokens.issue(&token).await.unwrap();
    let late = token.expires_at + Duration::seconds(1);

    let result = s
        .one_time_tokens
        .consume_reset(
            &token.hash,
            &fixtures::password_hash(),
            late,
            &fixtures::password_changed_mail(&user, late),
        )
        .await;

    assert!(matches!(result, Err(ConsumeError::Expired)), "{result:?}");
    let stored = s.users.find_by_id(user.id).await.unwrap().unwrap();
    assert_eq!(stored.password_hash, user.password_hash);
    let active: Vec<SessionId> = s
        .sessions
        .list_active(user.id, late)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(active, vec![l.session.id]);
    assert_eq!(count_mail(s, "password_changed", &user.email).await, 0);
}

/// 20 concurrent resets with one link: exactly one succeeds, its hash is stored, the sessions
/// are revoked by that one, and one mail is queued.
pub async fn concurrent_resets_with_one_token_succeed_once(s: &StorageUnderTest) {
    let user = Arc::new(registered_user(s).await);
    let a = login(s, user.id, t0_plus(1)).await;
    let token = fixtures::reset_token(&user, t0_plus(10));
    s.one_time_tokens.issue(&token).await.unwrap();
    let now = t0_plus(60);

    let results = concurrently(20, |_| {
        let repo = Arc::clone(&s.one_time_tokens);
        let user = Arc::clone(&user);
        let hash = token.hash.clone();
        async move {
            let new_hash = fixtures::password_hash();
            let mail = fixtures::password_changed_mail(&user, now);
            repo.consume_reset(&hash, &new_hash, now, &mail)
                .await
                .map(|(_, revoked)| (new_hash, revoked))
        }
    })
    .await;

    let winners: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    assert!(
        results
            .iter()
            .all(|r| matches!(r, Ok(_) | Err(ConsumeError::NotFound))),
        "{results:?}"
    );
    let (winning_hash, revoked) = winners[0];
    assert_eq!(revoked, &vec![a.session.id]);
    let stored = s.users.find_by_id(user.id).await.unwrap().unwrap();
    assert_eq!(
        &stored.password_hash, winning_hash,
        "the password changed exactly once"
    );
    assert_eq!(count_mail(s, "password_changed", &user.email).await, 1);
}
