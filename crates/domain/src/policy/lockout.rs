//! Account lockout after repeated failed logins.
//!
//! ```text
//!            failure (n+1 < max)              failure (n+1 == max)
//!   Open(n) ────────────────────▶ Open(n+1)  ──────────────────────▶ Locked(until = now + duration)
//!     ▲                                                                 │
//!     │ success (any state but Locked)                                   │ failure while locked: counted,
//!     └──────────────── Open(0) ◀── lock expired, next failure: Open(1) ◀┘ no new lock
//! ```
//! While `Locked`, login is refused before the password is checked. A failure recorded while
//! already locked (a request that was checking its password when the lock fell) still counts,
//! so the counter never loses an increment, but it never locks a second time: one lock, one
//! `account_locked` event, one email.

use crate::Timestamp;
use chrono::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    pub enabled: bool,
    pub max_attempts: u32,
    pub duration: Duration,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        Self {
            enabled: true,
            max_attempts: 5,
            duration: Duration::minutes(30),
        }
    }
}

/// The lockout fields of an account.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LockoutState {
    pub failed_attempts: u32,
    pub last_failed_at: Option<Timestamp>,
    pub locked_until: Option<Timestamp>,
}

/// What one recorded failure did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureOutcome {
    /// Still open; `remaining` more failures lock the account.
    Counted { remaining: u32 },
    /// This failure reached the limit and locked the account.
    NewlyLocked { until: Timestamp },
    /// The account was already locked by an earlier failure.
    AlreadyLocked { until: Timestamp },
}

impl LockoutPolicy {
    /// `Some(until)` while the account is locked at `now`.
    #[must_use]
    pub fn locked_until(&self, state: &LockoutState, now: Timestamp) -> Option<Timestamp> {
        if !self.enabled {
            return None;
        }
        state.locked_until.filter(|until| *until > now)
    }

    /// The state after one more failed attempt at `now`.
    #[must_use]
    pub fn record_failure(
        &self,
        state: &LockoutState,
        now: Timestamp,
    ) -> (LockoutState, FailureOutcome) {
        if let Some(until) = self.locked_until(state, now) {
            let next = LockoutState {
                failed_attempts: state.failed_attempts.saturating_add(1),
                last_failed_at: Some(now),
                locked_until: Some(until),
            };
            return (next, FailureOutcome::AlreadyLocked { until });
        }
        // An expired lock starts a fresh count.
        let previous = if state.locked_until.is_some() {
            0
        } else {
            state.failed_attempts
        };
        let attempts = previous.saturating_add(1);
        if self.enabled && attempts >= self.max_attempts {
            let until = now + self.duration;
            let next = LockoutState {
                failed_attempts: attempts,
                last_failed_at: Some(now),
                locked_until: Some(until),
            };
            return (next, FailureOutcome::NewlyLocked { until });
        }
        let next = LockoutState {
            failed_attempts: attempts,
            last_failed_at: Some(now),
            locked_until: None,
        };
        let remaining = self.max_attempts.saturating_sub(attempts);
        (next, FailureOutcome::Counted { remaining })
    }

    /// The state after a successful login or a password reset: open, nothing counted.
    #[must_use]
    pub fn cleared() -> LockoutState {
        LockoutState::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn now() -> Timestamp {
        Utc.with_ymd_and_hms(2024, 1, 1, 12, 0, 0).unwrap()
    }

    fn policy() -> LockoutPolicy {
        LockoutPolicy::default()
    }

    fn after_failures(policy: &LockoutPolicy, n: u32) -> LockoutState {
        (0..n).fold(LockoutState::default(), |state, _| {
            policy.record_failure(&state, now()).0
        })
    }

    #[test]
    fn each_failure_below_the_limit_is_counted_with_the_attempts_left() {
        let (state, outcome) = policy().record_failure(&LockoutState::default(), now());
        assert_eq!(outcome, FailureOutcome::Counted { remaining: 4 });
        assert_eq!(state.failed_attempts, 1);
        assert_eq!(state.last_failed_at, Some(now()));
        assert_eq!(state.locked_until, None);

        let (state, outcome) = policy().record_failure(&after_failures(&policy(), 3), now());
        assert_eq!(outcome, FailureOutcome::Counted { remaining: 1 });
        assert_eq!(state.failed_attempts, 4);
    }

    #[test]
    fn the_failure_that_reaches_the_limit_locks_for_the_configured_duration() {
        let (state, outcome) = policy().record_failure(&after_failures(&policy(), 4), now());
        let until = now() + Duration::minutes(30);
        assert_eq!(outcome, FailureOutcome::NewlyLocked { until });
        assert_eq!(state.failed_attempts, 5);
        assert_eq!(state.locked_until, Some(until));
        assert_eq!(policy().locked_until(&state, now()), Some(until));
    }

    #[test]
    fn a_failure_while_locked_is_counted_but_does_not_lock_again() {
        let locked = after_failures(&policy(), 5);
        let until = locked.locked_until.unwrap();
        let later = now() + Duration::minutes(10);
        let (state, outcome) = policy().record_failure(&locked, later);
        assert_eq!(outcome, FailureOutcome::AlreadyLocked { until });
        assert_eq!(state.failed_attempts, 6);
        assert_eq!(state.last_failed_at, Some(later));
        assert_eq!(state.locked_until, Some(until), "the lock is not extended");
    }

    #[test]
    fn the_lock_ends_exactly_at_its_end_time() {
        let locked = after_failures(&policy(), 5);
        let until = locked.locked_until.unwrap();
        assert!(
            policy()
                .locked_until(&locked, until - Duration::seconds(1))
                .is_some()
        );
        assert_eq!(policy().locked_until(&locked, until), None);
    }

    #[test]
    fn a_failure_after_the_lock_expired_starts_counting_again_at_one() {
        let locked = after_failures(&policy(), 5);
        let after = locked.locked_until.unwrap() + Duration::seconds(1);
        let (state, outcome) = policy().record_failure(&locked, after);
        assert_eq!(outcome, FailureOutcome::Counted { remaining: 4 });
        assert_eq!(state.failed_attempts, 1);
        assert_eq!(state.locked_until, None);
    }

    #[test]
    fn a_disabled_policy_counts_but_never_locks() {
        let disabled = LockoutPolicy {
            enabled: false,
            ..LockoutPolicy::default()
        };
        let state = after_failures(&disabled, 50);
        assert_eq!(state.failed_attempts, 50);
        assert_eq!(state.locked_until, None);
        let (_, outcome) = disabled.record_failure(&state, now());
        assert!(matches!(outcome, FailureOutcome::Counted { .. }));
    }

    #[test]
    fn a_disabled_policy_ignores_a_lock_stored_while_it_was_enabled() {
        let locked = after_failures(&policy(), 5);
        let disabled = LockoutPolicy {
            enabled: false,
            ..LockoutPolicy::default()
        };
        assert_eq!(disabled.locked_until(&locked, now()), None);
    }

    #[test]
    fn clearing_opens_the_account_with_nothing_counted() {
        let cleared = LockoutPolicy::cleared();
        assert_eq!(cleared, LockoutState::default());
        assert_eq!(policy().locked_until(&cleared, now()), None);
    }
}
