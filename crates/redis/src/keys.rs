//! Key names. A key is written straight into the command's buffer from its parts, so building
//! one allocates nothing of its own.

use redis::{RedisWrite, ToRedisArgs};
use std::fmt;

/// `<prefix><kind><id>`, e.g. `authd:deny:sid:0190...`.
pub(crate) struct Key<'a, T> {
    pub(crate) prefix: &'a str,
    pub(crate) kind: &'static str,
    pub(crate) id: T,
}

impl<T: fmt::Display> fmt::Display for Key<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}{}", self.prefix, self.kind, self.id)
    }
}

impl<T: fmt::Display> ToRedisArgs for Key<'_, T> {
    fn write_redis_args<W>(&self, out: &mut W)
    where
        W: ?Sized + RedisWrite,
    {
        out.write_arg_fmt(self);
    }
}

/// `<prefix>{<kind><id>}<part>`, e.g. `authd:{spread:203.0.113.9:1880}:targets`: the keys of one
/// script that differ only in `part` share the hash tag in braces, so Redis Cluster keeps them
/// in one slot, as a script's keys must be.
pub(crate) struct TaggedKey<'a, T> {
    pub(crate) prefix: &'a str,
    pub(crate) kind: &'static str,
    pub(crate) id: T,
    pub(crate) part: &'static str,
}

impl<T: fmt::Display> fmt::Display for TaggedKey<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{{{}{}}}{}",
            self.prefix, self.kind, self.id, self.part
        )
    }
}

impl<T: fmt::Display> ToRedisArgs for TaggedKey<'_, T> {
    fn write_redis_args<W>(&self, out: &mut W)
    where
        W: ?Sized + RedisWrite,
    {
        out.write_arg_fmt(self);
    }
}

/// `<prefix>{user:<user>}<kind><id>`, e.g. `authd:{user:0190...}deny:sid:0190...`: every key
/// about one user's tokens shares the user's hash tag, so that Redis Cluster keeps them in one
/// slot and one `MGET` reads them all.
pub(crate) struct UserKey<'a, U, T> {
    pub(crate) prefix: &'a str,
    pub(crate) user: U,
    pub(crate) kind: &'static str,
    pub(crate) id: T,
}

impl<U: fmt::Display, T: fmt::Display> fmt::Display for UserKey<'_, U, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{{user:{}}}{}{}",
            self.prefix, self.user, self.kind, self.id
        )
    }
}

impl<U: fmt::Display, T: fmt::Display> ToRedisArgs for UserKey<'_, U, T> {
    fn write_redis_args<W>(&self, out: &mut W)
    where
        W: ?Sized + RedisWrite,
    {
        out.write_arg_fmt(self);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_its_prefix_kind_and_id_as_one_argument() {
        let key = Key {
            prefix: "authd:",
            kind: "rl:",
            id: "login:10.0.0.1",
        };
        assert_eq!(
            key.to_redis_args(),
            vec![b"authd:rl:login:10.0.0.1".to_vec()]
        );
    }

    #[test]
    fn a_tagged_key_puts_its_kind_and_id_in_the_hash_tag() {
        let key = TaggedKey {
            prefix: "authd:",
            kind: "spread:",
            id: "10.0.0.1:42",
            part: ":targets",
        };
        assert_eq!(
            key.to_redis_args(),
            vec![b"authd:{spread:10.0.0.1:42}:targets".to_vec()]
        );
    }

    #[test]
    fn a_user_key_puts_the_user_in_the_hash_tag() {
        let key = UserKey {
            prefix: "authd:",
            user: "u1",
            kind: "deny:sid:",
            id: "s1",
        };
        assert_eq!(
            key.to_redis_args(),
            vec![b"authd:{user:u1}deny:sid:s1".to_vec()]
        );
    }
}
