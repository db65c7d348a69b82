//! The response headers the middleware adds to every answer of an operation.

use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{Header, RefOr};

fn header(kind: Type, description: &str) -> Header {
    let mut header = Header::new(ObjectBuilder::new().schema_type(kind));
    header.description = Some(description.to_owned());
    header
}

/// `X-Request-Id` everywhere; the `X-RateLimit-*` trio on a limited route (absent while the
/// limits are off or the limiter is down); `Retry-After` on the statuses that set it.
pub fn apply(op: &mut Operation, limited: bool) {
    for (status, response) in &mut op.responses.responses {
        let RefOr::T(response) = response else {
            continue;
        };
        let headers = &mut response.headers;
        headers.insert(
            "X-Request-Id".to_owned(),
            RefOr::T(header(
                Type::String,
                "The request's id: an incoming sane `X-Request-Id`, else a new one",
            )),
        );
        if limited {
            headers.insert(
                "X-RateLimit-Limit".to_owned(),
                RefOr::T(header(
                    Type::Integer,
                    "Requests allowed in the window of the most restrictive limit",
                )),
            );
            headers.insert(
                "X-RateLimit-Remaining".to_owned(),
                RefOr::T(header(Type::Integer, "Requests left in that window")),
            );
            headers.insert(
                "X-RateLimit-Reset".to_owned(),
                RefOr::T(header(
                    Type::Integer,
                    "When that window closes (Unix seconds)",
                )),
            );
        }
        if matches!(status.as_str(), "423" | "429" | "503") {
            headers.insert(
                "Retry-After".to_owned(),
                RefOr::T(header(
                    Type::Integer,
                    "Seconds to wait before trying again (on 503 for `SERVICE_BUSY` only)",
                )),
            );
        }
    }
}
