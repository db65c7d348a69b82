//! The OpenAPI 3.1 document of the API, assembled from the route table: each entry carries the
//! `#[utoipa::path]` of its handler, and what the table itself knows is added here, so neither
//! can drift from what is served:
//! - routes that need a token: the `bearerAuth` security requirement (with the permission the
//!   route asks for as its scope) and the 401s of a bad token; the 403 of a missing permission
//!   and, on admin routes, of an address outside `ADMIN_ALLOWED_IPS`;
//! - rate-limited routes: the 429 and the `X-RateLimit-*` headers;
//! - routes with a body: the 400, 413 and 415 of an unreadable one;
//! - every route: `X-Request-Id`, the 500, and every error status described by the envelope
//!   with the exact codes it can carry;
//! - every `GET`: its `HEAD`, with the same statuses and headers and no body.

mod errors;
mod headers;
#[cfg(test)]
mod tests;

use crate::checkinn::envelope::ErrorAnswer as CheckInnError;
use crate::error::ErrorEnvelope;
use crate::middleware::rate_limit::Limit;
use crate::routes::{Dialect, Doc, RouteSpec};
use actix_web::http::Method;
use utoipa::openapi::path::{HttpMethod, Operation};
use utoipa::openapi::schema::{SchemaType, Type};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{
    ComponentsBuilder, InfoBuilder, OpenApi, OpenApiBuilder, Paths, RefOr, Schema, Tag,
};
use utoipa::{PartialSchema, ToSchema};

/// The name of the bearer security scheme.
pub const BEARER: &str = "bearerAuth";
/// The name of the refresh-cookie security scheme.
pub const REFRESH_COOKIE: &str = "refreshCookie";
/// The name of the security scheme of `/metrics` when `METRICS_TOKEN` is set.
pub const METRICS_TOKEN: &str = "metricsToken";

/// The document for the routes of `table`, in its order.
#[must_use]
pub fn document(table: &[(RouteSpec, Doc)], version: &str) -> OpenApi {
    let mut paths = Paths::new();
    let mut schemas: Vec<(String, RefOr<Schema>)> =
        vec![(ErrorEnvelope::name().into_owned(), ErrorEnvelope::schema())];
    <ErrorEnvelope as ToSchema>::schemas(&mut schemas);
    if table
        .iter()
        .any(|(spec, _)| Dialect::of(spec.path) == Dialect::CheckInn)
    {
        schemas.push((CheckInnError::name().into_owned(), CheckInnError::schema()));
        <CheckInnError as ToSchema>::schemas(&mut schemas);
    }
    for (spec, doc) in table {
        debug_assert_eq!(
            (doc.path)(),
            spec.path,
            "the table pairs a handler with another's document"
        );
        (doc.schemas)(&mut schemas);
        let mut operation = (doc.operation)();
        operation.tags = Some((doc.tags)().into_iter().map(str::to_owned).collect());
        let operation = decorate(operation, spec);
        let methods = (doc.methods)();
        if spec.method == Method::GET {
            paths.add_path_operation(spec.path, vec![HttpMethod::Head], head_of(&operation));
        }
        paths.add_path_operation(spec.path, methods, operation);
    }
    let mut components = ComponentsBuilder::new().schemas_from_iter(schemas).build();
    components.headers = headers::components();
    components.add_security_scheme(
        BEARER,
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .description(Some("The `accessToken` of a login or refresh"))
                .build(),
        ),
    );
    components.add_security_scheme(
        METRICS_TOKEN,
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some(
                    "METRICS_TOKEN, when the operator sets one; otherwise /metrics is open",
                ))
                .build(),
        ),
    );
    components.add_security_scheme(
        REFRESH_COOKIE,
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            crate::cookies::REFRESH_COOKIE,
            "The HttpOnly refresh cookie set by login and refresh (path `/v1/auth`; the CheckInn \
             dialect's own on `/api/auth`)",
        ))),
    );
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("authd")
                .version(version)
                .description(Some(DESCRIPTION))
                .build(),
        )
        .paths(paths)
        .components(Some(components))
        .tags(Some(
            ["auth", "users", "checkinn", "admin", "operations", "docs"].map(|t| {
                let mut tag = Tag::new(t);
                tag.description = Some(tag_description(t).to_owned());
                tag
            }),
        ))
        .build()
}

