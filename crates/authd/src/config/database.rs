//! The PostgreSQL section: `DATABASE_URL`, or the Perfect21 doc's `DB_HOST`, `DB_PORT`,
//! `DB_NAME`, `DB_USER`, `DB_PASSWORD` assembled into one URL; the pool, the timeouts and
//! `AUTO_MIGRATE`. No database variable at all means in-memory storage.
//!
//! The URL carries the password, so it lives in a `SecretString`, is never echoed in a
//! configuration error, and [`DatabaseConfig::target`] is what logs show instead.

use super::reader::Reader;
use super::values;
use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use std::time::Duration;

/// The variables that only make sense with `DB_HOST`.
const DB_PARTS: [&str; 4] = ["DB_PORT", "DB_NAME", "DB_USER", "DB_PASSWORD"];

/// `sslmode` values that demand TLS, which this build cannot offer.
const TLS_MODES: [&str; 3] = ["require", "verify-ca", "verify-full"];

const NO_TLS: &str = "TLS connections to PostgreSQL are not supported by this build, and authd \
     will not fall back to plain text: reach PostgreSQL over a private network, a Unix socket \
     or a TLS tunnel (stunnel, a TLS-terminating PgBouncer), and set DB_SSL=false \
     (see docs/postgres.md)";

/// Where and how to reach PostgreSQL.
#[derive(Clone)]
pub struct DatabaseConfig {
    url: SecretString,
    /// `DB_POOL_MIN` (2): connections kept open while idle.
    pub pool_min: u32,
    /// `DB_POOL_MAX` (16): connections at most; more requests wait for one.
    pub pool_max: u32,
    /// `DB_CONNECT_TIMEOUT` (5s): opening a connection, and waiting for one from the pool.
    pub connect_timeout: Duration,
    /// `DB_STATEMENT_TIMEOUT` (5s): the longest any statement may run.
    pub statement_timeout: Duration,
    /// `AUTO_MIGRATE` (true): apply pending migrations when `authd serve` starts.
    pub auto_migrate: bool,
}

impl DatabaseConfig {
    /// The connection URL, password included: hand it to the adapter, never to a log.
    #[must_use]
    pub fn url(&self) -> &SecretString {
        &self.url
    }

    /// `host:port/database`, without user, password or parameters: safe to log.
    #[must_use]
    pub fn target(&self) -> String {
        target_of(self.url.expose_secret())
    }
}

impl fmt::Debug for DatabaseConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseConfig")
            .field("target", &self.target())
            .field("pool_min", &self.pool_min)
            .field("pool_max", &self.pool_max)
            .field("connect_timeout", &self.connect_timeout)
            .field("statement_timeout", &self.statement_timeout)
            .field("auto_migrate", &self.auto_migrate)
            .finish_non_exhaustive()
    }
}

pub(super) fn database(r: &mut Reader) -> Option<DatabaseConfig> {
    let url = url(r);
    if r.or("DB_SSL", false, values::boolean) {
        r.problem("DB_SSL", NO_TLS);
    }
    let pool_min = r.or("DB_POOL_MIN", 2, |v| values::integer::<u32>(v, 0..=1000));
    let pool_max = r.or("DB_POOL_MAX", 16, |v| values::integer::<u32>(v, 1..=1000));
    if pool_min > pool_max {
        r.problem(
            "DB_POOL_MIN",
            format!("{pool_min} is more than DB_POOL_MAX ({pool_max})"),
        );
    }
    let connect_timeout = r.or("DB_CONNECT_TIMEOUT", Duration::from_secs(5), timeout);
    let statement_timeout = r.or("DB_STATEMENT_TIMEOUT", Duration::from_secs(5), timeout);
    let auto_migrate = r.or("AUTO_MIGRATE", true, values::boolean);
    Some(DatabaseConfig {
        url: url?,
        pool_min,
        pool_max,
        connect_timeout,
        statement_timeout,
        auto_migrate,
    })
}

/// From 1 second to 10 minutes: longer would hold a request (and a pooled connection) hostage.
fn timeout(raw: &str) -> Result<Duration, String> {
    let d = values::duration(raw, 1)?;
    let seconds = d.num_seconds();
    if (1..=600).contains(&seconds) {
        Ok(Duration::from_secs(seconds.unsigned_abs()))
    } else {
        Err(format!(
            "{raw:?} is out of range: must be between 1s and 10m"
        ))
    }
}

