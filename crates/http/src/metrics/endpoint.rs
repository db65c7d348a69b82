//! `GET /metrics`: the registry in the Prometheus text format, behind an optional bearer token.

use crate::error::ApiError;
use crate::extractors::parse_bearer;
use crate::secret_eq::same_secret;
use actix_web::http::header::{AUTHORIZATION, CONTENT_TYPE};
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse};
use prometheus_client::encoding::prometheus_text;
use prometheus_client::registry::Registry;
use secrecy::{ExposeSecret, SecretString};
use std::fmt;

/// What `/metrics` serves: registered as app data only when metrics are enabled, so without it
/// the path is a 404 like any unknown one.
pub struct MetricsEndpoint {
    registry: Registry,
    /// `METRICS_TOKEN`: when set, a scrape must send it as `Authorization: Bearer`.
    token: Option<SecretString>,
}

impl MetricsEndpoint {
    #[must_use]
    pub fn new(registry: Registry, token: Option<SecretString>) -> Self {
        Self { registry, token }
    }

    /// The registry in the text format; a collector that fails yields what came before it.
    #[must_use]
    pub fn render(&self) -> String {
        let mut body = String::with_capacity(16 * 1024);
        if let Err(e) = prometheus_text::encode(&mut body, &self.registry) {
            tracing::error!(error = %e, "could not encode the metrics");
        }
        body
    }

    fn admits(&self, req: &HttpRequest) -> Result<(), ApiError> {
        let Some(expected) = &self.token else {
            return Ok(());
        };
        let presented = parse_bearer(req.headers().get(AUTHORIZATION))?;
        if same_secret(presented.as_bytes(), expected.expose_secret().as_bytes()) {
            Ok(())
        } else {
            Err(ApiError::InvalidAccessToken)
        }
    }
}

impl fmt::Debug for MetricsEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MetricsEndpoint")
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

/// Prometheus metrics
///
/// The registry in the Prometheus text format (docs/operations.md says what each metric means).
#[utoipa::path(
    get, path = "/metrics", tag = "operations", operation_id = "metrics",
    security((), ("metricsToken" = [])),
    responses(
        (status = 200, description = "The metrics, in the Prometheus text format 0.0.4",
            content_type = "text/plain; version=0.0.4; charset=utf-8", body = String),
        (status = 401, description = "`MISSING_AUTH_HEADER`, `INVALID_AUTH_FORMAT` or \
            `INVALID_TOKEN`: a metrics token is configured (METRICS_TOKEN) and the scrape does not \
            bear it"),
        (status = 404, description = "`NOT_FOUND`: metrics are turned off (ENABLE_METRICS=false)"),
    )
)]
pub async fn scrape(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let Some(endpoint) = req.app_data::<Data<MetricsEndpoint>>() else {
        return Err(ApiError::NotFound("Resource not found"));
    };
    endpoint.admits(&req)?;
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, prometheus_text::CONTENT_TYPE))
        .body(endpoint.render()))
}
