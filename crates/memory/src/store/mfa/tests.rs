//! What only the memory adapter promises about MFA state: each user's challenges are capped, and
//! the sweep drops expired challenges and devices with their index entries.

use super::MAX_CHALLENGES_PER_USER;
use crate::store::{MemoryStore, SWEEP_INTERVAL};
use authd_testkit::StorageUnderTest;
use authd_testkit::fixtures::{self, t0_plus};
use authd_testkit::mfa::turn_mfa_on;
use authd_testkit::support::registered_user;
use chrono::Duration;
use std::sync::Arc;

fn store() -> (Arc<MemoryStore>, StorageUnderTest) {
    let store = Arc::new(MemoryStore::new());
    (Arc::clone(&store), StorageUnderTest::from_store(store))
}

#[tokio::test]
async fn a_new_challenge_beyond_the_cap_drops_the_users_oldest() {
    let (store, s) = store();
    let user = registered_user(&s).await;
    let other = registered_user(&s).await;
    let others = fixtures::mfa_challenge(&other, t0_plus(300));
    s.mfa.create_challenge(&others).await.unwrap();
    let mut challenges = Vec::new();
    for i in 0..=MAX_CHALLENGES_PER_USER {
        let offset = i64::try_from(i).unwrap();
        let challenge = fixtures::mfa_challenge(&user, t0_plus(300 + offset));
        s.mfa.create_challenge(&challenge).await.unwrap();
        challenges.push(challenge);
    }

    let (oldest, kept) = challenges.split_first().unwrap();
    assert_eq!(s.mfa.find_challenge(&oldest.hash).await.unwrap(), None);
    let live = t0_plus(330);
    assert_eq!(
        s.mfa.consume_challenge(&oldest.hash, live).await.unwrap(),
        None
    );
    for challenge in kept {
        let found = s.mfa.find_challenge(&challenge.hash).await.unwrap();
        assert_eq!(found.as_ref(), Some(challenge));
    }
    let found = s.mfa.find_challenge(&others.hash).await.unwrap();
    assert_eq!(found, Some(others), "another user's challenge stays");
    let t = store.lock();
    assert_eq!(t.mfa.challenges.len(), MAX_CHALLENGES_PER_USER + 1);
    assert_eq!(
        t.mfa.challenges_by_user.get(&user.id).map(|h| h.len()),
        Some(MAX_CHALLENGES_PER_USER)
    );
}

#[tokio::test]
async fn the_sweep_drops_expired_challenges_and_devices() {
    let (store, s) = store();
    let user = registered_user(&s).await;
    turn_mfa_on(&s, &user).await;
    let challenge = fixtures::mfa_challenge(&user, t0_plus(300));
    s.mfa.create_challenge(&challenge).await.unwrap();
    let short = fixtures::remembered_device(user.id, t0_plus(300), Duration::hours(1));
    let long = fixtures::remembered_device(user.id, t0_plus(300), Duration::days(30));
    for device in [&short, &long] {
        let stored = s.mfa.remember_device(device, &user.password_hash).await;
        assert!(stored.unwrap());
    }

    let later = t0_plus(300) + Duration::hours(1) + SWEEP_INTERVAL;
    let next = fixtures::mfa_challenge(&user, later);
    s.mfa.create_challenge(&next).await.unwrap();

    assert_eq!(s.mfa.find_challenge(&challenge.hash).await.unwrap(), None);
    let t = store.lock();
    assert_eq!(
        t.mfa.challenges.keys().collect::<Vec<_>>(),
        vec![&next.hash]
    );
    assert_eq!(
        t.mfa.challenges_by_user.get(&user.id).map(|h| h.len()),
        Some(1)
    );
    assert_eq!(t.mfa.devices.keys().collect::<Vec<_>>(), vec![&long.hash]);
    assert_eq!(
        t.mfa.devices_by_user.get(&user.id).map(|d| d.len()),
        Some(1)
    );
}

#[tokio::test]
async fn disabling_and_forgetting_leave_no_index_entries_behind() {
    let (store, s) = store();
    let user = registered_user(&s).await;
    let factor = fixtures::totp_factor(user.id, t0_plus(60));
    s.mfa
        .begin_setup(&factor, &fixtures::backup_code_digests())
        .await
        .unwrap();
    let at = t0_plus(120);
    let mail = fixtures::mfa_enabled_mail(&user, at);
    assert!(
        s.mfa
            .accept_totp_step(factor.id, 1, at, &mail)
            .await
            .unwrap()
    );
    s.mfa
        .create_challenge(&fixtures::mfa_challenge(&user, at))
        .await
        .unwrap();
    let device = fixtures::remembered_device(user.id, at, Duration::days(30));
    let stored = s.mfa.remember_device(&device, &user.password_hash).await;
    assert!(stored.unwrap());

    assert!(s.mfa.forget_device(user.id, device.id).await.unwrap());
    let off = fixtures::mfa_disabled_mail(&user, at);
    assert!(s.mfa.disable(user.id, at, &off).await.unwrap());

    let t = store.lock();
    assert!(t.mfa.factors.is_empty() && t.mfa.factors_by_user.is_empty());
    assert!(t.mfa.pending_codes.is_empty() && t.mfa.codes.is_empty());
    assert!(t.mfa.challenges.is_empty() && t.mfa.challenges_by_user.is_empty());
    assert!(t.mfa.devices.is_empty() && t.mfa.devices_by_user.is_empty());
}
