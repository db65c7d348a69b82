//! `GET /v1/health`, `/health/live` and `/health/ready`.

use crate::helpers::{Backend, backends};
use crate::helpers::{spawn_app, spawn_app_with};
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

/// `HEALTH_DETAILS=false` hides the build and the uptime: the fields are absent, the rest stays.
#[apply(backends)]
async fn health_details_false_omits_version_and_uptime(backend: Backend) {
    let app = spawn_app_with(backend, &[("HEALTH_DETAILS", "false")]).await;

    let reply = app.get("/v1/health").await;

    assert_eq!(reply.status, 200, "{reply:#?}");
    let body = reply.body.as_object().expect("a JSON object");
    assert!(!body.contains_key("version"), "{body:?}");
    assert!(!body.contains_key("uptime"), "{body:?}");
    assert_eq!(body["status"], "OK");
    assert!(body["timestamp"].is_string());
    assert_eq!(body["services"]["database"], "healthy");
}

#[apply(backends)]
async fn liveness_and_readiness_probes_answer_200(backend: Backend) {
    let app = spawn_app(backend).await;

    for path in ["/health/live", "/health/ready"] {
        let reply = app.get(path).await;
        assert_eq!(reply.status, 200, "{path}: {reply:#?}");
    }
}
