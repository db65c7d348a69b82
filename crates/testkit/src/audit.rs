//! Conformance checks for [`authd_domain::ports::AuditLog`]; searching the trail is in
//! [`search`].

mod search;
pub use search::*;

use crate::StorageUnderTest;
use crate::fixtures::{self, t0_plus};
use authd_domain::audit::AuditKind;
use authd_domain::ids::UserId;

/// Every check of this module, each registered as a test on a fresh `$storage` (see
/// [`crate::conformance`]): listing a check here runs it on every adapter of the port.
#[macro_export]
macro_rules! audit_conformance {
    ($storage:expr) => {
        $crate::__register_checks! { audit, $storage;
            audit_trail_lists_a_users_events_newest_first
            events_recorded_together_keep_their_order
            every_kind_of_event_reads_back
            audit_search_filters_by_user_kinds_and_time_range
            audit_search_spans_every_account_without_a_user
            audit_search_lists_newest_first_with_ties_by_id_in_pages
            audit_events_keep_their_actor
        }
    };
}

/// A user's events come back whole, newest first, limited, without anyone else's.
pub async fn audit_trail_lists_a_users_events_newest_first(s: &StorageUnderTest) {
    let user = UserId::new();
    let other = UserId::new();
    let middle = fixtures::audit_event(AuditKind::LoginFailed, t0_plus(60), Some(user));
    let oldest = fixtures::audit_event(AuditKind::UserRegistered, t0_plus(0), Some(user));
    let newest = fixtures::audit_event(AuditKind::LoginSucceeded, t0_plus(120), Some(user));
    let others = fixtures::audit_event(AuditKind::Logout, t0_plus(90), Some(other));
    let anonymous = fixtures::audit_event(AuditKind::LoginFailed, t0_plus(100), None);
    // Recorded out of order: the trail orders by time, not by arrival.
    for event in [&middle, &oldest, &others, &newest, &anonymous] {
        s.audit.record(event).await.unwrap();
    }

    let all = s.audit.for_user(user, 10).await.unwrap();
    assert_eq!(all, vec![newest.clone(), middle.clone(), oldest]);
    assert_eq!(
        s.audit.for_user(user, 2).await.unwrap(),
        vec![newest, middle]
    );
    assert_eq!(s.audit.for_user(other, 10).await.unwrap(), vec![others]);
    assert!(
        s.audit
            .for_user(UserId::new(), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Events recorded together are all stored, in their order: at one instant, the last recorded
/// is listed first.
pub async fn events_recorded_together_keep_their_order(s: &StorageUnderTest) {
    let user = UserId::new();
    let at = t0_plus(30);
    let events: Vec<_> = [
        AuditKind::LoginSucceeded,
        AuditKind::TokenRefreshed,
        AuditKind::Logout,
    ]
    .into_iter()
    .map(|kind| fixtures::audit_event(kind, at, Some(user)))
    .collect();
    s.audit.record_all(&events).await.unwrap();
    s.audit.record_all(&[]).await.unwrap();

    let listed = s.audit.for_user(user, 10).await.unwrap();
    let newest_first: Vec<_> = events.into_iter().rev().collect();
    assert_eq!(listed, newest_first);
}

/// Every kind of event is stored and read back as itself (a kind the adapter cannot read back
/// would break the trail of every user who has one).
pub async fn every_kind_of_event_reads_back(s: &StorageUnderTest) {
    let user = UserId::new();
    let events: Vec<_> = AuditKind::ALL
        .into_iter()
        .zip(0..)
        .map(|(kind, i)| fixtures::audit_event(kind, t0_plus(i), Some(user)))
        .collect();
    s.audit.record_all(&events).await.unwrap();

    let listed = s.audit.for_user(user, events.len() + 1).await.unwrap();
    let newest_first: Vec<_> = events.into_iter().rev().collect();
    assert_eq!(listed, newest_first);
}
