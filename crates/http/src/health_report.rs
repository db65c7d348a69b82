//! What the health endpoints report: each backing service probed under a time limit, and the
//! aggregate: `DEGRADED` when any is unhealthy, not ready (503) only when the database is, since
//! without Redis or mail the service still answers.

use crate::dto::rfc3339;
use crate::probes::{HealthProbes, Probe, ProbeStatus};
use actix_web::http::StatusCode;
use authd_domain::Timestamp;
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;

/// A probe slower than this counts as unhealthy: a health check must answer before the
/// orchestrator's own timeout.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Debug, Serialize)]
pub struct Services {
    database: &'static str,
    redis: &'static str,
    email: &'static str,
}

/// The body of `GET /v1/health`.
#[derive(Debug, Serialize)]
pub struct Report<'a> {
    status: &'static str,
    timestamp: String,
    version: &'a str,
    uptime: u64,
    services: Services,
}

/// The answer of `GET /v1/health`: its status code and body.
pub async fn report<'a>(
    probes: &HealthProbes,
    now: Timestamp,
    version: &'a str,
    uptime: Duration,
) -> (StatusCode, Report<'a>) {
    let (database, redis, email) = tokio::join!(
        probe(&probes.database),
        probe(&probes.redis),
        probe(&probes.email),
    );
    let degraded = [database, redis, email].contains(&ProbeStatus::Unhealthy);
    let report = Report {
        status: if degraded { "DEGRADED" } else { "OK" },
        timestamp: rfc3339(&now),
        version,
        uptime: uptime.as_secs(),
        services: Services {
            database: database.as_str(),
            redis: redis.as_str(),
            email: email.as_str(),
        },
    };
    (status_for(database), report)
}

/// Whether the service can take traffic: the status of `GET /health/ready`.
pub async fn readiness(probes: &HealthProbes) -> StatusCode {
    status_for(probe(&probes.database).await)
}

fn status_for(database: ProbeStatus) -> StatusCode {
    match database {
        ProbeStatus::Unhealthy => StatusCode::SERVICE_UNAVAILABLE,
        ProbeStatus::Healthy | ProbeStatus::Disabled => StatusCode::OK,
    }
}

async fn probe(probe: &Arc<dyn Probe>) -> ProbeStatus {
    tokio::time::timeout(PROBE_TIMEOUT, probe.status())
        .await
        .unwrap_or(ProbeStatus::Unhealthy)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probes::FixedProbe;
    use chrono::TimeZone;

    fn probes(database: ProbeStatus, redis: ProbeStatus) -> HealthProbes {
        HealthProbes {
            database: Arc::new(FixedProbe(database)),
            redis: Arc::new(FixedProbe(redis)),
            email: Arc::new(FixedProbe(ProbeStatus::Healthy)),
        }
    }

    fn at() -> Timestamp {
        chrono::Utc
            .timestamp_opt(1_701_426_600, 0)
            .single()
            .unwrap_or_default()
    }

    #[actix_web::test]
    async fn an_unhealthy_redis_degrades_the_report_but_not_readiness() {
        let probes = probes(ProbeStatus::Healthy, ProbeStatus::Unhealthy);
        let (status, report) = report(&probes, at(), "1.0", Duration::from_secs(7)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(report.status, "DEGRADED");
        assert_eq!(report.timestamp, "2023-12-01T10:30:00Z");
        assert_eq!(report.uptime, 7);
        assert_eq!(readiness(&probes).await, StatusCode::OK);
    }

    #[actix_web::test]
    async fn an_unhealthy_database_is_503_everywhere() {
        let probes = probes(ProbeStatus::Unhealthy, ProbeStatus::Disabled);
        let (status, report) = report(&probes, at(), "1.0", Duration::ZERO).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(report.services.redis, "disabled");
        assert_eq!(readiness(&probes).await, StatusCode::SERVICE_UNAVAILABLE);
    }
}
