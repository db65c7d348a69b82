//! Conformance checks for [`authd_domain::ports::Outbox`]: due messages, leases, retries, dead
//! messages and concurrent claimers. These checks need an outbox of their own: they expect to
//! see exactly the messages they queued.

use crate::StorageUnderTest;
use crate::fixtures::{self, t0, t0_plus};
use crate::support::concurrently;
use authd_domain::ids::MessageId;
use authd_domain::ports::OutboxCounts;
use authd_domain::token::TokenPurpose;
use chrono::Duration;
use std::collections::HashSet;
use std::sync::Arc;

/// Every check of this module, each registered as a test on a fresh `$storage` (see
/// [`crate::conformance`]): listing a check here runs it on every adapter of the port.
#[macro_export]
macro_rules! outbox_conformance {
    ($storage:expr) => {
        $crate::__register_checks! { outbox, $storage;
            enqueued_message_is_claimed_once_until_marked_sent
            expired_lease_makes_a_message_claimable_again
            failed_message_is_retried_at_the_given_time
            dead_message_is_never_claimed_again
            claim_returns_at_most_the_limit
            concurrent_claimers_never_get_the_same_message
            counts_follow_the_delivery_state
        }
    };
}

const LEASE: Duration = Duration::minutes(1);

async fn claim(s: &StorageUnderTest, now: authd_domain::Timestamp, limit: usize) -> Vec<MessageId> {
    s.outbox
        .claim_due(now, limit, LEASE)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect()
}

async fn enqueue(s: &StorageUnderTest, now: authd_domain::Timestamp) -> MessageId {
    let user = fixtures::user();
    s.outbox
        .enqueue(&fixtures::verify_mail(&user), now)
        .await
        .unwrap()
}

/// A message is due from its enqueue time, leased to one claim, and gone once sent.
pub async fn enqueued_message_is_claimed_once_until_marked_sent(s: &StorageUnderTest) {
    let user = fixtures::user();
    let mail = fixtures::verify_mail(&user);
    let id = s.outbox.enqueue(&mail, t0()).await.unwrap();

    assert!(
        claim(s, t0_plus(-1), 10).await.is_empty(),
        "not due before it was queued"
    );
    let claimed = s.outbox.claim_due(t0(), 10, LEASE).await.unwrap();
    assert_eq!(claimed.len(), 1);
    let message = &claimed[0];
    assert_eq!(message.id, id);
    assert_eq!(message.attempts, 0);
    assert_eq!(message.created_at, t0());
    assert_eq!(message.notification.kind(), "verify_email");
    assert_eq!(message.notification.recipient(), &user.email);
    assert_eq!(
        message.notification.link(),
        Some((user.id, TokenPurpose::EmailVerification)),
        "a queued mail keeps the account its link is for"
    );
    assert!(
        claim(s, t0_plus(1), 10).await.is_empty(),
        "leased to the first claim"
    );

    s.outbox.mark_sent(id, t0_plus(2)).await.unwrap();

    assert!(
        claim(s, t0_plus(3600), 10).await.is_empty(),
        "never sent again"
    );
}

/// A claim that is neither sent nor failed when its lease ends is handed out again.
pub async fn expired_lease_makes_a_message_claimable_again(s: &StorageUnderTest) {
    let id = enqueue(s, t0()).await;
    assert_eq!(claim(s, t0(), 10).await, vec![id]);

    assert!(
        claim(s, t0() + LEASE - Duration::seconds(1), 10)
            .await
            .is_empty()
    );
    assert_eq!(
        claim(s, t0() + LEASE + Duration::seconds(1), 10).await,
        vec![id]
    );
}

