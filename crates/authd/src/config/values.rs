//! Pure parsers for the value formats configuration uses: durations, booleans, lists, URLs and
//! proxy networks. Each returns the reason a value is wrong, phrased to follow `NAME: `.

use chrono::Duration;
use ipnet::IpNet;
use std::net::IpAddr;

/// `900` (seconds), `30s`, `15m`, `24h`, `7d`. A bare number is in `bare_unit` seconds (1 for
/// most variables; 60 for `LOCKOUT_DURATION`, which the Perfect21 doc gives in minutes).
pub(crate) fn duration(raw: &str, bare_unit: i64) -> Result<Duration, String> {
    let expected = || format!("{raw:?} is not a duration (expected e.g. 900, 30s, 15m, 24h, 7d)");
    let (digits, unit) = match raw.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => raw.split_at(i),
        None => (raw, ""),
    };
    let n: i64 = digits.parse().map_err(|_| expected())?;
    let unit_seconds = match unit {
        "" => bare_unit,
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(expected()),
    };
    n.checked_mul(unit_seconds)
        .filter(|s| *s <= 10 * 365 * 86_400)
        .map(Duration::seconds)
        .ok_or_else(|| format!("{raw:?} is too long (at most 10 years)"))
}

/// A short duration for timeouts and caches: `250ms`, `2s`, `1m`, or a bare number in
/// `bare_unit_ms` milliseconds (1 for the variables the Perfect21 doc gives in milliseconds, such
/// as `HEALTH_CHECK_TIMEOUT=5000`; 1000 for those in seconds), at most `max`.
pub(crate) fn short_duration(
    raw: &str,
    bare_unit_ms: u64,
    max: std::time::Duration,
) -> Result<std::time::Duration, String> {
    let expected = || format!("{raw:?} is not a duration (expected e.g. 250ms, 2s, 1m)");
    let (digits, unit) = match raw.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => raw.split_at(i),
        None => (raw, ""),
    };
    let n: u64 = digits.parse().map_err(|_| expected())?;
    let unit_ms = match unit {
        "" => bare_unit_ms,
        "ms" => 1,
        "s" => 1000,
        "m" => 60_000,
        _ => return Err(expected()),
    };
    let d = n
        .checked_mul(unit_ms)
        .map(std::time::Duration::from_millis)
        .ok_or_else(expected)?;
    if d > max {
        return Err(format!(
            "{raw:?} is too long (at most {}ms)",
            max.as_millis()
        ));
    }
    Ok(d)
}

/// `true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`, case-insensitive.
pub(crate) fn boolean(raw: &str) -> Result<bool, String> {
    match raw.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(format!(
            "{raw:?} is not a boolean (expected true/false, 1/0, yes/no, on/off)"
        )),
    }
}

/// An integer within `range`.
pub(crate) fn integer<T>(raw: &str, range: std::ops::RangeInclusive<T>) -> Result<T, String>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
{
    let bounds = || format!("between {} and {}", range.start(), range.end());
    let n: T = raw
        .parse()
        .map_err(|_| format!("{raw:?} is not a whole number {}", bounds()))?;
    if range.contains(&n) {
        Ok(n)
    } else {
        Err(format!("{n} is out of range: must be {}", bounds()))
    }
}

/// A comma-separated list; blank items are dropped.
pub(crate) fn list(raw: &str) -> Vec<String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// An absolute `http`/`https` URL, returned without its trailing slash.
pub(crate) fn base_url(raw: &str) -> Result<String, String> {
    let rest = raw
        .strip_prefix("https://")
        .or_else(|| raw.strip_prefix("http://"))
        .ok_or_else(|| format!("{raw:?} must start with http:// or https://"))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || raw.chars().any(char::is_whitespace) || rest.contains(['?', '#']) {
        return Err(format!(
            "{raw:?} is not a valid base URL (expected e.g. https://app.example.com)"
        ));
    }
    Ok(raw.trim_end_matches('/').to_owned())
}

/// A browser origin: scheme, host and optional port, nothing else.
pub(crate) fn origin(raw: &str) -> Result<String, String> {
    if raw == "*" {
        return Err(
            "\"*\" is not allowed: refresh cookies need credentials, so list each origin"
                .to_owned(),
        );
    }
    let url = base_url(raw)?;
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or_default();
    if rest.contains('/') {
        return Err(format!(
            "{raw:?} is not an origin (no path allowed, e.g. https://app.example.com)"
        ));
    }
    Ok(url)
}

/// An IP address (one host) or a CIDR network.
pub(crate) fn proxy(raw: &str) -> Result<IpNet, String> {
    raw.parse::<IpNet>()
        .or_else(|_| raw.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("{raw:?} is not an IP address or CIDR network (e.g. 10.0.0.0/8)"))
}

/// A host name or IP address to bind to.
pub(crate) fn host(raw: &str) -> Result<String, String> {
    if raw.parse::<IpAddr>().is_ok()
        || raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
    {
        Ok(raw.to_owned())
    } else {
        Err(format!("{raw:?} is not a host name or IP address"))
    }
}

/// `http://host:port`, with an IPv6 address in brackets.
pub(crate) fn url_of(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("http://[{host}]:{port}")
    } else {
        format!("http://{host}:{port}")
    }
}

