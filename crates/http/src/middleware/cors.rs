//! CORS for the browser origins of `ALLOWED_ORIGINS`, with credentials (the refresh cookie).
//!
//! actix-cors does the negotiation; [`guard`], just outside it, settles two things it does not:
//! a preflight from a foreign origin is refused as such (403 `CORS_ORIGIN_NOT_ALLOWED`, where
//! actix-cors answers a bare 400), and a response carries CORS headers only for a request whose
//! `Origin` is allowed (actix-cors sends `Access-Control-Allow-Credentials` and
//! `Access-Control-Expose-Headers` to everyone).

use crate::error::ApiError;
use crate::middleware::{request_id, trace_context};
use crate::settings::HttpSettings;
use actix_cors::Cors;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use std::sync::Arc;

pub fn cors(settings: Arc<HttpSettings>) -> Cors {
    Cors::default()
        .allowed_origin_fn(move |origin, _| {
            origin
                .to_str()
                .is_ok_and(|origin| settings.is_origin_allowed(origin))
        })
        .allowed_methods(["GET", "POST", "PUT", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::HeaderName::from_static(request_id::HEADER),
            // A traced browser app joins its requests to its traces.
            header::HeaderName::from_static(trace_context::TRACEPARENT),
            header::HeaderName::from_static("tracestate"),
        ])
        .expose_headers([
            header::HeaderName::from_static(request_id::HEADER),
            header::HeaderName::from_static(trace_context::TRACERESPONSE),
            header::RETRY_AFTER,
        ])
        .supports_credentials()
        .max_age(3600)
}

/// The headers that grant a browser something; `Vary: Origin` stays, as the answer does vary.
const GRANTS: [header::HeaderName; 6] = [
    header::ACCESS_CONTROL_ALLOW_ORIGIN,
    header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
    header::ACCESS_CONTROL_EXPOSE_HEADERS,
    header::ACCESS_CONTROL_ALLOW_METHODS,
    header::ACCESS_CONTROL_ALLOW_HEADERS,
    header::ACCESS_CONTROL_MAX_AGE,
];

/// Wraps [`cors`]: see the module's documentation.
pub async fn guard<B: MessageBody + 'static>(
    settings: Arc<HttpSettings>,
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .map(|o| o.to_str().is_ok_and(|o| settings.is_origin_allowed(o)));
    let preflight = req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if preflight && origin == Some(false) {
        let res = req.error_response(ApiError::CorsOriginNotAllowed);
        return Ok(res.map_into_right_body());
    }
    let mut res = next.call(req).await?;
    if origin != Some(true) {
        let headers = res.headers_mut();
        for name in GRANTS {
            headers.remove(name);
        }
    }
    Ok(res.map_into_left_body())
}
