//! One entry of the route table and how the table becomes actix resources.

use crate::error::ApiError;
use crate::metrics::RouteTemplate;
use crate::middleware::access::guarded;
use crate::middleware::rate_limit::{Limit, limited};
use actix_web::http::Method;
use actix_web::{FromRequest, Handler, HttpResponse, Responder, Route, guard, web};
use authd_domain::authorization::Permission;
use std::fmt;
use utoipa::openapi::path::{HttpMethod, Operation};
use utoipa::openapi::{RefOr, Schema};

/// Who may call an endpoint. Enforced from the table: every route but a `Public` one is wrapped
/// in the access check (`middleware::access`), which runs after the rate limit and before any
/// extractor, so no handler can forget it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Public,
    /// Any valid, unrevoked access token in `Authorization: Bearer`, whatever its roles grant
    /// (logging out must work for every account).
    Bearer,
    /// A valid token whose roles grant this permission under the current role configuration.
    Permission(Permission),
    /// `/v1/admin/*`: the client address inside `ADMIN_ALLOWED_IPS`, then a valid token whose
    /// roles grant this permission.
    Admin(Permission),
}

impl Access {
    /// Whether the route needs a bearer token at all.
    #[must_use]
    pub const fn needs_token(self) -> bool {
        !matches!(self, Self::Public)
    }

    /// The permission the caller's roles must grant, if any.
    #[must_use]
    pub const fn permission(self) -> Option<Permission> {
        match self {
            Self::Permission(p) | Self::Admin(p) => Some(p),
            Self::Public | Self::Bearer => None,
        }
    }

    /// Whether the client address must be inside `ADMIN_ALLOWED_IPS`.
    #[must_use]
    pub const fn admin_network(self) -> bool {
        matches!(self, Self::Admin(_))
    }
}

/// What the table says of one endpoint, without its handler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteSpec {
    pub method: Method,
    /// The actix path pattern (`{name}` for a segment).
    pub path: &'static str,
    pub limit: Limit,
    pub access: Access,
}

pub struct Endpoint {
    spec: RouteSpec,
    handler: Route,
    doc: Doc,
}

/// What the handler's `#[utoipa::path]` says of it: the `__path_<handler>` type the attribute
/// generates, kept as functions so that the table holds it beside the handler it documents.
#[derive(Clone, Copy)]
pub struct Doc {
    pub path: fn() -> String,
    pub methods: fn() -> Vec<HttpMethod>,
    pub operation: fn() -> Operation,
    /// The attribute's `tag`, which utoipa keeps apart from the operation.
    pub tags: fn() -> Vec<&'static str>,
    /// Adds the schemas the operation refers to.
    pub schemas: fn(&mut Vec<(String, RefOr<Schema>)>),
}

/// The start of a table entry; `.to(handler)` completes it.
pub fn endpoint(method: Method, path: &'static str, limit: Limit, access: Access) -> Spec {
    Spec(RouteSpec {
        method,
        path,
        limit,
        access,
    })
}

pub fn get(path: &'static str, limit: Limit, access: Access) -> Spec {
    endpoint(Method::GET, path, limit, access)
}

pub fn post(path: &'static str, limit: Limit, access: Access) -> Spec {
    endpoint(Method::POST, path, limit, access)
}

pub fn put(path: &'static str, limit: Limit, access: Access) -> Spec {
    endpoint(Method::PUT, path, limit, access)
}

pub fn delete(path: &'static str, limit: Limit, access: Access) -> Spec {
    endpoint(Method::DELETE, path, limit, access)
}

pub fn patch(path: &'static str, limit: Limit, access: Access) -> Spec {
    endpoint(Method::PATCH, path, limit, access)
}

/// Whose contract a path follows, hence how its answers are worded: the Perfect21 envelope, or
/// the CheckInn one under `/api/auth`. Left as app data on each resource and scope, where the
/// outermost middleware reads it back (the raw path could be spelled otherwise).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Perfect21,
    CheckInn,
}

impl Dialect {
    #[must_use]
    pub fn of(path: &str) -> Self {
        if crate::checkinn::serves(path) {
            Self::CheckInn
        } else {
            Self::Perfect21
        }
    }
}

impl Endpoint {
    pub fn spec(&self) -> RouteSpec {
        self.spec.clone()
    }

    pub fn doc(&self) -> Doc {
        self.doc
    }

