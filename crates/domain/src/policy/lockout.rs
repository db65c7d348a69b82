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
