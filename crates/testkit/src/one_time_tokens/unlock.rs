//! Self-unlock links: consuming one clears the account's lock and failure count, once, and only
//! while the link lives.

use crate::StorageUnderTest;
use crate::fixtures::{self, t0_plus};
use crate::support::{concurrently, count_mail, registered_user};
use authd_domain::policy::lockout::{FailureOutcome, LockoutState};
use authd_domain::ports::ConsumeError;
use authd_domain::token::TokenPurpose;
use authd_domain::user::User;
use chrono::Duration;
use std::sync::Arc;

/// A fresh account locked by [`fixtures::lockout_policy`]'s failures at `t0 .. t0 + 4`, and an
/// unlock link of it issued at `t0 + 10`.
async fn locked_user_with_link(s: &StorageUnderTest) -> (User, authd_domain::token::OneTimeToken) {
    let user = registered_user(s).await;
    let policy = fixtures::lockout_policy();
    let mut last = None;
    for i in 0..i64::from(policy.max_attempts) {
        last = s
            .users
            .record_login_failure(
                user.id,
                t0_plus(i),
                &policy,
                &fixtures::lock_mail(&user, t0_plus(i)),
            )
            .await
            .unwrap();
    }
    assert!(
        matches!(last, Some(FailureOutcome::NewlyLocked { .. })),
        "{last:?}"
    );
    let token = fixtures::unlock_token(&user, t0_plus(10));
    s.one_time_tokens.issue(&token).await.unwrap();
    (user, token)
}

async fn lockout_of(s: &StorageUnderTest, user: &User) -> LockoutState {
    s.users.find_by_id(user.id).await.unwrap().unwrap().lockout
}

/// Unlocking clears the lock and the failure count and nothing else; the link then stops
/// working, and the next wrong password starts a fresh count.
pub async fn consume_unlock_clears_the_lockout_once(s: &StorageUnderTest) {
    let (user, token) = locked_user_with_link(s).await;
    let before = s.users.find_by_id(user.id).await.unwrap().unwrap();
    assert!(before.lockout.locked_until.is_some());
    let now = t0_plus(60);

    let unlocked = s.one_time_tokens.consume_unlock(&token.hash, now).await;

    assert_eq!(unlocked.unwrap(), user.id);
    let after = s.users.find_by_id(user.id).await.unwrap().unwrap();
    assert_eq!(after.lockout, LockoutState::default());
    assert_eq!(after.password_hash, before.password_hash);
    assert_eq!(after.status, before.status);
    assert_eq!(count_mail(s, "password_changed", &user.email).await, 0);
    let found = s
        .one_time_tokens
        .find(&token.hash, TokenPurpose::AccountUnlock)
        .await
        .unwrap();
    assert_eq!(found, None, "a used link is not found");
    let again = s.one_time_tokens.consume_unlock(&token.hash, now).await;
    assert!(matches!(again, Err(ConsumeError::NotFound)), "{again:?}");

    let next = s
        .users
        .record_login_failure(
            user.id,
            now + Duration::seconds(1),
            &fixtures::lockout_policy(),
            &fixtures::lock_mail(&user, now),
        )
        .await
        .unwrap();
    assert_eq!(next, Some(FailureOutcome::Counted { remaining: 4 }));
}

/// An expired link is refused as expired and the account stays locked.
pub async fn an_expired_unlock_token_leaves_the_lock(s: &StorageUnderTest) {
    let (user, token) = locked_user_with_link(s).await;
    let locked = lockout_of(s, &user).await;

    let expired = s
        .one_time_tokens
        .consume_unlock(&token.hash, token.expires_at)
        .await;

    assert!(matches!(expired, Err(ConsumeError::Expired)), "{expired:?}");
    assert_eq!(lockout_of(s, &user).await, locked);
}

/// Unknown links and the tokens of other purposes do not unlock; an unlock link is no
/// verification or reset link either.
pub async fn only_an_unlock_token_unlocks(s: &StorageUnderTest) {
    let (user, token) = locked_user_with_link(s).await;
    let locked = lockout_of(s, &user).await;
    let reset = fixtures::reset_token(&user, t0_plus(20));
    s.one_time_tokens.issue(&reset).await.unwrap();
    let now = t0_plus(30);

    let unknown = s
        .one_time_tokens
        .consume_unlock(&fixtures::token_hash(), now)
        .await;
    let wrong_purpose = s.one_time_tokens.consume_unlock(&reset.hash, now).await;
    let as_verification = s
        .one_time_tokens
        .consume_verification(&token.hash, now)
        .await;

    for refused in [unknown, wrong_purpose, as_verification] {
        assert!(
            matches!(refused, Err(ConsumeError::NotFound)),
            "{refused:?}"
        );
    }
    assert_eq!(lockout_of(s, &user).await, locked);
    let still_there = s
        .one_time_tokens
        .find(&token.hash, TokenPurpose::AccountUnlock)
        .await
        .unwrap();
    assert_eq!(still_there, Some(token));
}

/// 20 concurrent unlocks with one link: exactly one succeeds, the others find it used.
pub async fn concurrent_unlocks_with_one_token_succeed_once(s: &StorageUnderTest) {
    let (user, token) = locked_user_with_link(s).await;

    let results = concurrently(20, |_| {
        let repo = Arc::clone(&s.one_time_tokens);
        let hash = token.hash.clone();
        async move { repo.consume_unlock(&hash, t0_plus(60)).await }
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
    assert_eq!(lockout_of(s, &user).await, LockoutState::default());
}
