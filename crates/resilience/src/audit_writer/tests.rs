//! The writer over the in-memory store, and over a store that is down for a while.

use super::*;
use authd_domain::audit::AuditKind;
use authd_memory::MemoryStore;
use authd_testkit::fixtures::{audit_event, t0_plus};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The in-memory store, unavailable while `down` is set (a database outage).
struct Flaky {
    store: MemoryStore,
    down: AtomicBool,
    refused: AtomicUsize,
}

#[async_trait]
impl AuditLog for Flaky {
    async fn record(&self, event: &AuditEvent) -> Result<(), PortError> {
        self.record_all(std::slice::from_ref(event)).await
    }

    async fn record_all(&self, events: &[AuditEvent]) -> Result<(), PortError> {
        if self.down.load(Ordering::SeqCst) {
            self.refused.fetch_add(1, Ordering::SeqCst);
            return Err(PortError::unavailable("the database is down"));
        }
        self.store.record_all(events).await
    }

    async fn for_user(&self, user_id: UserId, limit: usize) -> Result<Vec<AuditEvent>, PortError> {
        self.store.for_user(user_id, limit).await
    }

    async fn search(
        &self,
        query: &authd_domain::directory::AuditQuery,
    ) -> Result<authd_domain::directory::Page<AuditEvent>, PortError> {
        self.store.search(query).await
    }
}

fn events(user: UserId, n: i64) -> Vec<AuditEvent> {
    (0..n)
        .map(|i| audit_event(AuditKind::TokenRefreshed, t0_plus(i), Some(user)))
        .collect()
}

#[tokio::test]
async fn every_event_recorded_is_stored_in_order_by_the_time_the_writer_stops() {
    let store = Arc::new(MemoryStore::new());
    let (log, writer) = start(store.clone());
    let user = UserId::new();
    let recorded = events(user, 1_000);
    for event in &recorded {
        log.record(event).await.unwrap();
    }
    writer.stop().await;

    let stored = store.for_user(user, 2_000).await.unwrap();
    let newest_first: Vec<_> = recorded.into_iter().rev().collect();
    assert_eq!(stored, newest_first);
}

#[tokio::test]
async fn events_recorded_while_the_database_is_down_are_written_once_it_is_back() {
    let flaky = Arc::new(Flaky {
        store: MemoryStore::new(),
        down: AtomicBool::new(true),
        refused: AtomicUsize::new(0),
    });
    let (log, writer) = start(flaky.clone());
    let user = UserId::new();
    let recorded = events(user, 50);
    for event in &recorded {
        // Queued: the request is not failed by the outage.
        log.record(event).await.unwrap();
    }
    while flaky.refused.load(Ordering::SeqCst) < 2 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(flaky.for_user(user, 100).await.unwrap().is_empty());

    flaky.down.store(false, Ordering::SeqCst);
    writer.stop().await;
    assert_eq!(flaky.for_user(user, 100).await.unwrap().len(), 50);
}

#[tokio::test]
async fn stopping_while_the_database_is_down_does_not_hang() {
    let flaky = Arc::new(Flaky {
        store: MemoryStore::new(),
        down: AtomicBool::new(true),
        refused: AtomicUsize::new(0),
    });
    let (log, writer) = start(flaky.clone());
    log.record(&events(UserId::new(), 1)[0]).await.unwrap();
    let stopped = tokio::time::timeout(FINAL_FLUSH_LIMIT + Duration::from_secs(1), writer.stop());
    assert!(stopped.await.is_ok());
}

#[tokio::test]
async fn once_stopped_events_are_written_by_the_request_itself() {
    let store = Arc::new(MemoryStore::new());
    let (log, writer) = start(store.clone());
    writer.stop().await;
    let user = UserId::new();
    let late = &events(user, 1)[0];
    log.record(late).await.unwrap();
    assert_eq!(store.for_user(user, 10).await.unwrap(), vec![late.clone()]);
}
