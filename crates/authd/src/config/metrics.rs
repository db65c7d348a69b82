//! `/metrics`: whether it is served, who may scrape it, and how often the sampled gauges are
//! refreshed.

use super::reader::Reader;
use super::values;
use secrecy::SecretString;
use std::time::Duration;

/// The shortest `METRICS_TOKEN` accepted.
pub const MIN_TOKEN_CHARS: usize = 32;

#[derive(Debug, Clone)]
pub struct MetricsConfig {
    /// `ENABLE_METRICS` (true): count requests and events and serve `GET /metrics`; off, the
    /// path is a 404 and nothing is counted.
    pub enabled: bool,
    /// `METRICS_TOKEN`: when set, a scrape must send `Authorization: Bearer <token>`.
    pub token: Option<SecretString>,
    /// `METRICS_SAMPLE_INTERVAL` (30s): how often the outbox, the live sessions and the backing
    /// services are counted and checked for the sampled gauges.
    pub sample_interval: Duration,
}

pub(super) fn metrics(r: &mut Reader) -> MetricsConfig {
    MetricsConfig {
        enabled: r.or("ENABLE_METRICS", true, values::boolean),
        // Empty counts as unset, like every variable (a `METRICS_TOKEN=` line in `.env`).
        // /metrics is not rate-limited, so the token must be too long to guess by scraping.
        token: r.optional("METRICS_TOKEN", |v| {
            values::not_published(v)?;
            if v.chars().count() < MIN_TOKEN_CHARS {
                Err(format!("must be at least {MIN_TOKEN_CHARS} characters"))
            } else {
                Ok(SecretString::from(v.to_owned()))
            }
        }),
        sample_interval: r.or("METRICS_SAMPLE_INTERVAL", Duration::from_secs(30), |v| {
            let d = values::short_duration(v, 1000, Duration::from_secs(3600))?;
            if d < Duration::from_millis(100) {
                Err("must be at least 100ms".to_owned())
            } else {
                Ok(d)
            }
        }),
    }
}