fn url(r: &mut Reader) -> Option<SecretString> {
    let from_parts = r.is_set("DB_HOST");
    if r.is_set("DATABASE_URL") {
        if from_parts {
            r.problem(
                "DB_HOST",
                "is set together with DATABASE_URL: keep one of them (DATABASE_URL, or \
                 DB_HOST with DB_PORT, DB_NAME, DB_USER, DB_PASSWORD)",
            );
        }
        return r.optional("DATABASE_URL", |v| {
            database_url(v).map(|()| SecretString::from(v.to_owned()))
        });
    }
    if !from_parts {
        for part in DB_PARTS {
            if r.is_set(part) {
                r.problem(
                    part,
                    "is set but DB_HOST is not: set DB_HOST too (or use DATABASE_URL)",
                );
            }
        }
        return None;
    }
    url_from_parts(r)
}

/// Checks `DATABASE_URL` without ever quoting it: it may hold a password.
fn database_url(raw: &str) -> Result<(), String> {
    let rest = raw
        .strip_prefix("postgres://")
        .or_else(|| raw.strip_prefix("postgresql://"))
        .ok_or(
            "must start with postgres:// or postgresql:// (the value is not shown: it may \
             hold a password)",
        )?;
    if rest.chars().any(char::is_whitespace) {
        return Err("contains whitespace (the value is not shown: it may hold a password)".into());
    }
    let sslmode = rest
        .split_once('?')
        .map(|(_, query)| query)
        .unwrap_or_default()
        .split('&')
        .find_map(|pair| pair.strip_prefix("sslmode="));
    match sslmode {
        Some(mode) if TLS_MODES.contains(&mode) => Err(format!("sslmode={mode}: {NO_TLS}")),
        _ => Ok(()),
    }
}

fn url_from_parts(r: &mut Reader) -> Option<SecretString> {
    let host = r.raw("DB_HOST").unwrap_or_default().to_owned();
    let port = r.or("DB_PORT", 5432, |v| values::integer::<u16>(v, 1..=u16::MAX));
    let name = required(r, "DB_NAME");
    let user = required(r, "DB_USER");
    let password = r.raw("DB_PASSWORD").map(str::to_owned);
    let (name, user) = (name?, user?);
    let credentials = match password {
        Some(password) => format!("{}:{}", encode(&user), encode(&password)),
        None => encode(&user),
    };
    Some(SecretString::from(format!(
        "postgres://{credentials}@{}:{port}/{}",
        host_part(&host),
        encode(&name)
    )))
}

fn required(r: &mut Reader, name: &'static str) -> Option<String> {
    let value = r.raw(name).map(str::to_owned);
    if value.is_none() {
        r.problem(name, "is required with DB_HOST");
    }
    value
}

/// An IPv6 address goes in brackets; a Unix socket directory is percent-encoded.
pub(super) fn host_part(host: &str) -> String {
    if host.starts_with('/') {
        encode(host)
    } else if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_owned()
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters, so that `@`, `:`, `/` or
/// `%` in a user name or password cannot change how the URL is read.
pub(super) fn encode(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for byte in raw.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The URL without scheme, credentials or query.
pub(super) fn target_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    format!("{host}/{path}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_characters_in_credentials_are_percent_encoded() {
        assert_eq!(encode("auth_app"), "auth_app");
        assert_eq!(encode("p@ss:w/rd %"), "p%40ss%3Aw%2Frd%20%25");
        assert_eq!(encode("é"), "%C3%A9");
    }

    #[test]
    fn the_target_never_shows_credentials_or_parameters() {
        assert_eq!(
            target_of("postgres://u:p%40ss@db.internal:5432/authd?sslmode=disable"),
            "db.internal:5432/authd"
        );
        assert_eq!(target_of("postgresql://db/authd"), "db/authd");
        assert_eq!(target_of("postgres://u:p@[::1]:5432/x"), "[::1]:5432/x");
    }

    #[test]
    fn ipv6_hosts_get_brackets_and_socket_directories_are_encoded() {
        assert_eq!(host_part("::1"), "[::1]");
        assert_eq!(host_part("db"), "db");
        assert_eq!(
            host_part("/var/run/postgresql"),
            "%2Fvar%2Frun%2Fpostgresql"
        );
    }
}
