//! Conformance checks of [`authd_domain::ports::UserRepository::change_password`]: the new
//! hash is stored only over the hash the current password was checked against.

use crate::StorageUnderTest;
use crate::fixtures::{self, t0, t0_plus};
use crate::support::{concurrently, count_mail, failed_login, login, registered_user};
use authd_domain::policy::lockout::LockoutState;
use authd_domain::ports::{ChangePasswordStoreError, RotateOutcome};
use std::sync::Arc;

/// A password change replaces the hash, clears the lockout, revokes every session but the
/// one kept, and queues its mail.
pub async fn change_password_keeps_only_the_given_session(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    failed_login(s, &user, t0()).await;
    let a = login(s, user.id, t0_plus(1)).await;
    let kept = login(s, user.id, t0_plus(2)).await;
    let c = login(s, user.id, t0_plus(3)).await;
    let new_hash = fixtures::password_hash();
    let now = t0_plus(60);

    let mut revoked = s
        .users
        .change_password(
            user.id,
            &user.password_hash,
            &new_hash,
            Some(kept.session.id),
            now,
            &fixtures::password_changed_mail(&user, now),
        )
        .await
        .unwrap();

    revoked.sort_unstable();
    let mut expected = vec![a.session.id, c.session.id];
    expected.sort_unstable();
    assert_eq!(revoked, expected);
    let stored = s.users.find_by_id(user.id).await.unwrap().unwrap();
    assert_eq!(stored.password_hash, new_hash);
    assert_eq!(stored.lockout, LockoutState::default());
    let active: Vec<_> = s
        .sessions
        .list_active(user.id, now)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(active, vec![kept.session.id]);
    let policy = fixtures::rotation_policy();
    let outcome = s
        .sessions
        .rotate(&a.token.hash, &fixtures::token_hash(), now, &policy)
        .await
        .unwrap();
    assert_eq!(
        outcome,
        RotateOutcome::Revoked,
        "a revoked session's token is dead"
    );
    let outcome = s
        .sessions
        .rotate(&kept.token.hash, &fixtures::token_hash(), now, &policy)
        .await
        .unwrap();
    assert!(
        matches!(outcome, RotateOutcome::Rotated { .. }),
        "{outcome:?}"
    );
    assert_eq!(count_mail(s, "password_changed", &user.email).await, 1);
}

/// A change whose current password was checked before a reset (or another change) replaced the
/// hash stores nothing: the password that won stays, no session is revoked, no mail is queued.
pub async fn a_change_checked_against_a_replaced_hash_stores_nothing(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    let checked = user.password_hash.clone();
    let winner = fixtures::password_hash();
    let at = t0_plus(10);
    s.users
        .change_password(
            user.id,
            &checked,
            &winner,
            None,
            at,
            &fixtures::password_changed_mail(&user, at),
        )
        .await
        .unwrap();
    let session = login(s, user.id, t0_plus(20)).await;

    let late = t0_plus(30);
    let refused = s
        .users
        .change_password(
            user.id,
            &checked,
            &fixtures::password_hash(),
            None,
            late,
            &fixtures::password_changed_mail(&user, late),
        )
        .await;

    assert!(
        matches!(refused, Err(ChangePasswordStoreError::CredentialsChanged)),
        "{refused:?}"
    );
    let stored = s.users.find_by_id(user.id).await.unwrap().unwrap();
    assert_eq!(stored.password_hash, winner, "the password that won stays");
    assert_eq!(stored.updated_at, at);
    let active: Vec<_> = s
        .sessions
        .list_active(user.id, late)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(active, vec![session.session.id], "nothing revoked");
    assert_eq!(count_mail(s, "password_changed", &user.email).await, 1);
}

/// 20 changes checked against the same hash, all at once: exactly one stores its hash (and
/// its mail); every other one is refused and stores nothing.
pub async fn concurrent_changes_from_one_checked_hash_have_exactly_one_winner(
    s: &StorageUnderTest,
) {
    let user = Arc::new(registered_user(s).await);
    let at = t0_plus(60);
    let hashes: Vec<_> = (0..20).map(|_| fixtures::password_hash()).collect();
    let outcomes = concurrently(hashes.len(), |i| {
        let users = Arc::clone(&s.users);
        let user = Arc::clone(&user);
        let hash = hashes[i].clone();
        async move {
            let mail = fixtures::password_changed_mail(&user, at);
            let outcome = users
                .change_password(user.id, &user.password_hash, &hash, None, at, &mail)
                .await;
            (hash, outcome)
        }
    })
    .await;

    let mut winners = Vec::new();
    for (hash, outcome) in outcomes {
        match outcome {
            Ok(_) => winners.push(hash),
            Err(ChangePasswordStoreError::CredentialsChanged) => {}
            Err(e) => panic!("a change failed: {e}"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one change wins");
    let stored = s.users.find_by_id(user.id).await.unwrap().unwrap();
    assert_eq!(
        stored.password_hash, winners[0],
        "the winner's hash is stored"
    );
    assert_eq!(count_mail(s, "password_changed", &user.email).await, 1);
}
