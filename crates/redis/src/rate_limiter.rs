//! [`RateLimiter`] over Redis: one script counts the hit and reads the window's remaining time
//! atomically, so N concurrent hits from any number of instances count N.

use crate::keys::Key;
use crate::store::Lua;
use crate::store::{RedisStore, evalsha};
use async_trait::async_trait;
use authd_domain::error::PortError;
use authd_domain::policy::rate_limit::{self, RateLimit, RateLimitDecision};
use authd_domain::ports::RateLimiter;
use chrono::Duration;
use std::sync::LazyLock;

/// KEYS[1] the counter; ARGV[1] the window in milliseconds. Returns the count (this hit
/// included) and the window's remaining milliseconds. The first hit opens the window; a counter
/// found without an expiry (it cannot happen through this script, but a stray `SET` could make
/// one) gets one, so that no key ever counts forever.
pub(crate) static HIT: LazyLock<Lua> = LazyLock::new(|| {
    Lua::new(
        r"
local count = redis.call('INCR', KEYS[1])
if count == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  return {count, tonumber(ARGV[1])}
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
",
    )
});

#[async_trait]
impl RateLimiter for RedisStore {
    async fn hit(&self, key: &str, limit: RateLimit) -> Result<RateLimitDecision, PortError> {
        // Redis wants a positive expiry; a window shorter than a millisecond is one.
        let window_ms = limit.window.num_milliseconds().max(1);
        let mut cmd = evalsha(&HIT, 1);
        cmd.arg(Key {
            prefix: &self.prefix,
            kind: "rl:",
            id: key,
        })
        .arg(window_ms);
        let (count, ttl_ms): (u64, i64) = self.query(&cmd, Some(&HIT)).await?;
        Ok(rate_limit::decide(
            limit,
            count,
            Duration::milliseconds(ttl_ms),
        ))
    }
}
