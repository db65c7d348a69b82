//! What only the memory adapter promises: dead data is swept, and a poisoned lock is survived.

use super::{MemoryStore, RETENTION, SWEEP_INTERVAL};
use authd_domain::notification::Notification;
use authd_domain::ports::{ConsumeError, RotateOutcome};
use authd_domain::token::TokenPurpose;
use authd_testkit::StorageUnderTest;
use authd_testkit::fixtures::{self, t0, t0_plus};
use authd_testkit::support::{login, login_with, register, registered_user};
use chrono::Duration;
use std::sync::Arc;

fn store() -> (Arc<MemoryStore>, StorageUnderTest) {
    let store = Arc::new(MemoryStore::new());
    (Arc::clone(&store), StorageUnderTest::from_store(store))
}

fn some_mail() -> Notification {
    fixtures::verify_mail(&fixtures::user())
}

#[tokio::test]
async fn expired_link_stays_expired_within_the_retention_then_is_swept() {
    let (store, s) = store();
    let user = fixtures::user();
    let token = register(&s, &user).await;
    let just_expired = token.expires_at + Duration::days(1);
    s.outbox.enqueue(&some_mail(), just_expired).await.unwrap();

    let within = s
        .one_time_tokens
        .consume_verification(&token.hash, just_expired)
        .await;
    assert!(matches!(within, Err(ConsumeError::Expired)), "{within:?}");

    let later = token.expires_at + RETENTION + Duration::seconds(1);
    s.outbox.enqueue(&some_mail(), later).await.unwrap();

    let found = s
        .one_time_tokens
        .find(&token.hash, TokenPurpose::EmailVerification)
        .await
        .unwrap();
    assert_eq!(found, None);
    assert!(store.lock().one_time_tokens.is_empty());
    assert!(store.lock().latest_one_time.is_empty());
}

#[tokio::test]
async fn sessions_revoked_long_ago_are_swept_with_their_tokens() {
    let (store, s) = store();
    let user = registered_user(&s).await;
    let dead = login(&s, user.id, t0()).await;
    let policy = fixtures::rotation_policy();
    s.sessions
        .rotate(
            &dead.token.hash,
            &fixtures::token_hash(),
            t0_plus(10),
            &policy,
        )
        .await
        .unwrap();
    assert!(
        s.sessions
            .revoke(user.id, dead.session.id, t0_plus(20))
            .await
            .unwrap()
    );
    let alive = login(&s, user.id, t0() + RETENTION + Duration::days(1)).await;

    assert_eq!(s.sessions.find(dead.session.id).await.unwrap(), None);
    let outcome = s
        .sessions
        .rotate(
            &dead.token.hash,
            &fixtures::token_hash(),
            t0_plus(30),
            &policy,
        )
        .await
        .unwrap();
    assert_eq!(outcome, RotateOutcome::Invalid);
    let t = store.lock();
    assert_eq!(t.sessions.len(), 1);
    assert_eq!(
        t.refresh_tokens.len(),
        1,
        "only the live session's token is left"
    );
    assert!(t.refresh_tokens.contains_key(&alive.token.hash));
}

/// The sessions stored for `user_id` (rows, live or not yet compacted) and those in its index.
fn held_for(store: &MemoryStore, user_id: authd_domain::ids::UserId) -> (usize, usize) {
    let t = store.lock();
    let rows = t
        .sessions
        .values()
        .filter(|row| row.session.user_id == user_id)
        .count();
    let indexed = t.sessions_by_user.get(&user_id).map_or(0, |ids| ids.len());
    (rows, indexed)
}

#[tokio::test]
async fn many_logins_under_the_limit_leave_only_the_live_sessions_stored_and_indexed() {
    let (store, s) = store();
    let user = registered_user(&s).await;
    let limit = 5;
    let n: i64 = 2_000;
    let mut logins = Vec::new();
    for i in 0..n {
        logins.push(login_with(&s, user.id, t0_plus(i), true, limit).await);
        let (_, indexed) = held_for(&store, user.id);
        assert!(indexed <= limit, "login {i}: {indexed} sessions indexed");
    }
    // The next sweep compacts every revoked session; this login then evicts one more.
    let last = login_with(&s, user.id, t0_plus(n) + SWEEP_INTERVAL, true, limit).await;
    assert_eq!(last.evicted.len(), 1);

    assert_eq!(held_for(&store, user.id), (limit + 1, limit));
    {
        let t = store.lock();
        assert_eq!(t.sessions.len(), limit + 1);
        assert_eq!(t.refresh_tokens.len(), limit + 1);
        let compacted = usize::try_from(n).unwrap() + 1 - (limit + 1);
        assert_eq!(t.revoked_tokens.len(), compacted);
    }
    let live = s
        .sessions
        .list_active(user.id, t0_plus(n) + SWEEP_INTERVAL)
        .await
        .unwrap();
    assert_eq!(live.len(), limit);
}

