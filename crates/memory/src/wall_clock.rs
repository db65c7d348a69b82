//! The wall clock behind the default constructors of the cache adapters. The binary always
//! passes its own clock (`with_clock`); this keeps `new()` usable without wiring one.

use authd_domain::Timestamp;
use authd_domain::ports::Clock;

pub(crate) struct UtcClock;

impl Clock for UtcClock {
    fn now(&self) -> Timestamp {
        chrono::Utc::now()
    }
}
