//! In-memory adapters for every storage and cache port: the embedded default of a single
//! instance, and the fastest backend for tests. Everything is lost on exit.
//!
//! - [`MemoryStore`]: accounts, sessions, refresh tokens, one-time tokens, the outbox and the
//!   audit trail, all behind one mutex so that units of work spanning tables are atomic.
//! - [`MemoryDenylist`]: revoked access tokens, read on every authenticated request.
//! - [`MemoryRateLimiter`]: fixed-window hit counters.

mod denylist;
mod rate_limiter;
mod store;
mod wall_clock;

pub use denylist::MemoryDenylist;
pub use rate_limiter::MemoryRateLimiter;
pub use store::MemoryStore;