/// `LOG_LEVEL`: a level (`trace`, `debug`, `info`, `warn`, `error`, `off`) or a `tracing` filter
/// of comma-separated `target=level` directives (`info,authd_http=debug`).
///
/// `tracing`'s own parser takes a bare word such as `verbose` for a target name enabled at
/// every level, which silently turns every other log line off; a directive here must therefore
/// end in a level, whether it names a target or not.
pub(crate) fn log_filter(raw: &str) -> Result<String, String> {
    const LEVELS: [&str; 6] = ["trace", "debug", "info", "warn", "error", "off"];
    let expected = || {
        format!(
            "{raw:?} is not a log level (expected trace, debug, info, warn, error, off, \
             or directives such as info,authd_http=debug)"
        )
    };
    let is_level = |s: &str| LEVELS.iter().any(|l| l.eq_ignore_ascii_case(s.trim()));
    let mut directives = raw.split(',').filter(|d| !d.trim().is_empty()).peekable();
    let ends_in_level = |directive: &str| {
        is_level(
            directive
                .rsplit_once('=')
                .map_or(directive, |(_, level)| level),
        )
    };
    if directives.peek().is_none() || !directives.all(ends_in_level) {
        return Err(expected());
    }
    tracing_subscriber::EnvFilter::try_new(raw)
        .map(|_| raw.to_owned())
        .map_err(|_| expected())
}

/// The example secrets printed in the two documents and in `.env.example`. Anyone can read them,
/// so a key or token set to one of them is as good as none: an HS256 key from the CheckInn
/// document's `.env` block would let anyone sign an `Admin` token.
const PUBLISHED_SECRETS: [&str; 6] = [
    "your_super_secure_jwt_secret_here",
    "your_super_secure_refresh_secret_here",
    "your_access_token_secret_min_32_chars",
    "your_refresh_token_secret_min_32_chars",
    "change-me-to-at-least-32-random-bytes",
    "change-me-to-at-least-32-random-characters",
];

/// Refuses a secret copied from an example.
pub(crate) fn not_published(secret: &str) -> Result<(), String> {
    if PUBLISHED_SECRETS
        .iter()
        .any(|example| example.eq_ignore_ascii_case(secret.trim()))
    {
        Err(
            "is the example value printed in the documentation, known to anyone: set a random \
             secret (e.g. `openssl rand -base64 48`)"
                .to_owned(),
        )
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_accept_seconds_and_every_suffix() {
        assert_eq!(duration("900", 1), Ok(Duration::seconds(900)));
        assert_eq!(duration("30s", 1), Ok(Duration::seconds(30)));
        assert_eq!(duration("15m", 1), Ok(Duration::minutes(15)));
        assert_eq!(duration("24h", 1), Ok(Duration::hours(24)));
        assert_eq!(duration("7d", 1), Ok(Duration::days(7)));
        assert_eq!(duration("30", 60), Ok(Duration::minutes(30)));
    }

    #[test]
    fn durations_reject_other_shapes() {
        for bad in ["", "15 m", "1w", "-5", "m", "1.5h", "99999999999999999999"] {
            assert!(duration(bad, 1).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn short_durations_take_milliseconds_or_seconds_and_a_bare_unit() {
        let max = std::time::Duration::from_secs(60);
        let ms = std::time::Duration::from_millis;
        assert_eq!(short_duration("250ms", 1, max), Ok(ms(250)));
        assert_eq!(short_duration("2s", 1, max), Ok(ms(2000)));
        assert_eq!(short_duration("1m", 1, max), Ok(ms(60_000)));
        assert_eq!(short_duration("5000", 1, max), Ok(ms(5000)));
        assert_eq!(short_duration("5", 1000, max), Ok(ms(5000)));
        for bad in ["", "1.5s", "2 s", "3h", "-1", "61s"] {
            assert!(short_duration(bad, 1, max).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn booleans_accept_the_usual_spellings() {
        for yes in ["true", "TRUE", "1", "yes", "on"] {
            assert_eq!(boolean(yes), Ok(true));
        }
        for no in ["false", "0", "No", "off"] {
            assert_eq!(boolean(no), Ok(false));
        }
        assert!(boolean("maybe").is_err());
    }

    #[test]
    fn integers_outside_their_range_are_rejected() {
        assert_eq!(integer::<u32>("12", 4..=31), Ok(12));
        assert!(integer::<u32>("3", 4..=31).is_err());
        assert!(integer::<u32>("twelve", 4..=31).is_err());
    }

    #[test]
    fn lists_ignore_blanks_and_spaces() {
        assert_eq!(list(" a, ,b ,"), vec!["a".to_owned(), "b".to_owned()]);
    }

    #[test]
    fn origins_must_be_scheme_host_and_port_only() {
        assert_eq!(
            origin("https://app.example.com/"),
            Ok("https://app.example.com".to_owned())
        );
        assert!(origin("https://app.example.com/path").is_err());
        assert!(origin("app.example.com").is_err());
        assert!(origin("*").is_err());
    }

    #[test]
    fn proxies_are_addresses_or_networks() {
        assert_eq!(proxy("10.0.0.0/8").unwrap().to_string(), "10.0.0.0/8");
        assert_eq!(proxy("192.0.2.1").unwrap().to_string(), "192.0.2.1/32");
        assert_eq!(proxy("::1").unwrap().to_string(), "::1/128");
        assert!(proxy("10.0.0.0/33").is_err());
    }

    #[test]
    fn ipv6_hosts_get_brackets_in_urls() {
        assert_eq!(url_of("::1", 3000), "http://[::1]:3000");
        assert_eq!(url_of("127.0.0.1", 3000), "http://127.0.0.1:3000");
    }
}
