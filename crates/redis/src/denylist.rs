//! [`TokenDenylist`] over Redis. Each denial is a key that expires with it, all of one user's
//! under the hash tag `{user:<user id>}` (so one slot of a cluster):
//!
//! - `{user:<user id>}deny:jti:<token id>` and `{user:<user id>}deny:sid:<session id>`, holding
//!   the end of the denial in Unix milliseconds; a second denial of the same id keeps the later
//!   end.
//! - `{user:<user id>}deny:cutoff`, holding the cut-off's whole second: the user's tokens issued
//!   in an earlier second are denied. A second cut-off keeps the later second and the later
//!   end, as the in-memory denylist does.
//!
//! The writes are scripts, so concurrent denials merge instead of overwriting each other;
//! `is_denied` reads the three keys with one `MGET` on one slot.

use crate::keys::UserKey;
use crate::store::Lua;
use crate::store::{RedisStore, evalsha};
use async_trait::async_trait;
use authd_domain::Timestamp;
use authd_domain::error::PortError;
use authd_domain::ids::{SessionId, TokenId, UserId};
use authd_domain::ports::TokenDenylist;
use authd_domain::token::AccessClaims;
use std::sync::LazyLock;

const TOKEN: &str = "deny:jti:";
const SESSION: &str = "deny:sid:";
const CUT_OFF_KEY: &str = "deny:cutoff";

/// KEYS the denied ids; ARGV[1] the end of the denial (Unix ms), ARGV[2] its time to live (ms).
/// A key already denied until later is left alone.
pub(crate) static DENY: LazyLock<Lua> = LazyLock::new(|| {
    Lua::new(
        r"
local until_ms = tonumber(ARGV[1])
for _, key in ipairs(KEYS) do
  local old = tonumber(redis.call('GET', key))
  if not old or old < until_ms then
    redis.call('SET', key, ARGV[1], 'PX', ARGV[2])
  end
end
return 0
",
    )
});

/// KEYS[1] the user's cut-off; ARGV[1] the cut-off's whole second, ARGV[2] its time to live
/// (ms). Merged with a live cut-off into the later second and the later end: denying more than
/// asked for a while is safe, denying less is not.
pub(crate) static CUT_OFF: LazyLock<Lua> = LazyLock::new(|| {
    Lua::new(
        r"
local second = ARGV[1]
local old = redis.call('GET', KEYS[1])
if old and tonumber(old) > tonumber(second) then
  second = old
end
local ttl = tonumber(ARGV[2])
local old_ttl = redis.call('PTTL', KEYS[1])
if old_ttl > ttl then
  ttl = old_ttl
end
redis.call('SET', KEYS[1], second, 'PX', ttl)
return 0
",
    )
});

impl RedisStore {
    fn key<T>(&self, user: UserId, kind: &'static str, id: T) -> UserKey<'_, UserId, T> {
        UserKey {
            prefix: &self.prefix,
            user,
            kind,
            id,
        }
    }

    /// Milliseconds from the clock's now until `until`, or `None` when it has passed: such a
    /// denial would deny nothing. Sent as a time to live rather than an instant, so that a
    /// skew between this machine's clock and the server's does not move the end of a denial.
    fn time_to_live(&self, until: Timestamp) -> Option<i64> {
        let ms = (until - self.clock.now()).num_milliseconds();
        (ms > 0).then_some(ms)
    }
}

#[async_trait]
impl TokenDenylist for RedisStore {
    async fn deny_token(
        &self,
        user_id: UserId,
        id: TokenId,
        until: Timestamp,
    ) -> Result<(), PortError> {
        let Some(ttl) = self.time_to_live(until) else {
            return Ok(());
        };
        let mut cmd = evalsha(&DENY, 1);
        cmd.arg(self.key(user_id, TOKEN, id))
            .arg(until.timestamp_millis())
            .arg(ttl);
        self.query::<()>(&cmd, Some(&DENY)).await
    }

    async fn deny_sessions(
        &self,
        user_id: UserId,
        ids: &[SessionId],
        until: Timestamp,
    ) -> Result<(), PortError> {
        let Some(ttl) = self.time_to_live(until) else {
            return Ok(());
        };
        if ids.is_empty() {
            return Ok(());
        }
        let mut cmd = evalsha(&DENY, ids.len());
        for id in ids {
            cmd.arg(self.key(user_id, SESSION, id));
        }
        cmd.arg(until.timestamp_millis()).arg(ttl);
        self.query::<()>(&cmd, Some(&DENY)).await
    }

    async fn deny_user_before(
        &self,
        user_id: UserId,
        cutoff: Timestamp,
        until: Timestamp,
    ) -> Result<(), PortError> {
        let Some(ttl) = self.time_to_live(until) else {
            return Ok(());
        };
        let mut cmd = evalsha(&CUT_OFF, 1);
        cmd.arg(self.key(user_id, CUT_OFF_KEY, ""))
            .arg(cutoff.timestamp())
            .arg(ttl);
        self.query::<()>(&cmd, Some(&CUT_OFF)).await
    }

    async fn is_denied(&self, claims: &AccessClaims) -> Result<bool, PortError> {
        let mut cmd = redis::cmd("MGET");
        let user = claims.user_id;
        cmd.arg(self.key(user, TOKEN, claims.token_id))
            .arg(self.key(user, SESSION, claims.session_id))
            .arg(self.key(user, CUT_OFF_KEY, ""));
        let (token, session, user): (Option<i64>, Option<i64>, Option<i64>) =
            self.query(&cmd, None).await?;
        // Same comparison as the in-memory denylist: whole seconds, the cut-off's own second
        // excluded.
        Ok(token.is_some()
            || session.is_some()
            || user.is_some_and(|second| claims.issued_at.timestamp() < second))
    }
}
