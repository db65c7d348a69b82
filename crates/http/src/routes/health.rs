//! `GET /v1/health` (the documented report), `GET /health/live` and `GET /health/ready` (for
//! orchestrators); what they say is worked out in [`crate::health_report`]. These endpoints are
//! not rate-limited, so the binary wraps each real probe in a [`crate::CachedProbe`]: polling
//! them costs the backing services one check per ttl at most.

use crate::health_report::{Details, readiness, report};
use crate::state::AppState;
use actix_web::HttpResponse;
use actix_web::web::Data;
use serde::Serialize;

#[derive(Debug, Serialize)]
struct Brief {
    status: &'static str,
}

pub async fn health(state: Data<AppState>) -> HttpResponse {
    let now = state.clock.now();
    let details = state
        .settings
        .health_details
        .then(|| Details::new(&state.settings.version, state.started_at.elapsed()));
    let (status, body) = report(&state.health, now, details).await;
    HttpResponse::build(status).json(body)
}

pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(Brief { status: "OK" })
}

pub async fn ready(state: Data<AppState>) -> HttpResponse {
    let status = readiness(&state.health).await;
    let text = if status.is_success() {
        "READY"
    } else {
        "NOT_READY"
    };
    HttpResponse::build(status).json(Brief { status: text })
}
