//! The error answers of an operation: the statuses its handler declares (with their codes in
//! backticks in the description), merged with those the table implies, each described by the
//! envelope with `error.code` restricted to the codes of that status.

use crate::checkinn::envelope::ErrorAnswer as CheckInnError;
use crate::error::{ApiError, ErrorEnvelope};
use crate::routes::Dialect;
use std::collections::BTreeMap;
use utoipa::ToSchema;
use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::{AllOfBuilder, ObjectBuilder, Type};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response};

/// The codes the table adds, by status, each with why.
#[derive(Debug, Default)]
pub struct Added(BTreeMap<u16, Vec<(&'static str, &'static str)>>);

impl Added {
    fn add(&mut self, status: u16, code: &'static str, why: &'static str) {
        self.0.entry(status).or_default().push((code, why));
    }

    /// A route with a JSON body: what the body extractor refuses.
    pub fn body(&mut self) {
        self.add(
            400,
            "VALIDATION_ERROR",
            "malformed JSON, a wrong type, a missing or invalid field (each in `details`)",
        );
        self.add(
            408,
            "REQUEST_TIMEOUT",
            "a body not complete within the body timeout of its head (the connection is closed)",
        );
        self.add(
            413,
            "PAYLOAD_TOO_LARGE",
            "a body over the configured size limit",
        );
        self.add(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            "a body that is not `application/json`, or a `Content-Encoding`",
        );
    }

    /// A `Bearer` route: what the authentication refuses.
    pub fn bearer(&mut self) {
        self.add(401, "MISSING_AUTH_HEADER", "no `Authorization`");
        self.add(
            401,
            "INVALID_AUTH_FORMAT",
            "`Authorization` that is not `Bearer <token>`",
        );
        self.add(
            401,
            "INVALID_TOKEN",
            "a malformed token, or a bad signature, `iss`, `aud` or `kid`",
        );
        self.add(401, "TOKEN_EXPIRED", "a token past `exp`");
        self.add(
            401,
            "TOKEN_REVOKED",
            "a token of a logged-out session or deleted account",
        );
        self.add(
            503,
            "SERVICE_UNAVAILABLE",
            "the token revocation list (storage or Redis) cannot be read",
        );
    }

    /// A route that asks for a permission.
    pub fn permission(&mut self) {
        self.add(
            403,
            "INSUFFICIENT_PERMISSIONS",
            "the caller's roles do not grant the permission the operation names",
        );
    }

    /// An admin route.
    pub fn admin_network(&mut self) {
        self.add(
            403,
            "IP_NOT_ALLOWED",
            "the client address is outside ADMIN_ALLOWED_IPS (checked before the token)",
        );
    }

    /// A rate-limited route.
    pub fn limited(&mut self) {
        self.add(
            429,
            "RATE_LIMIT_EXCEEDED",
            "a per-IP limit is spent (`Retry-After`, `retryAfter`)",
        );
    }

    /// Any route.
    pub fn always(&mut self) {
        self.add(
            500,
            "INTERNAL_ERROR",
            "an unexpected failure (the cause is logged, never returned)",
        );
    }
}

/// The codes named in `description`: every backticked word in capitals (so descriptions name
/// settings without backticks).
pub fn codes_in(description: &str) -> Vec<String> {
    description
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
        .map(str::to_owned)
        .collect()
}

/// Merges `added` into the responses of `op` and describes every error status by the envelope
/// of the dialect of `path`.
pub fn apply(op: &mut Operation, added: &Added, path: &str) {
    let dialect = Dialect::of(path);
    let responses = &mut op.responses.responses;
    for (status, codes) in &added.0 {
        let entry = responses
            .entry(status.to_string())
            .or_insert_with(|| RefOr::T(Response::new("")));
        let RefOr::T(response) = entry else { continue };
        let known = codes_in(&response.description);
        for (code, why) in codes {
            if known.iter().any(|k| k == code) {
                continue;
            }
            if !response.description.is_empty() {
                response.description.push_str("; ");
            }
            response.description.push_str(&format!("`{code}`: {why}"));
        }
    }
    for (status, response) in responses.iter_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        let is_error = status.starts_with('4') || status.starts_with('5');
        if !is_error || !response.content.is_empty() {
            continue;
        }
        let codes = codes_in(&response.description);
        let status = status.parse().unwrap_or_default();
        response.content.insert(
            "application/json".to_owned(),
            ContentBuilder::new()
                .schema(Some(envelope_with(&codes, dialect)))
                .example(example(status, codes.first(), path))
                .build()
                .into(),
        );
    }
}

/// The envelope of the first code of a status, as the server writes it on `path`.
fn example(status: u16, code: Option<&String>, path: &str) -> Option<serde_json::Value> {
    let code = code?;
    let error = ApiError::every_kind()
        .into_iter()
        .find(|e| e.code() == code && e.status().as_u16() == status)?;
    if Dialect::of(path) == Dialect::CheckInn {
        return Some(crate::checkinn::envelope::example(&error, path));
    }
    let mut body = serde_json::json!({"code": code, "message": error.message()});
    if let Some(secs) = error.retry_after() {
        body["retryAfter"] = secs.into();
    }
    Some(serde_json::json!({
        "success": false,
        "error": body,
        "timestamp": "2023-12-01T10:30:00Z",
        "requestId": "6d0f0a52-3c1e-4b8e-9a63-2f5f0c4d7e11",
    }))
}

/// The envelope of `dialect` whose code (`error.code`, or the CheckInn `code`) is one of
/// `codes`.
fn envelope_with(codes: &[String], dialect: Dialect) -> RefOr<utoipa::openapi::Schema> {
    let code = ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(codes.iter().cloned()));
    let (narrowed, name) = match dialect {
        Dialect::Perfect21 => {
            let error = ObjectBuilder::new().property("code", code).required("code");
            (
                ObjectBuilder::new().property("error", error),
                ErrorEnvelope::name(),
            )
        }
        Dialect::CheckInn => (
            ObjectBuilder::new().property("code", code),
            CheckInnError::name(),
        ),
    };
    let reference = Ref::from_schema_name(name);
    AllOfBuilder::new().item(reference).item(narrowed).into()
}
