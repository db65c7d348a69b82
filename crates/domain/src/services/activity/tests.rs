//! Unit tests of [`super::Activity`] against a mocked audit log.

use super::Activity;
use crate::audit::{AuditEvent, AuditKind};
use crate::directory::{Page, PageRequest};
use crate::error::InfraError;
use crate::ids::UserId;
use crate::ports::MockAuditLog;
use crate::services::test_support::{port_down, t0};
use crate::session::ClientInfo;
use std::sync::Arc;

fn from(ip: &str, ua: &str) -> ClientInfo {
    ClientInfo {
        ip: Some(ip.into()),
        user_agent: Some(ua.into()),
    }
}

fn page(n: u32) -> PageRequest {
    PageRequest::new(Some(n), Some(2)).unwrap_or_else(|e| panic!("{e}"))
}

/// The audit log answers `events` (of 7 in all) for the holder's own kinds on page 2.
fn log_with(holder: UserId, events: Vec<AuditEvent>) -> MockAuditLog {
    let mut audit = MockAuditLog::new();
    audit
        .expect_search()
        .withf(move |q| {
            q.user_id == Some(holder)
                && q.kinds == AuditKind::OWN_ACTIVITY
                && q.from.is_none()
                && q.to.is_none()
                && q.page == page(2)
        })
        .times(1)
        .returning(move |q| {
            Ok(Page {
                items: events.clone(),
                request: q.page,
                total: 7,
            })
        });
    audit
}

#[tokio::test]
async fn the_holder_reads_their_own_events_with_where_they_came_from() {
    let holder = UserId::new();
    let login = AuditEvent::new(
        AuditKind::LoginSucceeded,
        t0(),
        Some(holder),
        &from("203.0.113.7", "Firefox"),
    );
    let activity = Activity::new(Arc::new(log_with(holder, vec![login.clone()])));
    let page = activity.own(holder, page(2)).await.unwrap();
    assert_eq!(page.total, 7);
    assert_eq!(page.pages(), 4);
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].client, login.client);
    assert_eq!(page.items[0].kind, AuditKind::LoginSucceeded);
}

#[tokio::test]
async fn what_an_administrator_did_shows_without_their_address_agent_or_id() {
    let holder = UserId::new();
    let admin = UserId::new();
    let suspended = AuditEvent::new(
        AuditKind::AccountSuspended,
        t0(),
        Some(holder),
        &from("198.51.100.1", "admin-console"),
    )
    .by(admin)
    .with_detail("2 session(s) revoked");
    let own = AuditEvent::new(
        AuditKind::PasswordChanged,
        t0(),
        Some(holder),
        &from("203.0.113.7", "Firefox"),
    )
    .by(holder);
    let activity = Activity::new(Arc::new(log_with(holder, vec![suspended, own.clone()])));
    let items = activity.own(holder, page(2)).await.unwrap().items;
    assert_eq!(items[0].kind, AuditKind::AccountSuspended);
    assert_eq!(items[0].actor_id, None);
    assert_eq!(items[0].client, ClientInfo::default());
    assert_eq!(items[0].detail.as_deref(), Some("2 session(s) revoked"));
    assert_eq!(items[0].at, t0());
    // Their own doing keeps its details.
    assert_eq!(items[1].client, own.client);
    assert_eq!(items[1].actor_id, Some(holder));
}

#[tokio::test]
async fn an_outage_of_the_audit_log_is_an_infrastructure_error() {
    let mut audit = MockAuditLog::new();
    audit.expect_search().returning(|_| Err(port_down()));
    let err = Activity::new(Arc::new(audit))
        .own(UserId::new(), PageRequest::default())
        .await
        .unwrap_err();
    assert!(matches!(err, InfraError::Unavailable(_)));
}