/// A failed message comes back at its retry time, with its failed attempts counted.
pub async fn failed_message_is_retried_at_the_given_time(s: &StorageUnderTest) {
    let id = enqueue(s, t0()).await;
    claim(s, t0(), 10).await;

    s.outbox
        .mark_failed(id, Some(t0_plus(300)), "connection refused")
        .await
        .unwrap();

    assert!(
        claim(s, t0_plus(299), 10).await.is_empty(),
        "not before its retry time"
    );
    let retried = s.outbox.claim_due(t0_plus(300), 10, LEASE).await.unwrap();
    assert_eq!(
        retried
            .iter()
            .map(|m| (m.id, m.attempts))
            .collect::<Vec<_>>(),
        vec![(id, 1)]
    );

    s.outbox
        .mark_failed(id, Some(t0_plus(900)), "connection refused")
        .await
        .unwrap();
    let retried = s.outbox.claim_due(t0_plus(900), 10, LEASE).await.unwrap();
    assert_eq!(
        retried
            .iter()
            .map(|m| (m.id, m.attempts))
            .collect::<Vec<_>>(),
        vec![(id, 2)]
    );
}

/// A message failed for good is never claimed again; the others still are.
pub async fn dead_message_is_never_claimed_again(s: &StorageUnderTest) {
    let dead = enqueue(s, t0()).await;
    let alive = enqueue(s, t0()).await;
    claim(s, t0(), 10).await;

    s.outbox
        .mark_failed(dead, None, "550 mailbox unavailable")
        .await
        .unwrap();

    let later = t0() + Duration::days(365);
    assert_eq!(claim(s, later, 10).await, vec![alive]);
}

/// A claim returns at most `limit` messages, and successive claims never overlap.
pub async fn claim_returns_at_most_the_limit(s: &StorageUnderTest) {
    let mut queued = HashSet::new();
    for i in 0..5 {
        queued.insert(enqueue(s, t0_plus(i)).await);
    }

    let first = claim(s, t0_plus(10), 2).await;
    let rest = claim(s, t0_plus(10), 10).await;

    assert_eq!((first.len(), rest.len()), (2, 3));
    let all: HashSet<MessageId> = first.iter().chain(&rest).copied().collect();
    assert_eq!(all, queued);
}

/// Ten workers claiming at once from 100 messages: every message goes to exactly one of them.
pub async fn concurrent_claimers_never_get_the_same_message(s: &StorageUnderTest) {
    let mut queued = HashSet::new();
    for _ in 0..100 {
        queued.insert(enqueue(s, t0()).await);
    }

    let batches = concurrently(10, |_| {
        let outbox = Arc::clone(&s.outbox);
        async move {
            let mut mine = Vec::new();
            loop {
                let batch = outbox.claim_due(t0_plus(1), 3, LEASE).await.unwrap();
                if batch.is_empty() {
                    return mine;
                }
                mine.extend(batch.into_iter().map(|m| m.id));
                tokio::task::yield_now().await;
            }
        }
    })
    .await;

    let claimed: Vec<MessageId> = batches.into_iter().flatten().collect();
    let distinct: HashSet<MessageId> = claimed.iter().copied().collect();
    assert_eq!(claimed.len(), 100, "no message is handed out twice");
    assert_eq!(distinct, queued);
}

/// The counts for metrics: never tried, failed and due again, given up on; sent ones are gone.
pub async fn counts_follow_the_delivery_state(s: &StorageUnderTest) {
    assert_eq!(s.outbox.counts().await.unwrap(), OutboxCounts::default());
    let retried = enqueue(s, t0()).await;
    let dead = enqueue(s, t0()).await;
    let sent = enqueue(s, t0()).await;
    enqueue(s, t0()).await;
    assert_eq!(claim(s, t0(), 10).await.len(), 4);
    s.outbox
        .mark_failed(retried, Some(t0_plus(60)), "try later")
        .await
        .unwrap();
    s.outbox.mark_failed(dead, None, "give up").await.unwrap();
    s.outbox.mark_sent(sent, t0_plus(1)).await.unwrap();

    let expected = OutboxCounts {
        pending: 1,
        retrying: 1,
        dead: 1,
    };
    assert_eq!(s.outbox.counts().await.unwrap(), expected);
}
