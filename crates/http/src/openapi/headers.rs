//! The response headers the middleware adds to every answer of an operation, declared once under
//! `components/headers` and referred to from each response.

use std::collections::BTreeMap;
use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{Header, Ref, RefOr};

const REQUEST_ID: &str = "X-Request-Id";
const RATE_LIMIT: [&str; 3] = [
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
];
const RETRY_AFTER: &str = "Retry-After";

fn header(kind: Type, description: &str) -> RefOr<Header> {
    let mut header = Header::new(ObjectBuilder::new().schema_type(kind));
    header.description = Some(description.to_owned());
    RefOr::T(header)
}

/// The headers for `components/headers`.
pub fn components() -> BTreeMap<String, RefOr<Header>> {
    let described = [
        (
            REQUEST_ID,
            Type::String,
            "The request's id: an incoming sane `X-Request-Id`, else a new one",
        ),
        (
            RATE_LIMIT[0],
            Type::Integer,
            "Requests allowed in the window of the most restrictive limit",
        ),
        (RATE_LIMIT[1], Type::Integer, "Requests left in that window"),
        (
            RATE_LIMIT[2],
            Type::Integer,
            "When that window closes (Unix seconds)",
        ),
        (
            RETRY_AFTER,
            Type::Integer,
            "Seconds to wait before trying again (on 503 for `SERVICE_BUSY` only)",
        ),
    ];
    described
        .into_iter()
        .map(|(name, kind, description)| (name.to_owned(), header(kind, description)))
        .collect()
}

fn reference(name: &str) -> RefOr<Header> {
    RefOr::Ref(Ref::new(format!("#/components/headers/{name}")))
}

/// `X-Request-Id` everywhere; the `X-RateLimit-*` trio on a limited route (absent while the
/// limits are off or the limiter is down); `Retry-After` on the statuses that set it.
pub fn apply(op: &mut Operation, limited: bool) {
    for (status, response) in &mut op.responses.responses {
        let RefOr::T(response) = response else {
            continue;
        };
        let headers = &mut response.headers;
        headers.insert(REQUEST_ID.to_owned(), reference(REQUEST_ID));
        if limited {
            for name in RATE_LIMIT {
                headers.insert(name.to_owned(), reference(name));
            }
        }
        if matches!(status.as_str(), "423" | "429" | "503") {
            headers.insert(RETRY_AFTER.to_owned(), reference(RETRY_AFTER));
        }
    }
}
