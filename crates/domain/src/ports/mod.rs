//! Port traits: everything the domain needs from the outside world. Adapters implement them;
//! the binary picks one adapter per port at start-up and hands them over as `Arc<dyn Port>`.
//!
//! Every method is one atomic unit of work. Where the documents name a race (rotating a refresh
//! token, counting failed logins, consuming a single-use token, the session limit), the adapter
//! settles it inside the method, by one conditional statement, one transaction or one lock,
//! and applies the pure policy from [`crate::policy`] while it holds that guarantee.
//!
//! # Errors
//! Unless a method says otherwise, it returns [`PortError::Unavailable`](crate::error::PortError::Unavailable) when its backing
//! service cannot be reached in time and [`PortError::Internal`](crate::error::PortError::Internal) for anything else unexpected.

mod admin;
mod crypto;
mod delivery;
mod mfa;
mod retention;
mod storage;

pub use admin::*;
pub use crypto::*;
pub use delivery::*;
pub use mfa::*;
pub use retention::*;
pub use storage::*;

use crate::Timestamp;

/// The time.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}
