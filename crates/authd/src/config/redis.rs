//! The Redis section: `REDIS_URL`, or the Perfect21 doc's `REDIS_HOST`, `REDIS_PORT`,
//! `REDIS_PASSWORD`, `REDIS_DB` assembled into one URL; the pool, the command timeout and the key
//! prefix. No Redis variable at all means the in-memory denylist and rate limiter (one instance).
//!
//! The URL may carry a password, so it lives in a `SecretString`, is never echoed in a
//! configuration error, and [`RedisConfig::target`] is what logs show instead.
//!
//! TLS: a `rediss://` URL (or `REDIS_TLS=true` with `REDIS_HOST`), verified against
//! `REDIS_TLS_CA_FILE` or Mozilla's roots, host name included; never `#insecure`.

use super::database::{MOZILLA, ca_file, encode, host_part, target_of};
use super::reader::Reader;
use super::values;
use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use std::time::Duration;

/// The variables that only make sense with `REDIS_HOST`.
const REDIS_PARTS: [&str; 3] = ["REDIS_PORT", "REDIS_PASSWORD", "REDIS_DB"];

/// A command slower than this fails; the callers then degrade or answer 503 (docs/redis.md).
const DEFAULT_TIMEOUT: Duration = Duration::from_millis(250);

/// The HTTP layer lets a request through when the rate limiter has not answered within 1 s; the
/// local fallback must answer before that, so a Redis call must give up earlier.
const MAX_TIMEOUT: Duration = Duration::from_millis(800);

/// Where and how to reach Redis.
#[derive(Clone)]
pub struct RedisConfig {
    url: SecretString,
    /// `REDIS_POOL_MAX` (16): connections at most.
    pub pool_max: usize,
    /// `REDIS_TIMEOUT` (250ms): connecting, waiting for a pooled connection, and each command.
    pub timeout: Duration,
    /// `REDIS_KEY_PREFIX` (`authd:`): every key starts with it, so that several services (or
    /// test runs) can share one Redis database.
    pub key_prefix: String,
    /// `REDIS_TLS_CA_FILE`: the PEM file of the CA a `rediss://` server's certificate must
    /// lead to (else Mozilla's roots).
    pub tls_ca_file: Option<String>,
}

impl RedisConfig {
    /// The connection URL, password included: hand it to the adapter, never to a log.
    #[must_use]
    pub fn url(&self) -> &SecretString {
        &self.url
    }

    /// Whether the connection is TLS (`rediss://`).
    #[must_use]
    pub fn tls(&self) -> bool {
        self.url.expose_secret().starts_with("rediss://")
    }

    /// `host:port/db`, without password: safe to log. With TLS, where the CA comes from, so
    /// that an error naming the target names the CA's variable.
    #[must_use]
    pub fn target(&self) -> String {
        let target = target_of(self.url.expose_secret());
        if !self.tls() {
            return target;
        }
        let ca = if self.tls_ca_file.is_some() {
            "REDIS_TLS_CA_FILE"
        } else {
            MOZILLA
        };
        format!("{target} over TLS (CA: {ca})")
    }
}

impl fmt::Debug for RedisConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisConfig")
            .field("target", &self.target())
            .field("pool_max", &self.pool_max)
            .field("timeout", &self.timeout)
            .field("key_prefix", &self.key_prefix)
            .field("tls_ca_file", &self.tls_ca_file)
            .finish_non_exhaustive()
    }
}