#[tokio::test]
async fn tokens_of_compacted_sessions_answer_revoked_until_the_row_would_have_been_swept() {
    let (store, s) = store();
    let user = registered_user(&s).await;
    let policy = fixtures::rotation_policy();
    // A family rotated once, then revoked: both its tokens must keep answering `Revoked`.
    let rotated = login(&s, user.id, t0()).await;
    let successor = fixtures::token_hash();
    s.sessions
        .rotate(&rotated.token.hash, &successor, t0_plus(10), &policy)
        .await
        .unwrap();
    assert!(
        s.sessions
            .revoke(user.id, rotated.session.id, t0_plus(20))
            .await
            .unwrap()
    );
    // Evicted by the limit.
    let evicted = login_with(&s, user.id, t0_plus(30), true, 1).await;
    let evicting = login_with(&s, user.id, t0_plus(40), true, 1).await;
    assert_eq!(evicting.evicted, vec![evicted.session.id]);

    let before = presented(&s, &[&rotated.token.hash, &successor, &evicted.token.hash]).await;
    assert!(
        before.iter().all(|o| *o == RotateOutcome::Revoked),
        "{before:?}"
    );

    // A sweep compacts both revoked sessions.
    let sweep_at = t0_plus(40) + SWEEP_INTERVAL;
    login(&s, user.id, sweep_at).await;
    assert_eq!(store.lock().revoked_tokens.len(), 3);
    assert_eq!(s.sessions.find(evicted.session.id).await.unwrap(), None);

    let after = presented(&s, &[&rotated.token.hash, &successor, &evicted.token.hash]).await;
    assert_eq!(after, before, "compaction changes no answer");
    let reused = s
        .sessions
        .create(
            &fixtures::session(user.id, sweep_at, true),
            &evicted.token,
            0,
            &user.password_hash,
        )
        .await;
    assert!(reused.is_err(), "a tombstoned hash is still taken");

    // Dropped when the rows would have been: RETENTION after the revocation.
    login(&s, user.id, t0_plus(40) + RETENTION).await;
    assert!(store.lock().revoked_tokens.is_empty());
    let gone = presented(&s, &[&rotated.token.hash, &successor, &evicted.token.hash]).await;
    assert!(
        gone.iter().all(|o| *o == RotateOutcome::Invalid),
        "{gone:?}"
    );
}

#[tokio::test]
async fn expired_sessions_leave_the_index_but_stay_answerable() {
    let (store, s) = store();
    let user = registered_user(&s).await;
    let short = login_with(&s, user.id, t0(), false, 0).await;
    let later = short.token.expires_at + SWEEP_INTERVAL;

    let next = login(&s, user.id, later).await;

    assert_eq!(held_for(&store, user.id), (2, 1));
    assert_eq!(
        s.sessions.find(short.session.id).await.unwrap(),
        Some(short.session.clone())
    );
    assert_eq!(
        s.sessions.touch(&short.token.hash, later).await.unwrap(),
        RotateOutcome::Invalid
    );
    let listed = s.sessions.list_active(user.id, later).await.unwrap();
    assert_eq!(listed, vec![next.session]);
}

/// What rotating and touching each token answers (at a time inside every grace window
/// that no longer matters: the families are revoked).
async fn presented(
    s: &StorageUnderTest,
    tokens: &[&authd_domain::token::TokenHash],
) -> Vec<RotateOutcome> {
    let mut outcomes = Vec::new();
    for token in tokens {
        let at = t0_plus(50);
        outcomes.push(
            s.sessions
                .rotate(
                    token,
                    &fixtures::token_hash(),
                    at,
                    &fixtures::rotation_policy(),
                )
                .await
                .unwrap(),
        );
        outcomes.push(s.sessions.touch(token, at).await.unwrap());
    }
    outcomes
}

#[tokio::test]
async fn a_panic_while_holding_the_lock_does_not_break_the_store() {
    let (store, s) = store();
    let poisoner = Arc::clone(&store);
    let panicked = std::thread::spawn(move || {
        let _guard = poisoner.lock();
        panic!("a bug while holding the lock");
    })
    .join();
    assert!(panicked.is_err());
    assert!(store.tables.is_poisoned());

    let user = registered_user(&s).await;
    let l = login(&s, user.id, t0_plus(1)).await;

    assert_eq!(
        s.sessions.find(l.session.id).await.unwrap(),
        Some(l.session)
    );
}
