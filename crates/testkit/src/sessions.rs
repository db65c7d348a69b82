//! Conformance checks for [`authd_domain::ports::SessionRepository`]: sessions, refresh-token
//! rotation with replay and reuse detection, and the session limit.

use crate::StorageUnderTest;
use crate::fixtures::{self, t0, t0_plus};
use crate::support::{concurrently, login, login_with, registered_user};
use authd_domain::Timestamp;
use authd_domain::ids::{SessionId, UserId};
use authd_domain::ports::RotateOutcome;
use authd_domain::session::Session;
use authd_domain::token::TokenHash;
use chrono::Duration;
use std::collections::HashSet;
use std::sync::Arc;

/// Every check of this module, each registered as a test on a fresh `$storage` (see
/// [`crate::conformance`]): listing a check here runs it on every adapter of the port.
#[macro_export]
macro_rules! sessions_conformance {
    ($storage:expr) => {
        $crate::__register_checks! { sessions, $storage;
            created_session_is_found_and_listed
            rotation_makes_the_successor_the_current_token
            concurrent_rotations_of_one_token_rotate_exactly_once
            a_rotation_racing_a_logout_leaves_nothing_usable
            replay_inside_the_grace_window_is_answered_again
            rotated_token_reused_after_the_grace_window_revokes_the_family
            replay_after_the_successor_moved_on_is_reuse
            expired_or_unknown_refresh_token_is_invalid
            touch_keeps_the_token_and_records_activity
            session_limit_evicts_the_least_recently_used_sessions
            concurrent_logins_never_exceed_the_session_limit
            active_sessions_are_listed_most_recent_first
            revoke_only_affects_the_owners_live_session
            revoke_all_revokes_every_live_session_of_the_user
            live_sessions_of_every_user_are_counted
        }
    };
}

async fn rotate(
    s: &StorageUnderTest,
    presented: &TokenHash,
    successor: &TokenHash,
    now: Timestamp,
) -> RotateOutcome {
    s.sessions
        .rotate(presented, successor, now, &fixtures::rotation_policy())
        .await
        .unwrap()
}

async fn active_ids(s: &StorageUnderTest, user_id: UserId, now: Timestamp) -> Vec<SessionId> {
    s.sessions
        .list_active(user_id, now)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect()
}

fn sorted(mut ids: Vec<SessionId>) -> Vec<SessionId> {
    ids.sort_unstable();
    ids
}

/// A new session can be found by id and is listed as active.
pub async fn created_session_is_found_and_listed(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    let l = login(s, user.id, t0()).await;

    assert!(l.evicted.is_empty());
    assert_eq!(
        s.sessions.find(l.session.id).await.unwrap(),
        Some(l.session.clone())
    );
    assert_eq!(
        s.sessions.list_active(user.id, t0_plus(1)).await.unwrap(),
        vec![l.session]
    );
    assert_eq!(s.sessions.find(SessionId::new()).await.unwrap(), None);
}

/// Rotation answers the family with fresh activity, a sliding expiry and the account holding it,
/// and the successor is the token that works next.
pub async fn rotation_makes_the_successor_the_current_token(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    let l = login(s, user.id, t0()).await;
    let successor = fixtures::token_hash();
    let now = t0_plus(60);

    let outcome = rotate(s, &l.token.hash, &successor, now).await;

    let expected_expiry = fixtures::rotation_policy().successor_expiry(&l.session, now);
    let RotateOutcome::Rotated {
        session,
        account,
        expires_at,
    } = outcome
    else {
        panic!("expected Rotated, got {outcome:?}");
    };
    assert_eq!(account, user);
    assert_eq!(session.id, l.session.id);
    assert_eq!(session.last_activity, now);
    assert_eq!(expires_at, expected_expiry);
    let stored = s.sessions.find(l.session.id).await.unwrap().unwrap();
    assert_eq!(stored.last_activity, now);

    let next = rotate(s, &successor, &fixtures::token_hash(), t0_plus(120)).await;
    assert!(
        matches!(&next, RotateOutcome::Rotated { session, .. } if session.id == l.session.id),
        "the successor is the current token: {next:?}"
    );
}

