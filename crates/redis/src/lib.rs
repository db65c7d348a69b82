//! Redis adapter (deadpool-redis): the state every instance of authd must share.
//!
//! - [`RedisStore`]: the access-token denylist ([`TokenDenylist`]) with the per-user
//!   revocation cut-off, the fixed-window rate limiter ([`RateLimiter`]) and the failed-login
//!   spreads per client address ([`FailureSpread`]). Share one instance (`Arc<RedisStore>`) as
//!   all three ports. A denial's time to live is measured from the [`Clock`] it is given.
//! - [`RedisSettings`]: the URL (never logged), the pool size, the command timeout and the key
//!   prefix.
//!
//! Every write that could race is one Lua script, run by its hash (`EVALSHA`) and loaded again
//! when the server has lost it; every read is one command. Every call, waiting for a
//! connection included, is bounded by the command timeout: a server that is down, slow or
//! unreachable makes calls fail with [`PortError::Unavailable`] in that time, and the pool
//! reconnects on its own once the server is back.
//!
//! [`TokenDenylist`]: authd_domain::ports::TokenDenylist
//! [`RateLimiter`]: authd_domain::ports::RateLimiter
//! [`FailureSpread`]: authd_domain::ports::FailureSpread
//! [`Clock`]: authd_domain::ports::Clock
//! [`PortError::Unavailable`]: authd_domain::error::PortError::Unavailable

mod denylist;
mod error;
mod failure_spread;
mod keys;
mod pool;
mod rate_limiter;
mod sentinel;
mod settings;
mod store;
mod topology;

pub use error::RedisError;
pub use settings::{
    DEFAULT_COMMAND_TIMEOUT, DEFAULT_KEY_PREFIX, DEFAULT_POOL_MAX, Login, RedisSettings,
    RedisTopology,
};
pub use store::RedisStore;
