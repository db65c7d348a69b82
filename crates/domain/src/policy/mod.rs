//! Policies: pure functions of their inputs and `now`. Adapters call them inside their atomic
//! units of work, so memory and PostgreSQL apply exactly the same rules.

pub mod backoff;
pub mod device;
pub mod lockout;
pub mod password;
pub mod rate_limit;
pub mod retention;
pub mod rotation;
pub mod session_limit;
pub mod username;
