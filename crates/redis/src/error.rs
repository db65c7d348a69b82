//! Errors: [`RedisError`] for setting up, and the translation of client and pool errors into
//! [`PortError`]. No client type crosses a port, and no message carries the password.

use authd_domain::error::PortError;
use deadpool::managed::PoolError;
use redis::{ErrorKind, RedisError as ClientError, ServerErrorKind};
use std::fmt;
use std::time::Duration;

/// Why the adapter could not be set up. Its messages never contain the password.
#[derive(Debug, thiserror::Error)]
pub enum RedisError {
    /// The settings cannot work (a pool of zero connections, a zero timeout).
    #[error("invalid Redis settings: {0}")]
    InvalidSettings(&'static str),
    /// The URL does not parse.
    #[error("invalid Redis URL: {0}")]
    InvalidUrl(String),
    /// The server refused or failed the connection (wrong host or port, credentials ...).
    #[error("cannot connect to Redis: {0}")]
    Connect(String),
    /// No answer within the command timeout.
    #[error("no answer from Redis within {0:?}")]
    Timeout(Duration),
}

/// A call that did not finish within the command timeout.
#[derive(Debug, thiserror::Error)]
#[error("Redis did not answer within {0:?}")]
pub(crate) struct TimedOut(pub(crate) Duration);

/// Removes the passwords of the settings from messages that might echo them.
#[derive(Clone, Default)]
pub(crate) struct Redactor {
    passwords: Vec<String>,
}

/// The password of `redis://:password@host` or `redis://user:password@host`, if any.
pub(crate) fn url_password(url: &str) -> Option<String> {
    url.split_once("://")
        .and_then(|(_, rest)| {
            let authority = rest.split(['/', '?']).next().unwrap_or("");
            let (userinfo, _) = authority.rsplit_once('@')?;
            userinfo.split_once(':').map(|(_, pw)| pw.to_owned())
        })
        .filter(|pw| !pw.is_empty())
}

impl Redactor {
    #[cfg(test)]
    pub(crate) fn for_url(url: &str) -> Self {
        Self::for_passwords(url_password(url).into_iter().collect())
    }

    pub(crate) fn for_passwords(passwords: Vec<String>) -> Self {
        Self {
            passwords: passwords.into_iter().filter(|pw| !pw.is_empty()).collect(),
        }
    }

    pub(crate) fn clean(&self, message: impl fmt::Display) -> String {
        let mut message = message.to_string();
        for pw in &self.passwords {
            message = message.replace(pw.as_str(), "<redacted>");
        }
        message
    }

    /// A failed command, as a port error: unavailable unless the failure can only be a bug.
    pub(crate) fn command(&self, e: &ClientError) -> PortError {
        if is_bug(e) {
            PortError::internal(self.clean(e))
        } else {
            PortError::unavailable(self.clean(e))
        }
    }

    /// A connection the pool could not hand out, as a port error.
    pub(crate) fn pool(&self, e: &PoolError<ClientError>) -> PortError {
        match e {
            PoolError::Backend(e) => self.command(e),
            PoolError::NoRuntimeSpecified | PoolError::PostCreateHook(_) => {
                PortError::internal(self.clean(e))
            }
            PoolError::Timeout(_) | PoolError::Closed => PortError::unavailable(self.clean(e)),
        }
    }
}

/// Failures no retry can fix: a script or a reply that is not what this adapter expects. The
/// rest (connection lost, timeouts, `LOADING`, `OOM`, `READONLY`, failed authentication after a
/// password change ...) are the server's state, and the caller answers 503 for them.
fn is_bug(e: &ClientError) -> bool {
    matches!(
        e.kind(),
        ErrorKind::Parse
            | ErrorKind::UnexpectedReturnType
            | ErrorKind::Server(ServerErrorKind::ResponseError | ServerErrorKind::CrossSlot)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_of_a_url_is_removed_from_messages() {
        for url in [
            "redis://:s3cret@127.0.0.1:6379/0",
            "redis://authd:s3cret@cache.internal:6379",
            "rediss://:s3cret@cache.internal/2?protocol=resp3",
        ] {
            let message = Redactor::for_url(url).clean(format!("could not reach {url}: s3cret"));
            assert!(!message.contains("s3cret"), "{message}");
        }
    }

    #[test]
    fn a_url_without_a_password_leaves_messages_alone() {
        let message = Redactor::for_url("redis://127.0.0.1:6379/").clean("connection refused");
        assert_eq!(message, "connection refused");
    }
}
