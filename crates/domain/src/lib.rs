//! authd's domain: what an account, a session and a token are, the rules they obey, and one
//! service per use case. It knows nothing of HTTP, SQL, Redis, SMTP or the wall clock: every
//! outside effect goes through a port trait in [`ports`], implemented by an adapter crate.

pub mod audit;
pub mod authorization;
pub mod directory;
pub mod error;
pub mod ids;
pub mod mfa;
pub mod notification;
pub mod policy;
pub mod ports;
pub mod services;
pub mod session;
pub mod sms;
pub mod telemetry;
pub mod token;
pub mod user;
pub mod values;

/// Every timestamp of the domain is UTC.
pub type Timestamp = chrono::DateTime<chrono::Utc>;
