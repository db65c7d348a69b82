//! [`authd_domain::ports::AuditLog::search`]: filters, order, pages, and the actor of an
//! administrator's event.

use crate::StorageUnderTest;
use crate::fixtures::{self, t0_plus};
use authd_domain::Timestamp;
use authd_domain::audit::{AuditEvent, AuditKind};
use authd_domain::directory::{AuditQuery, PageRequest};
use authd_domain::ids::{EventId, UserId};
use chrono::Duration;
use uuid::Uuid;

fn page(page: u32, limit: u32) -> PageRequest {
    PageRequest::new(Some(page), Some(limit)).unwrap_or_else(|e| panic!("{e}"))
}

/// The ids `query` finds on its page, asserting the total is what the whole listing holds.
async fn search(s: &StorageUnderTest, query: &AuditQuery, total: u64) -> Vec<EventId> {
    let found = s
        .audit
        .search(query)
        .await
        .unwrap_or_else(|e| panic!("searching the audit trail: {e}"));
    assert_eq!(found.total, total, "{query:?}");
    assert_eq!(found.request, query.page, "{query:?}");
    found.items.iter().map(|e| e.id).collect()
}

fn ids(events: &[&AuditEvent]) -> Vec<EventId> {
    events.iter().map(|e| e.id).collect()
}

/// `user_id` exactly, `kinds` among the given (none given: every kind), `from` inclusive, `to`
/// exclusive, all together; newest first.
pub async fn audit_search_filters_by_user_kinds_and_time_range(s: &StorageUnderTest) {
    let user = UserId::new();
    let event = |kind, at, user| fixtures::audit_event(kind, t0_plus(at), user);
    let e1 = event(AuditKind::LoginSucceeded, 0, Some(user));
    let e2 = event(AuditKind::LoginFailed, 10, Some(user));
    let e3 = event(AuditKind::RolesChanged, 20, Some(user)).by(UserId::new());
    let e4 = event(AuditKind::LoginSucceeded, 30, Some(user));
    let e5 = event(AuditKind::TokenRefreshed, 40, Some(user));
    let others = event(AuditKind::LoginSucceeded, 15, Some(UserId::new()));
    let nobodys = event(AuditKind::CredentialStuffingSuspected, 25, None);
    for e in [&e3, &others, &e1, &e5, &nobodys, &e2, &e4] {
        s.audit.record(e).await.unwrap();
    }
    let of_user = |kinds: &[AuditKind], from: Option<i64>, to: Option<i64>| AuditQuery {
        user_id: Some(user),
        kinds: kinds.to_vec(),
        from: from.map(t0_plus),
        to: to.map(t0_plus),
        page: page(1, 100),
    };
    let cases = [
        (of_user(&[], None, None), vec![&e5, &e4, &e3, &e2, &e1]),
        (
            of_user(
                &[AuditKind::LoginSucceeded, AuditKind::RolesChanged],
                None,
                None,
            ),
            vec![&e4, &e3, &e1],
        ),
        (
            of_user(&AuditKind::OWN_ACTIVITY, None, None),
            vec![&e4, &e3, &e2, &e1],
        ),
        (of_user(&[], Some(10), None), vec![&e5, &e4, &e3, &e2]),
        (of_user(&[], None, Some(30)), vec![&e3, &e2, &e1]),
        (of_user(&[], Some(10), Some(30)), vec![&e3, &e2]),
        (
            of_user(&[AuditKind::LoginSucceeded], Some(10), Some(31)),
            vec![&e4],
        ),
        (of_user(&[], Some(20), Some(20)), vec![]),
        (of_user(&[AuditKind::AccountDeleted], None, None), vec![]),
    ];
    for (query, expected) in cases {
        let total = expected.len() as u64;
        assert_eq!(search(s, &query, total).await, ids(&expected), "{query:?}");
    }
    let stranger = AuditQuery {
        user_id: Some(UserId::new()),
        ..of_user(&[], None, None)
    };
    assert_eq!(search(s, &stranger, 0).await, vec![]);
}

