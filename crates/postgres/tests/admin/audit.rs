//! `AuditLog::search` and the actor of an event.

use super::common::db;
use authd_domain::audit::AuditKind;
use authd_domain::directory::{AuditQuery, PageRequest};
use authd_domain::ids::{EventId, UserId};
use authd_testkit::fixtures::{audit_event, t0_plus};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_actor_of_an_event_is_stored_and_read_back() {
    let db = db().await;
    let (user, admin) = (UserId::new(), UserId::new());
    let by_admin = audit_event(AuditKind::AccountSuspended, t0_plus(1), Some(user)).by(admin);
    let own = audit_event(AuditKind::LoginSucceeded, t0_plus(2), Some(user));
    db.ports
        .audit
        .record_all(&[by_admin.clone(), own.clone()])
        .await
        .unwrap();
    assert_eq!(
        db.ports.audit.for_user(user, 10).await.unwrap(),
        vec![own, by_admin]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_listing_filters_by_account_kind_and_time_newest_first_in_pages() {
    let db = db().await;
    let (alice, bob) = (UserId::new(), UserId::new());
    let mut events = Vec::new();
    for i in 0..6 {
        let kind = if i % 2 == 0 {
            AuditKind::LoginSucceeded
        } else {
            AuditKind::LoginFailed
        };
        events.push(audit_event(kind, t0_plus(i * 10), Some(alice)));
    }
    // Two of one instant: the larger id first.
    let mut twins = vec![
        audit_event(AuditKind::Logout, t0_plus(25), Some(bob)),
        audit_event(AuditKind::Logout, t0_plus(25), Some(bob)),
    ];
    events.extend(twins.clone());
    events.push(audit_event(
        AuditKind::CredentialStuffingSuspected,
        t0_plus(30),
        None,
    ));
    db.ports.audit.record_all(&events).await.unwrap();
    twins.sort_by_key(|e| std::cmp::Reverse(e.id));

    let search = |q: AuditQuery| {
        let audit = db.ports.audit.clone();
        async move { audit.search(&q).await.unwrap() }
    };
    let alices = search(AuditQuery {
        user_id: Some(alice),
        ..AuditQuery::default()
    })
    .await;
    assert_eq!(alices.total, 6);
    let at: Vec<_> = alices.items.iter().map(|e| e.at).collect();
    assert_eq!(
        at,
        (0..6).rev().map(|i| t0_plus(i * 10)).collect::<Vec<_>>()
    );

    let failures = search(AuditQuery {
        kinds: vec![AuditKind::LoginFailed, AuditKind::Logout],
        from: Some(t0_plus(10)),
        to: Some(t0_plus(30)),
        ..AuditQuery::default()
    })
    .await;
    // 10 and 25 (twice) are inside; 30 is the exclusive end, 50 beyond it.
    let ids: Vec<EventId> = failures.items.iter().map(|e| e.id).collect();
    assert_eq!(ids, vec![twins[0].id, twins[1].id, events[1].id]);
    assert_eq!(failures.total, 3);

    let page = |n| AuditQuery {
        page: PageRequest::new(Some(n), Some(4)).unwrap(),
        ..AuditQuery::default()
    };
    let (p1, p3) = (search(page(1)).await, search(page(3)).await);
    assert_eq!((p1.items.len(), p1.total, p1.pages()), (4, 9, 3));
    assert_eq!(
        p1.items[0].kind,
        AuditKind::LoginFailed,
        "t0+50 is the newest"
    );
    assert_eq!((p3.items.len(), p3.total), (1, 9));
    assert_eq!(p3.items[0].at, t0_plus(0));
    let beyond = search(page(4)).await;
    assert_eq!((beyond.items.len(), beyond.total), (0, 9));
}
