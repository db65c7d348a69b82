//! Login challenges: found by hash, an attempt counted before each code until the fifth,
//! consumed once and only until they expire.

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

/// The challenge is found as stored (either `remember_me`, either `lock_bypass`), also once
/// expired; an unknown hash finds nothing.
pub async fn a_created_challenge_is_found_by_its_hash_live_or_not(s: &StorageUnderTest) {
    let challenge = stored_challenge(s).await;
    let mut expired =
        fixtures::mfa_challenge(&registered_user(s).await, t0_plus(300) - Duration::hours(1));
    expired.remember_me = false;
    expired.lock_bypass = true;
    expired.client.ip = None;
    s.mfa.create_challenge(&expired).await.unwrap();

    let found = s.mfa.find_challenge(&challenge.hash).await.unwrap();
    assert_eq!(found, Some(challenge));
    let found_expired = s.mfa.find_challenge(&expired.hash).await.unwrap();
    assert_eq!(found_expired, Some(expired));
    let unknown = s.mfa.find_challenge(&fixtures::token_hash()).await.unwrap();
    assert_eq!(unknown, None);
}

/// Each attempt is counted before its code is checked: the count runs 1 to
/// [`MfaChallenge::MAX_ATTEMPTS`], each answer carrying the challenge after the count (and
/// `find_challenge` reads it back); then no more attempts. The challenge can still be consumed
/// after the fifth attempt, since the fifth code may be the right one.
pub async fn each_attempt_is_counted_until_the_fifth(s: &StorageUnderTest) {
    let challenge = stored_challenge(s).await;
    let now = while_live(&challenge);
    let max = MfaChallenge::MAX_ATTEMPTS;
    for attempts in 1..=max {
        let taken = s.mfa.take_attempt(&challenge.hash, now).await.unwrap();
        let counted = MfaChallenge {
            attempts,
            ..challenge.clone()
        };
        assert_eq!(taken.as_ref(), Some(&counted), "attempt {attempts}");
        let found = s.mfa.find_challenge(&challenge.hash).await.unwrap();
        assert_eq!(found, Some(counted), "the count is stored");
    }
    for _ in 0..3 {
        let refused = s.mfa.take_attempt(&challenge.hash, now).await.unwrap();
        assert_eq!(refused, None, "no attempt after {max}");
    }
    let found = s.mfa.find_challenge(&challenge.hash).await.unwrap();
    assert_eq!(
        found.map(|c| c.attempts),
        Some(max),
        "a refusal counts nothing"
    );

    let consumed = s.mfa.consume_challenge(&challenge.hash, now).await.unwrap();
    assert_eq!(
        consumed,
        Some(MfaChallenge {
            attempts: max,
            ..challenge.clone()
        }),
        "the fifth code may be the right one"
    );
    let gone = s.mfa.take_attempt(&challenge.hash, now).await.unwrap();
    assert_eq!(gone, None, "a consumed challenge takes no attempt");
}

/// An expired challenge (at `expires_at` and after) and an unknown hash take no attempt, and
/// the expired one's count stays as it was.
pub async fn an_expired_or_unknown_challenge_takes_no_attempt(s: &StorageUnderTest) {
    let challenge = stored_challenge(s).await;
    for at in [
        challenge.expires_at,
        challenge.expires_at + Duration::hours(1),
    ] {
        let taken = s.mfa.take_attempt(&challenge.hash, at).await.unwrap();
        assert_eq!(taken, None, "expired at {at}");
    }
    let found = s.mfa.find_challenge(&challenge.hash).await.unwrap();
    assert_eq!(found.map(|c| c.attempts), Some(0));
    let just_before = challenge.expires_at - Duration::seconds(1);
    let taken = s
        .mfa
        .take_attempt(&challenge.hash, just_before)
        .await
        .unwrap();
    assert_eq!(taken.map(|c| c.attempts), Some(1));

    let unknown = s
        .mfa
        .take_attempt(&fixtures::token_hash(), while_live(&challenge))
        .await
        .unwrap();
    assert_eq!(unknown, None);
}

/// An unexpired challenge is consumed once, and is gone after; an expired one is never
/// consumed.
pub async fn a_challenge_is_consumed_once_and_only_until_it_expires(s: &StorageUnderTest) {
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

/// 20 concurrent attempts on a fresh challenge: exactly [`MfaChallenge::MAX_ATTEMPTS`] get it,
/// with the counts 1 to 5 each once, and 15 get `None`; the stored count is 5. This is what
/// keeps parallel codes on one `mfaToken` to 5 between them.
pub async fn concurrent_attempts_on_one_challenge_get_exactly_five(s: &StorageUnderTest) {
    let challenge = stored_challenge(s).await;
    let hash = Arc::new(challenge.hash.clone());
    let now = while_live(&challenge);

    let outcomes = concurrently(20, |_| {
        let mfa = Arc::clone(&s.mfa);
        let hash = Arc::clone(&hash);
        async move { mfa.take_attempt(&hash, now).await.unwrap() }
    })
    .await;

    let mut counts: Vec<u32> = outcomes.iter().flatten().map(|c| c.attempts).collect();
    counts.sort_unstable();
    let max = MfaChallenge::MAX_ATTEMPTS;
    assert_eq!(counts, (1..=max).collect::<Vec<_>>(), "{outcomes:?}");
    assert_eq!(outcomes.iter().filter(|o| o.is_none()).count(), 15);
    let stored = s.mfa.find_challenge(&challenge.hash).await.unwrap();
    assert_eq!(stored.map(|c| c.attempts), Some(max));
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
