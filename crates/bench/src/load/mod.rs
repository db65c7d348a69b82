//! The load generator: goose virtual users, each a closed loop of requests on a keep-alive
//! connection of its own, with state of its own (a refresh chain, a pacing schedule). Timings
//! are taken here around goose's request, with microsecond resolution, into a [`Recorder`].
//!
//! [`Recorder`]: crate::recorder::Recorder

mod attack;
mod exchange;
mod pacer;
mod scenarios;

pub use attack::{Group, run, window};
pub use scenarios::{Load, admin_search, login, me, refresh, register};
