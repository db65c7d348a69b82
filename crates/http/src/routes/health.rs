//! `GET /v1/health` (the documented report), `GET /health/live` and `GET /health/ready` (for
//! orchestrators); what they say is worked out in [`crate::health_report`]. These endpoints are
//! not rate-limited, so the binary wraps each real probe in a [`crate::CachedProbe`]: polling
//! them costs the backing services one check per ttl at most.

use crate::health_report::{Details, Report, readiness, report};
use crate::state::AppState;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::web::Data;
use serde::Serialize;
use utoipa::ToSchema;

/// `{"status": ..}` of the orchestrators' probes.
#[derive(Debug, Serialize, ToSchema)]
pub struct Brief {
    #[schema(value_type = String, example = "OK")]
    status: &'static str,
}

/// Health of the service and its backing services
///
/// Each backing service is really checked (bounded by `HEALTH_CHECK_TIMEOUT`, cached
/// `HEALTH_CACHE_TTL`). `version` and `uptime` are absent with `HEALTH_DETAILS=false`.
#[utoipa::path(
    get, path = "/v1/health", tag = "operations", operation_id = "health",
    responses(
        (status = 200, description = "The database is usable (`status` is `DEGRADED` when \
            Redis or mail is not)", body = Report),
        (status = 503, description = "The database is unhealthy", body = Report),
    )
)]
pub async fn health(state: Data<AppState>) -> HttpResponse {
    let now = state.clock.now();
    let details = state
        .settings
        .health_details
        .then(|| Details::new(&state.settings.version, state.started_at.elapsed()));
    let (status, body) = report(&state.health, now, details).await;
    HttpResponse::build(status).json(body)
}

/// Liveness probe
#[utoipa::path(
    get, path = "/health/live", tag = "operations", operation_id = "live",
    responses((status = 200, description = "The process serves", body = Brief,
        example = json!({"status": "OK"}))),
)]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(Brief { status: "OK" })
}

/// Readiness probe
#[utoipa::path(
    get, path = "/health/ready", tag = "operations", operation_id = "ready",
    responses(
        (status = 200, description = "The database is usable", body = Brief,
            example = json!({"status": "READY"})),
        (status = 503, description = "The database is not usable, or the instance is \
            shutting down (it still serves the requests sent to it)", body = Brief,
            example = json!({"status": "NOT_READY"})),
    ),
)]
pub async fn ready(state: Data<AppState>) -> HttpResponse {
    // A stopping instance is not asked about its database: it will not be ready again.
    let status = if state.draining.is_draining() {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        readiness(&state.health).await
    };
    let text = if status.is_success() {
        "READY"
    } else {
        "NOT_READY"
    };
    HttpResponse::build(status).json(Brief { status: text })
}
