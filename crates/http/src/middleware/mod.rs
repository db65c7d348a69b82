//! The outermost middleware: gives each request its id and log span, turns anything that is not
//! already an envelope (a middleware's `Err`, a framework default) into one, and stamps the
//! request id and the security headers on every response.

pub mod access;
mod body_deadline;
mod cors;
mod draining;
mod loggable;
pub mod rate_limit;
pub mod request_id;
mod security_headers;
pub mod trace_context;

pub use body_deadline::{answer_late_body, body_deadline};
pub use cors::{cors, guard as cors_guard};
pub use draining::close_while_draining;

use crate::checkinn;
use crate::error::ApiError;
use crate::metrics::{HttpMetrics, RouteTemplate};
use crate::routes::Dialect;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web::{Bytes, Data};
use actix_web::{HttpResponse, ResponseError};
use authd_domain::ports::Clock;
use std::fmt;
use std::time::Instant;
use tracing::Instrument;

pub async fn envelope(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let incoming = req
        .headers()
        .get(request_id::HEADER)
        .and_then(|v| v.to_str().ok());
    let id = request_id::accept_or_generate(incoming);
    let clock = req
        .app_data::<Data<dyn Clock>>()
        .map(|clock| clock.clone().into_inner());
    let trace = trace_context::TraceContext::accept_or_start(
        req.headers()
            .get(trace_context::TRACEPARENT)
            .and_then(|v| v.to_str().ok()),
    );
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        trace_id = %trace.trace_id,
        span_id = %trace.span_id,
        parent_span_id = tracing::field::Empty,
        method = %req.method(),
        // Never the path as sent: it may carry a token.
        path = %loggable::loggable_path(req.path()),
        user_id = tracing::field::Empty,
    );
    if let Some(parent) = &trace.parent_id {
        span.record("parent_span_id", parent.as_str());
    }
    let started = Instant::now();
    let metrics = req.app_data::<Data<HttpMetrics>>().cloned();
    let method = req.method().clone();
    // For an answer no route gave: its dialect by the path as sent, if that dialect is served.
    let checkinn_served = req
        .app_data::<Data<crate::state::AppState>>()
        .is_none_or(|state| state.settings.dialects.checkinn);
    let checkinn_path = checkinn_served && crate::checkinn::serves(req.path());

    // No clone of the request may be held across `next.call`: routing needs it unshared.
    let scoped_id = id.clone();
    let (route, outcome) = request_id::scope(
        id.clone(),
        clock,
        async move {
            match next.call(req).await {
                Ok(res) => {
                    // The matched resource's app data stays on the request until it is dropped.
                    let route = res.request().app_data::<RouteTemplate>().map(|r| r.0);
                    let res = res.map_into_left_body();
                    (route, Ok(into_envelope(res, &scoped_id, checkinn_path)))
                }
                // Rendered here, inside the scope, so the body carries the request id and the
                // time of the app's clock.
                Err(e) => {
                    let mut res = e.error_response();
                    if checkinn_path && is_error(res.status()) {
                        res = checkinn::envelope::reword(res, None);
                    }
                    (None, Err(Rendered::new(res, &scoped_id)))
                }
            }
        }
        .instrument(span.clone()),
    )
    .await;

    let (status, result) = match outcome {
        Ok(mut res) => {
            stamp(res.headers_mut(), &id);
            answer_trace(res.headers_mut(), &trace);
            (res.status(), Ok(res))
        }
        Err(mut rendered) => {
            answer_trace(&mut rendered.headers, &trace);
            (rendered.status, Err(rendered.into()))
        }
    };
    let took = started.elapsed();
    if let Some(metrics) = metrics {
        metrics.observe(route, &method, status, took);
    }
    let latency_ms = u64::try_from(took.as_millis()).unwrap_or(u64::MAX);
    span.in_scope(|| tracing::info!(status = status.as_u16(), latency_ms, "request completed"));
    result
}

/// `traceresponse`: the trace this request joined or started, on every response.
fn answer_trace(headers: &mut HeaderMap, trace: &trace_context::TraceContext) {
    if let Ok(value) = HeaderValue::from_str(&trace.header()) {
        headers.insert(HeaderName::from_static(trace_context::TRACERESPONSE), value);
    }
}

/// The request id and the security headers, on every response.
fn stamp(headers: &mut HeaderMap, request_id: &str) {
    security_headers::apply(headers);
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert(HeaderName::from_static(request_id::HEADER), value);
    }
}

fn is_error(status: StatusCode) -> bool {
    status.is_client_error() || status.is_server_error()
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"))
}

/// The envelope of the same status, keeping the `Allow` of a 405.
fn replacement(status: StatusCode, headers: &HeaderMap, request_id: &str) -> HttpResponse {
    let mut res = ApiError::from_status(status).render(request_id);
    if let Some(allow) = headers.get(header::ALLOW) {
        res.headers_mut().insert(header::ALLOW, allow.clone());
    }
    res
}

/// An error response that is not JSON came from outside this crate (a framework default such as
/// a CORS rejection); it is replaced by the envelope of the same status. Any error of a CheckInn
/// path is worded in that dialect's envelope.
fn into_envelope<B>(
    res: ServiceResponse<EitherBody<B>>,
    request_id: &str,
    checkinn_path: bool,
) -> ServiceResponse<EitherBody<B>> {
    let status = res.status();
    if !is_error(status) {
        return res;
    }
    let request = res.request();
    let dialect = request
        .app_data::<Dialect>()
        .copied()
        .unwrap_or(if checkinn_path {
            Dialect::CheckInn
        } else {
            Dialect::Perfect21
        });
    if dialect == Dialect::CheckInn {
        let route = request.app_data::<RouteTemplate>().map(|r| r.0);
        let (req, res) = res.into_parts();
        let reworded = checkinn::envelope::reword(res, route);
        return ServiceResponse::new(req, reworded).map_into_right_body();
    }
    if is_json(res.headers()) {
        return res;
    }
    let fresh = replacement(status, res.headers(), request_id);
    let (req, _) = res.into_parts();
    ServiceResponse::new(req, fresh).map_into_right_body()
}

/// An inner service that failed with `Err` (none of this crate's do): its response, made an
/// envelope and stamped, handed to the server as an error it renders as is.
struct Rendered {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Rendered {
    fn new(res: HttpResponse, request_id: &str) -> Self {
        let res = if !is_error(res.status()) || is_json(res.headers()) {
            res
        } else {
            replacement(res.status(), res.headers(), request_id)
        };
        let status = res.status();
        let mut headers = res.headers().clone();
        stamp(&mut headers, request_id);
        let body = res.into_body().try_into_bytes().unwrap_or_default();
        Self {
            status,
            headers,
            body,
        }
    }
}

impl fmt::Debug for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Rendered({})", self.status)
    }
}

impl fmt::Display for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "request failed with {}", self.status)
    }
}

impl ResponseError for Rendered {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::with_body(self.status, self.body.clone());
        for (name, value) in &self.headers {
            res.headers_mut().append(name.clone(), value.clone());
        }
        res.map_into_boxed_body()
    }
}
