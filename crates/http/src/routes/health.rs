//! `GET /v1/health` (the documented report), `GET /health/live` and `GET /health/ready` (for
//! orchestrators). Only the database decides readiness: without Redis or mail the service still
//! answers, degraded. These endpoints are not rate-limited, so the binary wraps each real probe in
//! a [`crate::CachedProbe`]: polling them costs the backing services one check per ttl at most.

use crate::dto::rfc3339;
use crate::probes::{Probe, ProbeStatus};
use crate::state::AppState;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::web::Data;
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;

/// A probe slower than this counts as unhealthy: a health check must answer before the
/// orchestrator's own timeout.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Debug, Serialize)]
struct Services {
    database: &'static str,
    redis: &'static str,
    email: &'static str,
}

#[derive(Debug, Serialize)]
struct Report<'a> {
    status: &'static str,
    timestamp: String,
    version: &'a str,
    uptime: u64,
    services: Services,
}

#[derive(Debug, Serialize)]
struct Brief {
    status: &'static str,
}

pub async fn health(state: Data<AppState>) -> HttpResponse {
    let (database, redis, email) = tokio::join!(
        probe(&state.health.database),
        probe(&state.health.redis),
        probe(&state.health.email),
    );
    let degraded = [database, redis, email].contains(&ProbeStatus::Unhealthy);
    HttpResponse::build(status_for(database)).json(Report {
        status: if degraded { "DEGRADED" } else { "OK" },
        timestamp: rfc3339(&chrono::Utc::now()),
        version: &state.settings.version,
        uptime: state.started_at.elapsed().as_secs(),
        services: Services {
            database: database.as_str(),
            redis: redis.as_str(),
            email: email.as_str(),
        },
    })
}

pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(Brief { status: "OK" })
}

pub async fn ready(state: Data<AppState>) -> HttpResponse {
    let database = probe(&state.health.database).await;
    let status = status_for(database);
    let text = if status.is_success() {
        "READY"
    } else {
        "NOT_READY"
    };
    HttpResponse::build(status).json(Brief { status: text })
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
