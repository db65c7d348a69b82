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
use utoipa::ToSchema;

/// A probe slower than this counts as unhealthy: a health check must answer before the
/// orchestrator's own timeout.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Debug, Serialize, ToSchema)]
pub struct Services {
    #[schema(schema_with = probe_status)]
    database: &'static str,
    #[schema(schema_with = probe_status)]
    redis: &'static str,
    #[schema(schema_with = probe_status)]
    email: &'static str,
}

fn probe_status() -> utoipa::openapi::schema::Schema {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(["healthy", "unhealthy", "disabled"]))
        .into()
}

/// What `GET /v1/health` tells about the build and process, unless `HEALTH_DETAILS=false`: they
/// help an attacker pick exploits, so an operator may hide them.
#[derive(Debug, Serialize, ToSchema)]
pub struct Details<'a> {
    #[schema(value_type = String, required = false)]
    version: &'a str,
    /// Seconds since start-up.
    #[schema(required = false)]
    uptime: u64,
}

impl<'a> Details<'a> {
    pub fn new(version: &'a str, uptime: Duration) -> Self {
        Self {
            version,
            uptime: uptime.as_secs(),
        }
    }
}

/// The body of `GET /v1/health`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "status": "OK", "timestamp": "2023-12-01T10:30:00Z", "version": "1.0.0", "uptime": 86400,
    "services": {"database": "healthy", "redis": "healthy", "email": "healthy"}
}))]
pub struct Report<'a> {
    /// `DEGRADED` when any service is unhealthy.
    #[schema(schema_with = report_status)]
    status: &'static str,
    #[schema(format = DateTime)]
    timestamp: String,
    /// Absent (no field at all) when hidden.
    #[serde(flatten)]
    #[schema(inline, nullable = false)]
    details: Option<Details<'a>>,
    services: Services,
}

fn report_status() -> utoipa::openapi::schema::Schema {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(["OK", "DEGRADED"]))
        .into()
}

/// The answer of `GET /v1/health`: its status code and body, with `details` when shown.
pub async fn report<'a>(
    probes: &HealthProbes,
    now: Timestamp,
    details: Option<Details<'a>>,
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
        details,
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
        let details = Details::new("1.0", Duration::from_secs(7));
        let (status, report) = report(&probes, at(), Some(details)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(report.status, "DEGRADED");
        assert_eq!(report.timestamp, "2023-12-01T10:30:00Z");
        assert_eq!(report.details.as_ref().map(|d| d.uptime), Some(7));
        assert_eq!(readiness(&probes).await, StatusCode::OK);
    }

    #[actix_web::test]
    async fn an_unhealthy_database_is_503_everywhere() {
        let probes = probes(ProbeStatus::Unhealthy, ProbeStatus::Disabled);
        let (status, report) = report(&probes, at(), None).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(report.services.redis, "disabled");
        assert_eq!(readiness(&probes).await, StatusCode::SERVICE_UNAVAILABLE);
    }

    /// The seed's shape by default; with the details hidden, no `version` or `uptime` field.
    #[actix_web::test]
    async fn the_details_are_in_the_seeds_place_or_absent() {
        let probes = probes(ProbeStatus::Healthy, ProbeStatus::Disabled);
        let details = Details::new("1.2.3", Duration::from_secs(42));
        let (_, shown) = report(&probes, at(), Some(details)).await;
        let shown = serde_json::to_value(&shown).unwrap_or_default();
        assert_eq!(shown["version"], "1.2.3");
        assert_eq!(shown["uptime"], 42);
        let (_, hidden) = report(&probes, at(), None).await;
        let hidden = serde_json::to_value(&hidden).unwrap_or_default();
        let mut fields: Vec<&str> = hidden
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        fields.sort_unstable();
        assert_eq!(fields, ["services", "status", "timestamp"]);
    }
}
