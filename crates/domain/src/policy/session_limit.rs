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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Timestamp;
    use crate::ids::UserId;
    use crate::session::ClientInfo;
    use chrono::{Duration, TimeZone, Utc};

    fn t0() -> Timestamp {
        Utc.with_ymd_and_hms(2024, 1, 1, 12, 0, 0).unwrap()
    }

    /// A session created `created` minutes after t0 and last used `used` minutes after t0.
    fn session(created: i64, used: i64) -> Session {
        Session {
            id: SessionId::new(),
            user_id: UserId::new(),
            client: ClientInfo::default(),
            remember_me: true,
            created_at: t0() + Duration::minutes(created),
            last_activity: t0() + Duration::minutes(used),
            revoked_at: None,
        }
    }

    #[test]
    fn nothing_is_evicted_under_the_limit() {
        let active: Vec<_> = (0..3).map(|i| session(i, i)).collect();
        assert!(sessions_to_evict(&active, 5).is_empty());
        let four: Vec<_> = (0..4).map(|i| session(i, i)).collect();
        assert!(
            sessions_to_evict(&four, 5).is_empty(),
            "the new one makes five"
        );
    }

    #[test]
    fn at_the_limit_the_least_recently_used_session_makes_room() {
        let active = vec![
            session(0, 50),
            session(1, 10),
            session(2, 30),
            session(3, 40),
            session(4, 20),
        ];
        assert_eq!(sessions_to_evict(&active, 5), vec![active[1].id]);
    }

    #[test]
    fn over_the_limit_the_oldest_sessions_by_last_use_go_first() {
        let active = vec![
            session(0, 70),
            session(1, 10),
            session(2, 60),
            session(3, 30),
            session(4, 20),
            session(5, 50),
            session(6, 40),
        ];
        // 7 live + 1 new, limit 5: three go, least recently used first.
        assert_eq!(
            sessions_to_evict(&active, 5),
            vec![active[1].id, active[4].id, active[3].id]
        );
    }

    #[test]
    fn equal_last_use_evicts_the_older_session() {
        let newer = session(20, 30);
        let older = session(10, 30);
        assert_eq!(
            sessions_to_evict(&[newer, older.clone()], 2),
            vec![older.id]
        );
    }

    #[test]
    fn a_limit_of_zero_means_unlimited() {
        let active: Vec<_> = (0..100).map(|i| session(i, i)).collect();
        assert!(sessions_to_evict(&active, 0).is_empty());
    }

    #[test]
    fn a_limit_of_one_evicts_every_other_session() {
        let active = vec![session(0, 1), session(1, 2)];
        assert_eq!(sessions_to_evict(&active, 1).len(), 2);
    }
}
