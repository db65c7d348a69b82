//! [`FailureSpread`] over Redis: per client address and fixed window, a set of the digests of
//! the login targets that failed, and a flag raised once when the set reaches the threshold.
//! Both are written by one script, so concurrent failures on any number of instances count
//! each distinct target once and exactly one of them sees the threshold.
//!
//! Windows are aligned on the Unix epoch: the window holding `now` is `now / length`, and it is
//! part of the keys (`spread:<ip>:<window>`), which expire when the window closes. The targets
//! are digests already (the port's contract), so no account name or identifier is stored.

use crate::keys::TaggedKey;
use crate::store::Lua;
use crate::store::{RedisStore, evalsha};
use async_trait::async_trait;
use authd_domain::Timestamp;
use authd_domain::error::PortError;
use authd_domain::ports::{FailureSpread, SpreadLimit};
use std::fmt;
use std::sync::LazyLock;

const SPREAD: &str = "spread:";

/// KEYS[1] the window's set of targets, KEYS[2] its flag; ARGV[1] the target, ARGV[2] the
/// threshold, ARGV[3] the milliseconds until the window closes. Returns 1 for the failure that
/// brings the set to the threshold, else 0. A full set takes no more targets (they could not
/// change the answer); the flag keeps the answer once per window even if the set were lost.
pub(crate) static RECORD: LazyLock<Lua> = LazyLock::new(|| {
    Lua::new(
        r"
local threshold = tonumber(ARGV[2])
local count = redis.call('SCARD', KEYS[1])
if count >= threshold then
  return 0
end
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then
  return 0
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if count + 1 < threshold then
  return 0
end
if redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[3]) then
  return 1
end
return 0
",
    )
});

/// `<ip>:<window>`, the part of the keys both share.
struct Slot<'a> {
    ip: &'a str,
    window: i64,
}

impl fmt::Display for Slot<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.ip, self.window)
    }
}

#[async_trait]
impl FailureSpread for RedisStore {
    async fn record(
        &self,
        ip: &str,
        target: &str,
        limit: SpreadLimit,
        now: Timestamp,
    ) -> Result<bool, PortError> {
        // Redis wants a positive expiry; a window shorter than a millisecond is one.
        let length_ms = limit.window.num_milliseconds().max(1);
        let now_ms = now.timestamp_millis();
        let window = now_ms.div_euclid(length_ms);
        // Until the window closes, measured from the caller's now like the window itself.
        let ttl_ms = length_ms - now_ms.rem_euclid(length_ms);
        let slot = || Slot { ip, window };
        let mut cmd = evalsha(&RECORD, 2);
        cmd.arg(TaggedKey {
            prefix: &self.prefix,
            kind: SPREAD,
            id: slot(),
            part: ":targets",
        })
        .arg(TaggedKey {
            prefix: &self.prefix,
            kind: SPREAD,
            id: slot(),
            part: ":flagged",
        })
        .arg(target)
        .arg(limit.accounts)
        .arg(ttl_ms);
        let reached: i64 = self.query(&cmd, Some(&RECORD)).await?;
        Ok(reached == 1)
    }
}
