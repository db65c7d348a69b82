//! What only the memory adapter promises: dead data is swept, and a poisoned lock is survived.

use super::{MemoryStore, RETENTION};
use authd_domain::notification::Notification;
use authd_domain::ports::{ConsumeError, RotateOutcome};
use authd_domain::token::TokenPurpose;
use authd_testkit::StorageUnderTest;
use authd_testkit::fixtures::{self, t0, t0_plus};
use authd_testkit::support::{login, register, registered_user};
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
