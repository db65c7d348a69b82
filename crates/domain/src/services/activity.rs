//! `GET /v1/users/me/activity`: the holder's own security events.

use crate::audit::AuditEvent;
use crate::directory::{Page, PageRequest};
use crate::error::InfraError;
use crate::ids::UserId;
use crate::ports::AuditLog;
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
        let _ = (user_id, page, &self.audit);
        todo!("issue 15")
    }
}
