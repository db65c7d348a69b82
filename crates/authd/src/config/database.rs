//! The PostgreSQL section: `DATABASE_URL`, or the Perfect21 doc's `DB_HOST`, `DB_PORT`,
//! `DB_NAME`, `DB_USER`, `DB_PASSWORD` assembled into one URL; the pool, the timeouts and
//! `AUTO_MIGRATE`. No database variable at all means in-memory storage.
//!
//! The URL carries the password, so it lives in a `SecretString`, is never echoed in a
//! configuration error, and [`DatabaseConfig::target`] is what logs show instead.
//!
//! TLS: `DB_SSL=true` (the Perfect21 doc's switch) means `sslmode=verify-full`; `DATABASE_URL`
//! may say `sslmode=require|verify-ca|verify-full` itself; `DB_SSL_CA_FILE` names the CA. Both
//! travel in the URL as libpq's `sslmode` and `sslrootcert`, which the adapter reads, so every
//! connection (pool, migrations, the sweep's own) gets the same TLS.

use super::reader::Reader;
use super::values;
use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use std::time::Duration;

/// The variables that only make sense with `DB_HOST`.
const DB_PARTS: [&str; 4] = ["DB_PORT", "DB_NAME", "DB_USER", "DB_PASSWORD"];

/// `sslmode` values that demand TLS (and get it with a verified certificate, docs/postgres.md).
const TLS_MODES: [&str; 3] = ["require", "verify-ca", "verify-full"];

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
    /// The `sslmode` that turns TLS on (`require`, `verify-ca`, `verify-full`), if any.
    pub tls: Option<String>,
    /// Where the CA comes from, for [`Self::target`]: a TLS failure then names the variable.
    ca_source: &'static str,
}

impl DatabaseConfig {
    /// The connection URL, password included: hand it to the adapter, never to a log.
    #[must_use]
    pub fn url(&self) -> &SecretString {
        &self.url
    }

    /// `host:port/database`, without user, password or parameters: safe to log. With TLS, how
    /// the certificate is checked, so that an error naming the target names the CA's variable.
    #[must_use]
    pub fn target(&self) -> String {
        let target = target_of(self.url.expose_secret());
        match &self.tls {
            Some(mode) => format!("{target} over TLS (sslmode={mode}, CA: {})", self.ca_source),
            None => target,
        }
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
            .field("tls", &self.tls)
            .finish_non_exhaustive()
    }
}

pub(super) fn database(r: &mut Reader) -> Option<DatabaseConfig> {
    let (url, tls, ca_source) = match url(r) {
        Some(url) => {
            let (url, tls, ca_source) = with_tls(r, url.expose_secret());
            (Some(url), tls, ca_source)
        }
        None => (None, None, MOZILLA),
    };
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
        tls,
        ca_source,
    })
}

/// Where a server certificate's chain must lead without a CA file.
pub(super) const MOZILLA: &str = "Mozilla's roots, as no CA file is given";

/// Adds what `DB_SSL` and `DB_SSL_CA_FILE` ask to the URL, and returns the TLS mode and where
/// its CA comes from. TLS asked for one way and refused the other is a problem, never a quiet
/// choice.
fn with_tls(r: &mut Reader, url: &str) -> (SecretString, Option<String>, &'static str) {
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
    let param = |key: &str| {
        query
            .split('&')
            .find_map(|pair| pair.strip_prefix(key))
            .map(str::to_owned)
    };
    let (sslmode, own_root) = (param("sslmode="), param("sslrootcert=").is_some());
    let mut ca_source = if own_root {
        "sslrootcert in the database URL"
    } else {
        MOZILLA
    };
    let mut extra = Vec::new();
    let ssl = r.optional("DB_SSL", values::boolean);
    let tls = match (ssl, sslmode) {
        (Some(true), Some(mode)) if !TLS_MODES.contains(&mode.as_str()) => {
            r.problem(
                "DB_SSL",
                format!(
                    "is true but the database URL says sslmode={mode}: drop one (DB_SSL=true \
                     means sslmode=verify-full)"
                ),
            );
            None
        }
        (Some(false), Some(mode)) if TLS_MODES.contains(&mode.as_str()) => {
            r.problem(
                "DB_SSL",
                format!(
                    "is false but the database URL says sslmode={mode}: drop one; authd never \
                     quietly turns TLS off"
                ),
            );
            None
        }
        (_, Some(mode)) if TLS_MODES.contains(&mode.as_str()) => Some(mode),
        (Some(true), None) => {
            extra.push("sslmode=verify-full".to_owned());
            Some("verify-full".to_owned())
        }
        _ => None,
    };
    if let Some(path) = r.optional("DB_SSL_CA_FILE", ca_file) {
        if tls.is_none() {
            r.problem(
                "DB_SSL_CA_FILE",
                "is set but TLS is off: set DB_SSL=true (or sslmode=verify-full in the \
                 database URL)",
            );
        } else if own_root {
            r.problem(
                "DB_SSL_CA_FILE",
                "is set and the database URL has sslrootcert too: keep one",
            );
        } else {
            extra.push(format!("sslrootcert={}", encode(&path)));
            ca_source = "DB_SSL_CA_FILE";
        }
    }
    let url = if extra.is_empty() {
        url.to_owned()
    } else {
        let joint = if url.contains('?') { '&' } else { '?' };
        format!("{url}{joint}{}", extra.join("&"))
    };
    (SecretString::from(url), tls, ca_source)
}

/// A readable PEM file holding at least one certificate (`DB_SSL_CA_FILE`, `REDIS_TLS_CA_FILE`).
pub(super) fn ca_file(raw: &str) -> Result<String, String> {
    let text = std::fs::read_to_string(raw).map_err(|e| format!("cannot read {raw}: {e}"))?;
    if text.contains("-----BEGIN CERTIFICATE-----") {
        Ok(raw.to_owned())
    } else {
        Err(format!(
            "{raw} holds no PEM certificate (-----BEGIN CERTIFICATE-----)"
        ))
    }
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
    let query = rest
        .split_once('?')
        .map(|(_, query)| query)
        .unwrap_or_default();
    // Given twice, readers disagree on which counts (one connection could go out in plain text
    // while the logs say TLS): refused.
    for name in ["sslmode=", "sslrootcert="] {
        if query
            .split('&')
            .filter(|pair| pair.starts_with(name))
            .count()
            > 1
        {
            return Err(format!(
                "{} is given more than once: give it once (the value is not shown: it may hold a \
                 password)",
                name.trim_end_matches('=')
            ));
        }
    }
    let sslmode = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("sslmode="));
    match sslmode {
        Some(mode) if !TLS_MODES.contains(&mode) && !["disable", "prefer"].contains(&mode) => {
            Err(format!(
                "sslmode={mode} is not one of disable, prefer (both plain text here), require, \
                 verify-ca, verify-full"
            ))
        }
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
