//! [`ManualClock`]: the time an adapter or decorator under test sees, moved by the test.

use authd_domain::Timestamp;
use authd_domain::ports::Clock;
use chrono::Duration;
use std::sync::{Mutex, PoisonError};

/// A [`Clock`] that stands still until the test moves it, so that expiry is tested without
/// sleeping.
#[derive(Debug)]
pub struct ManualClock(Mutex<Timestamp>);

impl ManualClock {
    #[must_use]
    pub fn at(now: Timestamp) -> Self {
        Self(Mutex::new(now))
    }

    pub fn advance(&self, by: Duration) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
