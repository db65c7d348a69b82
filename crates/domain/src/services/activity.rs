//! `GET /v1/users/me/activity`: the holder's own security events.

use crate::audit::{AuditEvent, AuditKind};
use crate::directory::{AuditQuery, Page, PageRequest};
use crate::error::InfraError;
use crate::ids::UserId;
use crate::ports::AuditLog;
use crate::session::ClientInfo;
use std::fmt;
use std::sync::Arc;

/// Reads the caller's own trail: the kinds of [`crate::audit::AuditKind::OWN_ACTIVITY`], about
/// the caller's account only, newest first. An event an administrator caused shows without
/// the administrator's address and User-Agent (another person's data) and without their id.
#[derive(Clone)]
pub struct Activity {
    audit: Arc<dyn AuditLog>,
}

impl fmt::Debug for Activity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Activity").finish_non_exhaustive()
    }
}

impl Activity {
    #[must_use]
    pub fn new(audit: Arc<dyn AuditLog>) -> Self {
        Self { audit }
    }

    /// # Errors
    /// `Infra`.
    #[tracing::instrument(skip_all)]
    pub async fn own(
        &self,
        user_id: UserId,
        page: PageRequest,
    ) -> Result<Page<AuditEvent>, InfraError> {
        let query = AuditQuery {
            user_id: Some(user_id),
            kinds: AuditKind::OWN_ACTIVITY.to_vec(),
            from: None,
            to: None,
            page,
        };
        let events = self.audit.search(&query).await?;
        Ok(events.map(|event| as_seen_by(user_id, event)))
    }
}

/// What the holder may see of an event on their account: all of it when they caused it; of one
/// an administrator caused, that it happened, not where from or by whom.
fn as_seen_by(holder: UserId, mut event: AuditEvent) -> AuditEvent {
    if event.actor_id.is_some_and(|actor| actor != holder) {
        event.actor_id = None;
        event.client = ClientInfo::default();
    }
    event
}

#[cfg(test)]
mod tests;