/// Without a user, every account's events and those of no account match; scoped here to an
/// hour no other check uses.
pub async fn audit_search_spans_every_account_without_a_user(s: &StorageUnderTest) {
    let offset = i64::from(Uuid::new_v4().as_fields().0 % 1_000_000_000);
    let hour: Timestamp = t0_plus(3_600 * 24 * 400 + offset);
    let at = |seconds| hour + Duration::seconds(seconds);
    let first = fixtures::audit_event(AuditKind::CredentialStuffingSuspected, at(0), None);
    let someones = fixtures::audit_event(AuditKind::LoginFailed, at(1), Some(UserId::new()));
    let second = fixtures::audit_event(AuditKind::CredentialStuffingSuspected, at(2), None);
    s.audit
        .record_all(&[first.clone(), someones.clone(), second.clone()])
        .await
        .unwrap();
    let within = |kinds: Vec<AuditKind>| AuditQuery {
        user_id: None,
        kinds,
        from: Some(hour),
        to: Some(at(3_600)),
        page: page(1, 100),
    };

    assert_eq!(
        search(s, &within(vec![]), 3).await,
        ids(&[&second, &someones, &first])
    );
    assert_eq!(
        search(s, &within(vec![AuditKind::CredentialStuffingSuspected]), 2).await,
        ids(&[&second, &first])
    );
}

/// Newest first; events of one instant by descending id; `limit` per page, the last short, a
/// page past the end empty, the total the whole listing's each time.
pub async fn audit_search_lists_newest_first_with_ties_by_id_in_pages(s: &StorageUnderTest) {
    let user = UserId::new();
    let base = Uuid::new_v4().as_u128() & !0xff;
    let event = |n: u128, at| AuditEvent {
        id: EventId::from_uuid(Uuid::from_u128(base + n)),
        ..fixtures::audit_event(AuditKind::LoginSucceeded, t0_plus(at), Some(user))
    };
    let (a, b, c, d, e) = (
        event(2, 10),
        event(0, 10),
        event(1, 20),
        event(4, 5),
        event(3, 10),
    );
    for ev in [&a, &d, &b, &e, &c] {
        s.audit.record(ev).await.unwrap();
    }
    let query = |n, limit| AuditQuery {
        user_id: Some(user),
        page: page(n, limit),
        ..AuditQuery::default()
    };

    assert_eq!(
        search(s, &query(1, 100), 5).await,
        ids(&[&c, &e, &a, &b, &d])
    );
    assert_eq!(search(s, &query(1, 2), 5).await, ids(&[&c, &e]));
    assert_eq!(search(s, &query(2, 2), 5).await, ids(&[&a, &b]));
    assert_eq!(search(s, &query(3, 2), 5).await, ids(&[&d]));
    assert_eq!(search(s, &query(4, 2), 5).await, vec![]);
    let listed = s.audit.search(&query(1, 2)).await.unwrap();
    assert_eq!(listed.pages(), 3);
}

/// An administrator's event keeps who did it, and every other field, through `search` and
/// `for_user`; the holder's own event has no actor.
pub async fn audit_events_keep_their_actor(s: &StorageUnderTest) {
    let user = UserId::new();
    let admin = UserId::new();
    let by_admin =
        fixtures::audit_event(AuditKind::AccountSuspended, t0_plus(20), Some(user)).by(admin);
    let own = fixtures::audit_event(AuditKind::LoginSucceeded, t0_plus(10), Some(user));
    s.audit
        .record_all(&[own.clone(), by_admin.clone()])
        .await
        .unwrap();

    let query = AuditQuery {
        user_id: Some(user),
        ..AuditQuery::default()
    };
    let found = s.audit.search(&query).await.unwrap().items;
    assert_eq!(found, vec![by_admin.clone(), own.clone()]);
    assert_eq!(found[0].actor_id, Some(admin));
    assert_eq!(found[1].actor_id, None);
    assert_eq!(
        s.audit.for_user(user, 10).await.unwrap(),
        vec![by_admin, own]
    );
}