const DESCRIPTION: &str = "JWT authentication: registration with email verification, login, \
refresh-token rotation, sessions, password flows, and (unless `ENABLE_MFA=false`, which removes \
those routes) a second factor: TOTP with backup codes and remembered devices; roles and \
permissions from configuration, and an administration API with an audit trail. Bodies are JSON in camelCase. A success is \
`{\"success\": true, \"message\"?, \"data\"?}`, an error the `ErrorEnvelope` with the codes \
each response lists. Every response carries `X-Request-Id` and the security headers; CORS \
headers only for an allowed `Origin`. A known path with another method is 405 with `Allow`, \
an unknown path 404 `NOT_FOUND`.";

fn tag_description(tag: &str) -> &'static str {
    match tag {
        "auth" => "Registration, login, tokens, passwords and second factors",
        "users" => "The caller's own account, sessions and activity",
        "checkinn" => {
            "The CheckInn dialect under /api/auth: the same accounts, sessions and limits with \
            that document's bodies, cookie and error envelope `{success: false, message, code, \
            errors?}` (API_DIALECTS)"
        }
        "admin" => {
            "Every account and the audit trail, for administrators (ADMIN_ALLOWED_IPS, \
            and the permission each operation names)"
        }
        "operations" => "Health, readiness and keys, for orchestrators and relying parties",
        _ => "This document and its interactive viewer",
    }
}

/// The operation of the handler, completed with what the table says of its route.
fn decorate(mut op: Operation, spec: &RouteSpec) -> Operation {
    optional_body_is_absent(&mut op);
    let mut added = errors::Added::default();
    if op.request_body.is_some() {
        added.body();
    }
    if spec.access.needs_token() {
        // The permission the route asks for, as the requirement's scope (OpenAPI 3.1 lets a
        // bearer scheme name the roles it needs).
        let scopes: Vec<&str> = spec
            .access
            .permission()
            .map(|p| p.as_str())
            .into_iter()
            .collect();
        op.security = Some(vec![SecurityRequirement::new(BEARER, scopes)]);
        added.bearer();
    }
    if let Some(permission) = spec.access.permission() {
        added.permission();
        let needs = format!("Needs the `{permission}` permission.");
        op.description = Some(match op.description.take() {
            Some(d) if !d.is_empty() => format!("{d}\n\n{needs}"),
            _ => needs,
        });
    }
    if spec.access.admin_network() {
        added.admin_network();
    }
    let limited = spec.limit != Limit::Exempt;
    if limited {
        added.limited();
    }
    added.always();
    errors::apply(&mut op, &added, spec.path);
    headers::apply(&mut op, limited);
    op
}

/// An optional body (`request_body(content = Option<T>)`) is one that may be left out, which is
/// what `required: false` says; utoipa also offers `null` as a body, which the extractor refuses.
fn optional_body_is_absent(op: &mut Operation) {
    let Some(RefOr::T(body)) = op.request_body.as_mut() else {
        return;
    };
    for content in body.content.values_mut() {
        let RefOr::T(content) = content else { continue };
        if let Some(RefOr::T(Schema::OneOf(one_of))) = &content.schema {
            let not_null: Vec<_> = one_of
                .items
                .iter()
                .filter(|s| !matches!(s, RefOr::T(Schema::Object(o)) if o.schema_type == SchemaType::Type(Type::Null)))
                .cloned()
                .collect();
            if let [only] = not_null.as_slice() {
                content.schema = Some(only.clone());
            }
        }
    }
}

/// The `HEAD` of a `GET`: the same answers without their bodies, under an operation id of its own.
fn head_of(get: &Operation) -> Operation {
    let mut head = get.clone();
    head.operation_id = get.operation_id.as_ref().map(|id| format!("{id}Head"));
    head.summary = get.summary.as_ref().map(|s| format!("{s} (headers only)"));
    head.description =
        Some("The answer of the `GET`, status and headers, without its body.".to_owned());
    for response in head.responses.responses.values_mut() {
        if let RefOr::T(response) = response {
            response.content.clear();
        }
    }
    head
}
