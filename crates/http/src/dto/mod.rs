//! The JSON shapes of the API (camelCase, as in the Perfect21 document): request bodies, response
//! data, and the success envelope.

pub mod admin;
pub(crate) mod device;
pub mod mfa;
pub mod query;
pub mod requests;
pub mod responses;
pub mod schemas;

pub use device::{DeviceInfo, device_info};

use crate::error::ApiError;
use actix_web::HttpResponse;
use actix_web::cookie::Cookie;
use actix_web::http::StatusCode;
use authd_domain::Timestamp;
use chrono::SecondsFormat;
use serde::Serialize;
use utoipa::ToSchema;

/// RFC 3339 in UTC with a `Z`, to the second, as the documents show (`2023-12-01T10:30:00Z`).
#[must_use]
pub fn rfc3339(ts: &Timestamp) -> String {
    ts.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `{"success": true, "message"?, "data"}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Success<T> {
    #[schema(schema_with = schemas::always_true)]
    success: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<String>)]
    message: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required, nullable = false)]
    data: Option<T>,
}

/// `{"success": true, "message"}`: an answer with nothing more to say.
#[derive(Debug, Serialize, ToSchema)]
pub struct Message {
    #[schema(schema_with = schemas::always_true)]
    success: bool,
    #[schema(value_type = String)]
    message: &'static str,
}

/// A success answer, with the message and/or data an endpoint documents.
#[must_use]
pub fn success<T: Serialize>(
    status: StatusCode,
    message: Option<&'static str>,
    data: Option<T>,
) -> HttpResponse {
    HttpResponse::build(status).json(Success {
        success: true,
        message,
        data,
    })
}

/// `200 {"success": true, "message": ...}`.
#[must_use]
pub fn message(message: &'static str) -> HttpResponse {
    HttpResponse::Ok().json(Message {
        success: true,
        message,
    })
}

/// Adds a `Set-Cookie` to an answer.
///
/// # Errors
/// Only if the cookie cannot be encoded as a header (a bug: 500).
pub fn with_cookie(mut res: HttpResponse, cookie: &Cookie<'_>) -> Result<HttpResponse, ApiError> {
    res.add_cookie(cookie).map_err(ApiError::internal)?;
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn timestamps_are_utc_with_a_z_and_whole_seconds() {
        let ts = chrono::Utc
            .timestamp_opt(1_701_426_600, 123_000_000)
            .single()
            .unwrap();
        assert_eq!(rfc3339(&ts), "2023-12-01T10:30:00Z");
    }
}