/// 100 concurrent refreshes with one token: one rotates, the other 99 replay the same family
/// and expiry, and the successor is the family's current token.
pub async fn concurrent_rotations_of_one_token_rotate_exactly_once(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    let l = login(s, user.id, t0()).await;
    let presented = l.token.hash.clone();
    let successor = fixtures::token_hash();
    let now = t0_plus(60);

    let outcomes = concurrently(100, |_| {
        let sessions = Arc::clone(&s.sessions);
        let (presented, successor) = (presented.clone(), successor.clone());
        async move {
            sessions
                .rotate(&presented, &successor, now, &fixtures::rotation_policy())
                .await
                .unwrap()
        }
    })
    .await;

    let rotated = outcomes
        .iter()
        .filter(|o| matches!(o, RotateOutcome::Rotated { .. }))
        .count();
    let replayed = outcomes
        .iter()
        .filter(|o| matches!(o, RotateOutcome::Replayed { .. }))
        .count();
    assert_eq!((rotated, replayed), (1, 99), "{outcomes:?}");
    let expected_expiry = fixtures::rotation_policy().successor_expiry(&l.session, now);
    for o in &outcomes {
        match o {
            RotateOutcome::Rotated {
                session,
                expires_at,
                ..
            }
            | RotateOutcome::Replayed {
                session,
                expires_at,
                ..
            } => {
                assert_eq!(session.id, l.session.id);
                assert_eq!(*expires_at, expected_expiry);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    let next = rotate(s, &successor, &fixtures::token_hash(), t0_plus(61)).await;
    assert!(
        matches!(&next, RotateOutcome::Rotated { session, .. } if session.id == l.session.id),
        "the successor is the family's current token: {next:?}"
    );
}

/// A rotation racing the revocation of its session (a logout) never outlives it: whichever
/// commits first, the session ends revoked, the revocation reports it revoked a live session,
/// and neither the presented token nor its successor works afterwards. Ten rounds of one
/// revocation against 20 concurrent presentations.
pub async fn a_rotation_racing_a_logout_leaves_nothing_usable(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    for round in 0..10 {
        let l = login(s, user.id, t0_plus(round)).await;
        let presented = l.token.hash.clone();
        let successor = fixtures::token_hash();
        let now = t0_plus(round + 30);
        let revoked = concurrently(21, |i| {
            let sessions = Arc::clone(&s.sessions);
            let (presented, successor) = (presented.clone(), successor.clone());
            let (user_id, session_id) = (user.id, l.session.id);
            async move {
                if i == 10 {
                    Some(sessions.revoke(user_id, session_id, now).await.unwrap())
                } else {
                    let policy = fixtures::rotation_policy();
                    sessions
                        .rotate(&presented, &successor, now, &policy)
                        .await
                        .unwrap();
                    None
                }
            }
        })
        .await;
        assert_eq!(
            revoked.into_iter().flatten().collect::<Vec<_>>(),
            vec![true]
        );
        let stored = s.sessions.find(l.session.id).await.unwrap().unwrap();
        assert!(stored.revoked_at.is_some(), "round {round}: {stored:?}");
        for token in [&successor, &presented] {
            let later = rotate(
                s,
                token,
                &fixtures::token_hash(),
                now + Duration::seconds(1),
            )
            .await;
            assert!(
                matches!(later, RotateOutcome::Revoked | RotateOutcome::Invalid),
                "round {round}: a token of a revoked family still works: {later:?}"
            );
        }
    }
}

/// A replay inside the grace window changes nothing and answers the successor's expiry.
pub async fn replay_inside_the_grace_window_is_answered_again(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    let l = login(s, user.id, t0()).await;
    let successor = fixtures::token_hash();
    let first = rotate(s, &l.token.hash, &successor, t0_plus(60)).await;
    let RotateOutcome::Rotated { expires_at, .. } = first else {
        panic!("expected Rotated, got {first:?}");
    };

    let grace = fixtures::rotation_policy().grace;
    let replay = rotate(s, &l.token.hash, &successor, t0_plus(60) + grace).await;

    assert!(
        matches!(&replay, RotateOutcome::Replayed { session, expires_at: e, .. }
            if session.id == l.session.id && *e == expires_at && session.revoked_at.is_none()),
        "{replay:?}"
    );
    let next = rotate(s, &successor, &fixtures::token_hash(), t0_plus(200)).await;
    assert!(matches!(next, RotateOutcome::Rotated { .. }), "{next:?}");
}

/// A rotated token presented after the grace window revokes the whole family: the successor
/// stops working too.
pub async fn rotated_token_reused_after_the_grace_window_revokes_the_family(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    let l = login(s, user.id, t0()).await;
    let successor = fixtures::token_hash();
    rotate(s, &l.token.hash, &successor, t0_plus(60)).await;
    let late = t0_plus(60) + fixtures::rotation_policy().grace + Duration::seconds(1);

    let reuse = rotate(s, &l.token.hash, &fixtures::token_hash(), late).await;

    assert!(
        matches!(&reuse, RotateOutcome::ReuseDetected { session }
            if session.id == l.session.id && session.revoked_at == Some(late)),
        "{reuse:?}"
    );
    let stored = s.sessions.find(l.session.id).await.unwrap().unwrap();
    assert_eq!(stored.revoked_at, Some(late));
    assert!(active_ids(s, user.id, late).await.is_empty());
    let successor_now = rotate(s, &successor, &fixtures::token_hash(), late).await;
    assert!(
        matches!(
            successor_now,
            RotateOutcome::Revoked | RotateOutcome::Invalid
        ),
        "the family is dead: {successor_now:?}"
    );
    let touched = s.sessions.touch(&successor, late).await.unwrap();
    assert!(
        matches!(touched, RotateOutcome::Revoked | RotateOutcome::Invalid),
        "{touched:?}"
    );
}

/// Inside the grace window, a rotated token whose successor has itself been rotated is reuse.
pub async fn replay_after_the_successor_moved_on_is_reuse(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    let l = login(s, user.id, t0()).await;
    let b = fixtures::token_hash();
    let c = fixtures::token_hash();
    rotate(s, &l.token.hash, &b, t0_plus(60)).await;
    rotate(s, &b, &c, t0_plus(61)).await;

    let outcome = rotate(s, &l.token.hash, &b, t0_plus(62)).await;

    assert!(
        matches!(outcome, RotateOutcome::ReuseDetected { .. }),
        "{outcome:?}"
    );
    let current = rotate(s, &c, &fixtures::token_hash(), t0_plus(63)).await;
    assert!(
        matches!(current, RotateOutcome::Revoked | RotateOutcome::Invalid),
        "{current:?}"
    );
}

/// An expired or unknown refresh token is invalid, rotated or touched.
pub async fn expired_or_unknown_refresh_token_is_invalid(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    let l = login_with(s, user.id, t0(), false, 0).await;
    let at_expiry = l.token.expires_at;

    let rotated = rotate(s, &l.token.hash, &fixtures::token_hash(), at_expiry).await;
    assert_eq!(rotated, RotateOutcome::Invalid);
    assert_eq!(
        s.sessions.touch(&l.token.hash, at_expiry).await.unwrap(),
        RotateOutcome::Invalid
    );
    assert!(
        active_ids(s, user.id, at_expiry).await.is_empty(),
        "an expired session is not active"
    );

    let unknown = fixtures::token_hash();
    assert_eq!(
        rotate(s, &unknown, &fixtures::token_hash(), t0()).await,
        RotateOutcome::Invalid
    );
    assert_eq!(
        s.sessions.touch(&unknown, t0()).await.unwrap(),
        RotateOutcome::Invalid
    );
}

/// Touching (rotation off) keeps the token working, records activity and keeps its expiry.
pub async fn touch_keeps_the_token_and_records_activity(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    let l = login(s, user.id, t0()).await;

    let first = s.sessions.touch(&l.token.hash, t0_plus(300)).await.unwrap();
    let second = s.sessions.touch(&l.token.hash, t0_plus(600)).await.unwrap();

    for (outcome, at) in [(first, t0_plus(300)), (second, t0_plus(600))] {
        assert!(
            matches!(&outcome, RotateOutcome::Rotated { session, expires_at, .. }
                if session.id == l.session.id && session.last_activity == at
                    && *expires_at == l.token.expires_at),
            "{outcome:?}"
        );
    }
    let stored = s.sessions.find(l.session.id).await.unwrap().unwrap();
    assert_eq!(stored.last_activity, t0_plus(600));

    assert!(
        s.sessions
            .revoke(user.id, l.session.id, t0_plus(700))
            .await
            .unwrap()
    );
    let revoked = s.sessions.touch(&l.token.hash, t0_plus(800)).await.unwrap();
    assert_eq!(revoked, RotateOutcome::Revoked);
}

/// Beyond the limit, a login evicts the least recently used session (not the oldest), whose
/// tokens stop working; a limit of 0 is unlimited.
pub async fn session_limit_evicts_the_least_recently_used_sessions(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    let first = login_with(s, user.id, t0(), true, 2).await;
    let second = login_with(s, user.id, t0_plus(60), true, 2).await;
    // The first session is used again, so the second is now the least recently used.
    rotate(s, &first.token.hash, &fixtures::token_hash(), t0_plus(120)).await;

    let third = login_with(s, user.id, t0_plus(180), true, 2).await;

    assert_eq!(third.evicted, vec![second.session.id]);
    let evicted = s.sessions.find(second.session.id).await.unwrap().unwrap();
    assert!(evicted.revoked_at.is_some());
    let outcome = rotate(s, &second.token.hash, &fixtures::token_hash(), t0_plus(200)).await;
    assert_eq!(
        outcome,
        RotateOutcome::Revoked,
        "an evicted session's token is dead"
    );
    assert_eq!(
        active_ids(s, user.id, t0_plus(200)).await,
        vec![third.session.id, first.session.id]
    );

    let unlimited = login_with(s, user.id, t0_plus(240), true, 0).await;
    assert!(unlimited.evicted.is_empty());
    assert_eq!(active_ids(s, user.id, t0_plus(250)).await.len(), 3);
}

/// Ten logins at once under a limit of three: three sessions stay live and the seven others
/// are reported evicted, each once.
pub async fn concurrent_logins_never_exceed_the_session_limit(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    let user_id = user.id;
    let logins = concurrently(10, |i| {
        let s = s.clone();
        let offset = i64::try_from(i).unwrap();
        async move { login_with(&s, user_id, t0_plus(offset), true, 3).await }
    })
    .await;

    let evicted: Vec<SessionId> = logins.iter().flat_map(|l| l.evicted.clone()).collect();
    let unique: HashSet<SessionId> = evicted.iter().copied().collect();
    assert_eq!((evicted.len(), unique.len()), (7, 7), "{evicted:?}");
    let active = active_ids(s, user.id, t0_plus(60)).await;
    assert_eq!(active.len(), 3);
    let all: HashSet<SessionId> = logins.iter().map(|l| l.session.id).collect();
    let accounted: HashSet<SessionId> = unique
        .union(&active.iter().copied().collect())
        .copied()
        .collect();
    assert_eq!(accounted, all);
}

/// Active sessions: most recent activity first, without revoked or expired ones.
pub async fn active_sessions_are_listed_most_recent_first(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    let s1 = login(s, user.id, t0()).await;
    let short = login_with(s, user.id, t0_plus(60), false, 0).await;
    let s3 = login(s, user.id, t0_plus(120)).await;
    s.sessions
        .touch(&s1.token.hash, t0_plus(180))
        .await
        .unwrap();

    assert_eq!(
        active_ids(s, user.id, t0_plus(200)).await,
        vec![s1.session.id, s3.session.id, short.session.id]
    );
    let listed: Vec<Session> = s.sessions.list_active(user.id, t0_plus(200)).await.unwrap();
    assert_eq!(listed[0].last_activity, t0_plus(180));

    assert!(
        s.sessions
            .revoke(user.id, s3.session.id, t0_plus(240))
            .await
            .unwrap()
    );
    let after_short_expiry = short.token.expires_at + Duration::seconds(1);
    assert_eq!(
        active_ids(s, user.id, after_short_expiry).await,
        vec![s1.session.id]
    );
    assert!(active_ids(s, UserId::new(), t0()).await.is_empty());
}

/// Revoking works once, on the owner's live session only.
pub async fn revoke_only_affects_the_owners_live_session(s: &StorageUnderTest) {
    let owner = registered_user(s).await;
    let stranger = registered_user(s).await;
    let l = login(s, owner.id, t0()).await;

    assert!(
        !s.sessions
            .revoke(stranger.id, l.session.id, t0_plus(10))
            .await
            .unwrap()
    );
    assert_eq!(
        active_ids(s, owner.id, t0_plus(10)).await,
        vec![l.session.id]
    );

    assert!(
        s.sessions
            .revoke(owner.id, l.session.id, t0_plus(20))
            .await
            .unwrap()
    );
    let stored = s.sessions.find(l.session.id).await.unwrap().unwrap();
    assert_eq!(stored.revoked_at, Some(t0_plus(20)));
    assert!(
        !s.sessions
            .revoke(owner.id, l.session.id, t0_plus(30))
            .await
            .unwrap()
    );
    assert!(
        !s.sessions
            .revoke(owner.id, SessionId::new(), t0_plus(30))
            .await
            .unwrap()
    );
    let outcome = rotate(s, &l.token.hash, &fixtures::token_hash(), t0_plus(40)).await;
    assert_eq!(outcome, RotateOutcome::Revoked);
}

/// Revoking all sessions returns the live ones, and leaves other users' sessions alone.
pub async fn revoke_all_revokes_every_live_session_of_the_user(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    let other = registered_user(s).await;
    let already = login(s, user.id, t0()).await;
    let a = login(s, user.id, t0_plus(1)).await;
    let b = login(s, user.id, t0_plus(2)).await;
    let others = login(s, other.id, t0_plus(3)).await;
    assert!(
        s.sessions
            .revoke(user.id, already.session.id, t0_plus(4))
            .await
            .unwrap()
    );

    let revoked = s.sessions.revoke_all(user.id, t0_plus(10)).await.unwrap();

    assert_eq!(sorted(revoked), sorted(vec![a.session.id, b.session.id]));
    assert!(active_ids(s, user.id, t0_plus(10)).await.is_empty());
    assert_eq!(
        active_ids(s, other.id, t0_plus(10)).await,
        vec![others.session.id]
    );
    assert!(
        s.sessions
            .revoke_all(user.id, t0_plus(20))
            .await
            .unwrap()
            .is_empty()
    );
}

/// The count for metrics: every user's live sessions, not the revoked or expired ones.
pub async fn live_sessions_of_every_user_are_counted(s: &StorageUnderTest) {
    assert_eq!(s.sessions.count_active(t0()).await.unwrap(), 0);
    let ada = registered_user(s).await;
    let bob = registered_user(s).await;
    let first = login(s, ada.id, t0()).await;
    login(s, ada.id, t0()).await;
    login(s, bob.id, t0()).await;
    assert_eq!(s.sessions.count_active(t0_plus(1)).await.unwrap(), 3);

    assert!(
        s.sessions
            .revoke(ada.id, first.session.id, t0_plus(2))
            .await
            .unwrap()
    );
    assert_eq!(s.sessions.count_active(t0_plus(3)).await.unwrap(), 2);
    let years_later = t0_plus(10 * 365 * 24 * 3600);
    assert_eq!(s.sessions.count_active(years_later).await.unwrap(), 0);
}