pub(super) fn redis(r: &mut Reader) -> Option<RedisConfig> {
    let url = url(r);
    let pool_max = r.or("REDIS_POOL_MAX", 16, |v| {
        values::integer::<usize>(v, 1..=1000)
    });
    let timeout = r.or("REDIS_TIMEOUT", DEFAULT_TIMEOUT, |v| {
        let d = values::short_duration(v, 1, MAX_TIMEOUT)?;
        if d.is_zero() {
            Err("must be longer than zero".to_owned())
        } else {
            Ok(d)
        }
    });
    let key_prefix = r.or("REDIS_KEY_PREFIX", "authd:".to_owned(), |v| {
        if v.chars().all(|c| c.is_ascii_graphic()) {
            Ok(v.to_owned())
        } else {
            Err(format!("{v:?} must be printable ASCII without spaces"))
        }
    });
    let tls_ca_file = r.optional("REDIS_TLS_CA_FILE", ca_file);
    let url = url?;
    if tls_ca_file.is_some() && !url.expose_secret().starts_with("rediss://") {
        r.problem(
            "REDIS_TLS_CA_FILE",
            "is set but Redis is reached in plain text: use a rediss:// REDIS_URL (or \
             REDIS_TLS=true with REDIS_HOST)",
        );
    }
    Some(RedisConfig {
        url,
        pool_max,
        timeout,
        key_prefix,
        tls_ca_file,
    })
}

fn url(r: &mut Reader) -> Option<SecretString> {
    let from_parts = r.is_set("REDIS_HOST");
    if r.is_set("REDIS_URL") {
        if from_parts {
            r.problem(
                "REDIS_HOST",
                "is set together with REDIS_URL: keep one of them (REDIS_URL, or REDIS_HOST \
                 with REDIS_PORT, REDIS_PASSWORD, REDIS_DB)",
            );
        }
        let url = r.optional("REDIS_URL", |v| {
            redis_url(v).map(|()| SecretString::from(v.to_owned()))
        });
        if let Some(url) = &url {
            let rediss = url.expose_secret().starts_with("rediss://");
            match r.optional("REDIS_TLS", values::boolean) {
                Some(true) if !rediss => r.problem(
                    "REDIS_TLS",
                    "is true but REDIS_URL is redis:// (plain text): use rediss://",
                ),
                Some(false) if rediss => r.problem(
                    "REDIS_TLS",
                    "is false but REDIS_URL is rediss:// (TLS): drop one",
                ),
                _ => {}
            }
        }
        return url;
    }
    if !from_parts {
        for part in REDIS_PARTS {
            if r.is_set(part) {
                r.problem(
                    part,
                    "is set but REDIS_HOST is not: set REDIS_HOST too (or use REDIS_URL)",
                );
            }
        }
        return None;
    }
    let host = r.or("REDIS_HOST", String::new(), values::host);
    let port = r.or("REDIS_PORT", 6379, |v| {
        values::integer::<u16>(v, 1..=u16::MAX)
    });
    let db = r.or("REDIS_DB", 0, |v| values::integer::<u32>(v, 0..=1023));
    let password = r.raw("REDIS_PASSWORD").map(str::to_owned);
    let scheme = if r.or("REDIS_TLS", false, values::boolean) {
        "rediss"
    } else {
        "redis"
    };
    if host.is_empty() {
        return None;
    }
    let credentials = password.map_or_else(String::new, |p| format!(":{}@", encode(&p)));
    Some(SecretString::from(format!(
        "{scheme}://{credentials}{}:{port}/{db}",
        host_part(&host)
    )))
}

/// Checks `REDIS_URL` without ever quoting it: it may hold a password.
fn redis_url(raw: &str) -> Result<(), String> {
    let rest = raw
        .strip_prefix("redis://")
        .or_else(|| raw.strip_prefix("rediss://"))
        .ok_or(
            "must start with redis:// or rediss:// (the value is not shown: it may hold a \
             password)",
        )?;
    if rest.contains("#insecure") {
        return Err(
            "#insecure would turn off the check of the server's certificate, which authd \
             never does: give REDIS_TLS_CA_FILE instead"
                .to_owned(),
        );
    }
    if rest.is_empty() || rest.chars().any(char::is_whitespace) {
        return Err(
            "is not a valid URL (the value is not shown: it may hold a password)".to_owned(),
        );
    }
    Ok(())
}