    #[cfg(test)]
    pub fn with_handler(self, handler: Route) -> Self {
        Self { handler, ..self }
    }

    /// The entry served to anyone: for the tests of other middleware, whose stub handlers need
    /// no credentials.
    #[cfg(test)]
    pub fn unguarded(mut self) -> Self {
        self.spec.access = Access::Public;
        self
    }

    /// The methods the route answers: a `GET` answers `HEAD` too (RFC 9110 9.3.2), with the
    /// status and headers of the `GET`; actix's HTTP/1 encoder drops the body of an answer to
    /// `HEAD` but keeps its `Content-Length`.
    fn methods(&self) -> Vec<Method> {
        if self.spec.method == Method::GET {
            vec![Method::GET, Method::HEAD]
        } else {
            vec![self.spec.method.clone()]
        }
    }

    /// The actix route: the method guard, then the limit, then the access check, then the
    /// handler. A `HEAD` runs the very route of its `GET`, so it counts against the same limit
    /// and needs the same access.
    fn into_route(self) -> Route {
        let route = if self.spec.method == Method::GET {
            self.handler
                .guard(guard::Any(guard::Get()).or(guard::Head()))
        } else {
            self.handler.method(self.spec.method)
        };
        guarded(route, self.spec.limit, self.spec.access)
    }
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.spec.fmt(f)
    }
}

/// An endpoint still waiting for its handler.
#[derive(Debug)]
pub struct Spec(RouteSpec);

impl Spec {
    /// Completes the entry with its handler and the handler's documentation (`__path_<handler>`,
    /// which `#[utoipa::path]` generates): an endpoint cannot be added without a document.
    pub fn to<F, Args, D>(self, handler: F, _doc: D) -> Endpoint
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
        D: utoipa::Path + utoipa::__dev::SchemaReferences + utoipa::__dev::Tags<'static>,
    {
        Endpoint {
            spec: self.0,
            handler: web::route().to(handler),
            doc: Doc {
                path: D::path,
                methods: D::methods,
                operation: D::operation,
                tags: <D as utoipa::__dev::Tags<'static>>::tags,
                schemas: <D as utoipa::__dev::SchemaReferences>::schemas,
            },
        }
    }
}

/// One actix resource per path, holding the routes of its methods. A wrong method is 405 and an
/// unknown path 404. Both count against `general` where a scanner probes the API: a 405 on a path
/// with a limited route, and a 404 under one of `api_prefixes` (scopes the router matches after
/// decoding, like any route, so `/%761/nope` counts too). Elsewhere a 404 is free, as are the
/// health and JWKS routes orchestrators poll.
pub fn register(
    cfg: &mut web::ServiceConfig,
    api_prefixes: &[&'static str],
    endpoints: Vec<Endpoint>,
) {
    let mut paths: Vec<(&'static str, Vec<Endpoint>)> = Vec::new();
    for endpoint in endpoints {
        match paths
            .iter_mut()
            .find(|(path, _)| *path == endpoint.spec.path)
        {
            Some((_, same_path)) => same_path.push(endpoint),
            None => paths.push((endpoint.spec.path, vec![endpoint])),
        }
    }
    for (path, endpoints) in paths {
        let allow: Vec<String> = endpoints
            .iter()
            .flat_map(Endpoint::methods)
            .map(|m| m.to_string())
            .collect();
        let allow = allow.join(", ");
        let limited_path = endpoints.iter().any(|e| e.spec.limit != Limit::Exempt);
        // Read back by the envelope middleware to count the request under its template.
        let mut resource = web::resource(path)
            .app_data(RouteTemplate(path))
            .app_data(Dialect::of(path));
        for endpoint in endpoints {
            resource = resource.route(endpoint.into_route());
        }
        let wrong_method = web::to(move || {
            let allow = allow.clone();
            async move { Err::<HttpResponse, _>(ApiError::MethodNotAllowed { allow: Some(allow) }) }
        });
        let limit = if limited_path {
            Limit::General
        } else {
            Limit::Exempt
        };
        cfg.service(resource.default_service(limited(wrong_method, limit)));
    }
    // After every resource: the router tries services in the order they were registered.
    for &prefix in api_prefixes {
        cfg.service(
            web::scope(prefix)
                .app_data(Dialect::of(prefix))
                .default_service(limited(web::to(not_found), Limit::General)),
        );
    }
    cfg.default_service(web::to(not_found));
}

async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound("Resource not found"))
}
