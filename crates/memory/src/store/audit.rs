//! [`AuditLog`] over the in-memory tables: a bounded trail, oldest events dropped first.

use super::{MAX_AUDIT_EVENTS, MemoryStore};
use async_trait::async_trait;
use authd_domain::audit::AuditEvent;
use authd_domain::directory::{AuditQuery, Page};
use authd_domain::error::PortError;
use authd_domain::ids::UserId;
use authd_domain::ports::AuditLog;
use std::cmp::Reverse;

#[async_trait]
impl AuditLog for MemoryStore {
    async fn search(&self, query: &AuditQuery) -> Result<Page<AuditEvent>, PortError> {
        let t = self.lock();
        let mut found: Vec<&AuditEvent> = t.audit.iter().filter(|e| matches(e, query)).collect();
        found.sort_by_key(|e| Reverse((e.at, e.id)));
        let total = found.len() as u64;
        let skip = usize::try_from(query.page.offset()).unwrap_or(usize::MAX);
        let take = usize::try_from(query.page.limit()).unwrap_or(usize::MAX);
        let items = found.into_iter().skip(skip).take(take).cloned().collect();
        Ok(Page {
            items,
            request: query.page,
            total,
        })
    }

    async fn record(&self, event: &AuditEvent) -> Result<(), PortError> {
        let mut t = self.lock();
        t.audit.push_back(event.clone());
        while t.audit.len() > MAX_AUDIT_EVENTS {
            t.audit.pop_front();
        }
        Ok(())
    }

    async fn for_user(&self, user_id: UserId, limit: usize) -> Result<Vec<AuditEvent>, PortError> {
        let t = self.lock();
        // Latest recorded first, then a stable sort: events at the same instant stay in
        // reverse recording order.
        let mut events: Vec<AuditEvent> = t
            .audit
            .iter()
            .rev()
            .filter(|e| e.user_id == Some(user_id))
            .cloned()
            .collect();
        drop(t);
        events.sort_by_key(|e| Reverse(e.at));
        events.truncate(limit);
        Ok(events)
    }
}

fn matches(event: &AuditEvent, query: &AuditQuery) -> bool {
    query.user_id.is_none_or(|id| event.user_id == Some(id))
        && (query.kinds.is_empty() || query.kinds.contains(&event.kind))
        && query.from.is_none_or(|from| event.at >= from)
        && query.to.is_none_or(|to| event.at < to)
}
