//! Port decorators: what an outage of a backing service does to a request. The adapters report
//! `Unavailable` truthfully; whether that fails the request, degrades it or defers the work is
//! a policy, decided here once for any adapter that serves the port (docs/redis.md).
//!
//! - [`GuardedDenylist`] ([`TokenDenylist`]): fails closed while the shared denylist is down,
//!   and afterwards also checks sessions in storage for one access-token lifetime, in case it
//!   missed or lost a denial.
//! - [`FallbackRateLimiter`] ([`RateLimiter`]): counts per instance while the shared counters
//!   are down.
//! - [`audit_writer`] ([`AuditLog`]): events queued off the request path and written in
//!   batches, kept and retried through a database outage.
//!
//! [`TokenDenylist`]: authd_domain::ports::TokenDenylist
//! [`RateLimiter`]: authd_domain::ports::RateLimiter
//! [`AuditLog`]: authd_domain::ports::AuditLog

pub mod audit_writer;
mod fallback_rate_limiter;
mod guarded_denylist;

pub use audit_writer::{AuditWriter, BufferedAudit};
pub use fallback_rate_limiter::FallbackRateLimiter;
pub use guarded_denylist::GuardedDenylist;
