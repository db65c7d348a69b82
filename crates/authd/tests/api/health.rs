//! `GET /v1/health`, `/health/live` and `/health/ready`.

use crate::helpers::spawn_app;
use crate::helpers::{Backend, backends};
use rstest_reuse::apply;

#[apply(backends)]
async fn health_reports_ok_with_each_service(backend: Backend) {
    let app = spawn_app(backend).await;

    let reply = app.get("/v1/health").await;

    assert_eq!(reply.status, 200, "{reply:#?}");
    let body = &reply.body;
    assert_eq!(body["status"], "OK");
    assert_eq!(body["services"]["database"], "healthy");
    assert_eq!(body["services"]["redis"], "disabled");
    assert_eq!(body["services"]["email"], "healthy");
    assert!(body["timestamp"].is_string(), "{body}");
    assert!(body["version"].is_string(), "{body}");
    assert!(body["uptime"].is_u64(), "{body}");
}

#[apply(backends)]
async fn liveness_and_readiness_probes_answer_200(backend: Backend) {
    let app = spawn_app(backend).await;

    for path in ["/health/live", "/health/ready"] {
        let reply = app.get(path).await;
        assert_eq!(reply.status, 200, "{path}: {reply:#?}");
    }
}
