//! Per-IP rate limits (the Perfect21 doc's `RATE_LIMIT_WINDOW`, `RATE_LIMIT_MAX`,
//! `AUTH_RATE_LIMIT_MAX`, and one `*_MAX` / `*_WINDOW` pair per route group) and the health
//! checks (`HEALTH_CHECK_TIMEOUT`, `HEALTH_CACHE_TTL`, `HEALTH_DETAILS`).
//!
//! Windows, like the doc's `RATE_LIMIT_WINDOW=15`, are in minutes when bare.

use super::reader::Reader;
use super::values;
use authd_domain::policy::rate_limit::RateLimit;
use authd_http::Ipv6Prefix;
use chrono::Duration;

/// The limits of the route groups (docs/rate-limits.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitConfig {
    /// `RATE_LIMIT_ENABLED` (true).
    pub enabled: bool,
    /// `RATE_LIMIT_MAX` (100) per `RATE_LIMIT_WINDOW` (15 minutes): every `/v1` route.
    pub general: RateLimit,
    /// `AUTH_RATE_LIMIT_MAX` (5) per `AUTH_RATE_LIMIT_WINDOW` (15 minutes): login.
    pub login: RateLimit,
    /// `REGISTER_RATE_LIMIT_MAX` (3) per `REGISTER_RATE_LIMIT_WINDOW` (60 minutes).
    pub register: RateLimit,
    /// `PASSWORD_RESET_RATE_LIMIT_MAX` (3) per `PASSWORD_RESET_RATE_LIMIT_WINDOW` (60 minutes):
    /// forgot-password and reset-password together.
    pub password_reset: RateLimit,
    /// `RATE_LIMIT_IPV6_PREFIX` (64): IPv6 clients count per network of this length.
    pub ipv6_prefix: Ipv6Prefix,
}

/// How `/v1/health` checks the backing services.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HealthConfig {
    /// `HEALTH_CHECK_TIMEOUT` (1000 ms): a check slower than this reports `unhealthy`.
    pub timeout: std::time::Duration,
    /// `HEALTH_CACHE_TTL` (2s): a result is reused this long, so that probes arriving from many
    /// orchestrators and load balancers cost the database, Redis and SMTP one check per period.
    pub cache_ttl: std::time::Duration,
    /// `HEALTH_DETAILS` (true): whether `/v1/health` shows `version` and `uptime` to anyone.
    pub details: bool,
}

pub(super) fn rate_limits(r: &mut Reader) -> RateLimitConfig {
    RateLimitConfig {
        enabled: r.or("RATE_LIMIT_ENABLED", true, values::boolean),
        general: limit(r, ("RATE_LIMIT_MAX", 100), ("RATE_LIMIT_WINDOW", 15)),
        login: limit(
            r,
            ("AUTH_RATE_LIMIT_MAX", 5),
            ("AUTH_RATE_LIMIT_WINDOW", 15),
        ),
        register: limit(
            r,
            ("REGISTER_RATE_LIMIT_MAX", 3),
            ("REGISTER_RATE_LIMIT_WINDOW", 60),
        ),
        password_reset: limit(
            r,
            ("PASSWORD_RESET_RATE_LIMIT_MAX", 3),
            ("PASSWORD_RESET_RATE_LIMIT_WINDOW", 60),
        ),
        ipv6_prefix: r.or("RATE_LIMIT_IPV6_PREFIX", Ipv6Prefix::DEFAULT, |v| {
            let len = values::integer::<u8>(v.trim_start_matches('/'), 1..=128)?;
            Ipv6Prefix::new(len).ok_or_else(|| format!("{v:?} is not a prefix length"))
        }),
    }
}

pub(super) fn limit(
    r: &mut Reader,
    (max_name, max): (&'static str, u32),
    (window_name, minutes): (&'static str, i64),
) -> RateLimit {
    let max = r.or(max_name, max, |v| values::integer::<u32>(v, 1..=1_000_000));
    let window = r.or(window_name, Duration::minutes(minutes), |v| {
        let d = values::duration(v, 60)?;
        if d > Duration::zero() && d <= Duration::days(1) {
            Ok(d)
        } else {
            Err(format!("{v:?} is out of range: must be between 1s and 24h"))
        }
    });
    RateLimit::new(max, window)
}

pub(super) fn health(r: &mut Reader) -> HealthConfig {
    let max = std::time::Duration::from_secs(30);
    HealthConfig {
        timeout: r.or(
            "HEALTH_CHECK_TIMEOUT",
            std::time::Duration::from_millis(1000),
            |v| {
                let d = values::short_duration(v, 1, max)?;
                if d.is_zero() {
                    Err("must be longer than zero".to_owned())
                } else {
                    Ok(d)
                }
            },
        ),
        cache_ttl: r.or("HEALTH_CACHE_TTL", std::time::Duration::from_secs(2), |v| {
            values::short_duration(v, 1000, std::time::Duration::from_secs(300))
        }),
        details: r.or("HEALTH_DETAILS", true, values::boolean),
    }
}
