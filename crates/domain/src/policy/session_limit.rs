//! The concurrent-session limit: a login beyond `max` evicts the least recently used sessions.

use crate::ids::SessionId;
use crate::session::Session;

/// Which of `active` (the user's live sessions, before the new one is added) to revoke so that,
/// with the new session, at most `max` remain. `max == 0` means unlimited.
#[must_use]
pub fn sessions_to_evict(active: &[Session], max: usize) -> Vec<SessionId> {
    if max == 0 || active.len() < max {
        return Vec::new();
    }
    let excess = active.len() + 1 - max;
    let mut by_age: Vec<&Session> = active.iter().collect();
    by_age.sort_by_key(|s| (s.last_activity, s.created_at, s.id));
    by_age.into_iter().take(excess).map(|s| s.id).collect()
}
