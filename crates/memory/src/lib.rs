//! In-memory adapters for every storage and cache port: the embedded default of a single
//! instance, and the fastest backend for tests. Everything is lost on exit.
//!
//! - [`MemoryStore`]: accounts, sessions, refresh tokens, one-time tokens, the outbox, the
//!   audit trail and MFA state (factors, backup codes, login challenges, remembered devices),
//!   all behind one mutex so that units of work spanning tables are atomic.
//! - [`MemoryDenylist`]: revoked access tokens, read on every authenticated request.
//! - [`MemoryRateLimiter`]: fixed-window hit counters, and the failed-login spreads per client
//!   address (`FailureSpread`).
//!
//! The two caches expire entries by the [`Clock`] they are given, never by reading the time
//! themselves: the ports' methods carry no `now`, and there is one wall clock
//! (`authd-clock`), which an adapter must not depend on.
//!
//! [`Clock`]: authd_domain::ports::Clock

mod denylist;
mod failure_spread;
mod rate_limiter;
mod store;

pub use denylist::MemoryDenylist;
pub use rate_limiter::MemoryRateLimiter;
pub use store::MemoryStore;
