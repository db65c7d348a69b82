//! Login challenges: found by hash, wrong codes counted until the challenge dies, consumed once
//! and only while live.

use crate::StorageUnderTest;
use crate::fixtures::{self, t0_plus};
use crate::support::{concurrently, registered_user};
use authd_domain::mfa::MfaChallenge;
use chrono::Duration;
use std::sync::Arc;

/// A stored challenge of a fresh account, created at `t0 + 300`.
async fn stored_challenge(s: &StorageUnderTest) -> MfaChallenge {
    let user = registered_user(s).await;
    let challenge = fixtures::mfa_challenge(&user, t0_plus(300));
    s.mfa.create_challenge(&challenge).await.unwrap();
    challenge
}

/// Within the challenge's lifetime.
fn while_live(c: &MfaChallenge) -> authd_domain::Timestamp {
    c.created_at + Duration::seconds(10)
}

/// The challenge is found as stored, also once expired; an unknown hash finds nothing.
pub async fn a_created_challenge_is_found_by_its_hash_live_or_not(s: &StorageUnderTest) {
    let challenge = stored_challenge(s).await;
    let mut expired =
        fixtures::mfa_challenge(&registered_user(s).await, t0_plus(300) - Duration::hours(1));
    expired.remember_me = false;
    expired.client.ip = None;
    s.mfa.create_challenge(&expired).await.unwrap();

    let found = s.mfa.find_challenge(&challenge.hash).await.unwrap();
    assert_eq!(found, Some(challenge));
    let found_expired = s.mfa.find_challenge(&expired.hash).await.unwrap();
    assert_eq!(found_expired, Some(expired));
    let unknown = s.mfa.find_challenge(&fixtures::token_hash()).await.unwrap();
    assert_eq!(unknown, None);
}

/// Each wrong code raises the count by one; below [`MfaChallenge::MAX_FAILURES`] the challenge
/// can still be consumed (carrying its count), at it the challenge is dead and cannot. An
/// unknown hash counts nothing.
pub async fn challenge_failures_are_counted_until_it_is_dead(s: &StorageUnderTest) {
    let survivor = stored_challenge(s).await;
    let max = MfaChallenge::MAX_FAILURES;
    for expected in 1..max {
        let count = s
            .mfa
            .record_challenge_failure(&survivor.hash)
            .await
            .unwrap();
        assert_eq!(count, Some(expected));
    }
    let consumed = s
        .mfa
        .consume_challenge(&survivor.hash, while_live(&survivor))
        .await
        .unwrap();
    assert_eq!(
        consumed,
        Some(MfaChallenge {
            failures: max - 1,
            ..survivor.clone()
        })
    );

    let dead = stored_challenge(s).await;
    for expected in 1..=max {
        let count = s.mfa.record_challenge_failure(&dead.hash).await.unwrap();
        assert_eq!(count, Some(expected));
    }
    let consumed = s
        .mfa
        .consume_challenge(&dead.hash, while_live(&dead))
        .await
        .unwrap();
    assert_eq!(
        consumed, None,
        "a challenge is dead after {max} wrong codes"
    );
    let found = s.mfa.find_challenge(&dead.hash).await.unwrap();
    assert!(
        found.as_ref().is_none_or(|c| !c.is_live(while_live(&dead))),
        "{found:?}"
    );

    let unknown = s
        .mfa
        .record_challenge_failure(&fixtures::token_hash())
        .await
        .unwrap();
    assert_eq!(unknown, None);
}

/// A live challenge is consumed once, and is gone after; an expired one is never consumed.
pub async fn a_challenge_is_consumed_once_and_only_while_live(s: &StorageUnderTest) {
    let challenge = stored_challenge(s).await;
    let live = challenge.expires_at - Duration::seconds(1);

    let first = s
        .mfa
        .consume_challenge(&challenge.hash, live)
        .await
        .unwrap();
    assert_eq!(first, Some(challenge.clone()));
    let second = s
        .mfa
        .consume_challenge(&challenge.hash, live)
        .await
        .unwrap();
    assert_eq!(second, None);
    assert_eq!(s.mfa.find_challenge(&challenge.hash).await.unwrap(), None);
    assert_eq!(
        s.mfa
            .record_challenge_failure(&challenge.hash)
            .await
            .unwrap(),
        None,
        "a consumed challenge is gone"
    );

    let expired = stored_challenge(s).await;
    let at_expiry = s
        .mfa
        .consume_challenge(&expired.hash, expired.expires_at)
        .await
        .unwrap();
    assert_eq!(at_expiry, None);
    let later = s
        .mfa
        .consume_challenge(&expired.hash, expired.expires_at + Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(later, None);
}

/// 20 concurrent wrong codes against one challenge: each call sees its own count, the counts
/// run 1, 2, 3, ... with none lost (an adapter may delete the challenge once it is dead, after
/// which the calls find nothing), and the challenge ends dead.
pub async fn concurrent_challenge_failures_are_all_counted(s: &StorageUnderTest) {
    let challenge = stored_challenge(s).await;
    let hash = Arc::new(challenge.hash.clone());

    let outcomes = concurrently(20, |_| {
        let mfa = Arc::clone(&s.mfa);
        let hash = Arc::clone(&hash);
        async move { mfa.record_challenge_failure(&hash).await.unwrap() }
    })
    .await;

    let mut counts: Vec<u32> = outcomes.iter().flatten().copied().collect();
    counts.sort_unstable();
    let counted = u32::try_from(counts.len()).unwrap();
    assert_eq!(counts, (1..=counted).collect::<Vec<_>>(), "{outcomes:?}");
    assert!(counted >= MfaChallenge::MAX_FAILURES, "{outcomes:?}");
    if let Some(stored) = s.mfa.find_challenge(&challenge.hash).await.unwrap() {
        assert_eq!(stored.failures, counted);
        assert_eq!(counted, 20, "no count is lost while the challenge exists");
    }
    let consumed = s
        .mfa
        .consume_challenge(&challenge.hash, while_live(&challenge))
        .await
        .unwrap();
    assert_eq!(consumed, None);
}

/// 20 concurrent consumes of one live challenge: exactly one gets it.
pub async fn concurrent_consumes_of_one_challenge_give_it_once(s: &StorageUnderTest) {
    let challenge = stored_challenge(s).await;
    let hash = Arc::new(challenge.hash.clone());
    let now = while_live(&challenge);

    let outcomes = concurrently(20, |_| {
        let mfa = Arc::clone(&s.mfa);
        let hash = Arc::clone(&hash);
        async move { mfa.consume_challenge(&hash, now).await.unwrap() }
    })
    .await;

    let won: Vec<_> = outcomes.into_iter().flatten().collect();
    assert_eq!(won, vec![challenge]);
}
