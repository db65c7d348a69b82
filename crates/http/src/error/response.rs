//! How an [`ApiError`] leaves a handler: its cause logged (5xx only), then the envelope.

use super::ApiError;
use crate::middleware::request_id;
use actix_web::body::BoxBody;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

impl ApiError {
    /// 5xx causes go to the log, with the whole chain, inside the request's span.
    fn log(&self) {
        match self {
            Self::Internal(cause) => {
                tracing::error!(error = %chain(cause.as_ref()), "request failed: internal error");
            }
            Self::ServiceUnavailable(cause) => {
                tracing::error!(error = %chain(cause.as_ref()), "request failed: backing service unavailable");
            }
            Self::ServiceBusy => tracing::warn!("request refused: password hashing saturated"),
            _ => {}
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        self.log();
        self.render(&request_id::current())
    }
}

/// `outer: middle: root`.
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut next = e.source();
    while let Some(cause) = next {
        out.push_str(": ");
        out.push_str(&cause.to_string());
        next = cause.source();
    }
    out
}
