//! `restrict_to` and `require_permission`: actix-web middleware that lets a request through
//! only with a valid token whose principal has one of the roles, or the permission (the
//! `restrictTo` of the CheckInn document). No token: 401; the wrong principal: 403
//! `INSUFFICIENT_PERMISSIONS`; both in authd's envelope. The principal is left on the request,
//! so a [`Principal`] argument of the handler, or another of these middleware nested inside,
//! does not verify the token again.

use crate::error::{GuardError, Refused};
use crate::principal::{Principal, principal_of};
use actix_web::body::EitherBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::{Error, HttpMessage, ResponseError};
use futures_util::future::{LocalBoxFuture, Ready, ready};
use std::rc::Rc;
use std::sync::Arc;

/// What a route requires of its principal.
#[derive(Debug, Clone)]
enum Requirement {
    AnyRole(Arc<[String]>),
    Permission(Arc<str>),
}

impl Requirement {
    fn admits(&self, principal: &Principal) -> bool {
        match self {
            Self::AnyRole(roles) => roles.iter().any(|r| principal.has_role(r)),
            Self::Permission(permission) => principal.has_permission(permission),
        }
    }
}

/// The middleware of [`restrict_to`] and [`require_permission`]; `.wrap()` it around a
/// resource, a scope or an app.
#[derive(Debug, Clone)]
pub struct Require {
    requirement: Requirement,
}

/// Only principals with at least one of `roles`.
pub fn restrict_to<I, S>(roles: I) -> Require
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    Require {
        requirement: Requirement::AnyRole(roles.into_iter().map(Into::into).collect()),
    }
}

/// Only principals whose token grants `permission` (e.g. `admin.users.read`).
pub fn require_permission(permission: impl Into<String>) -> Require {
    Require {
        requirement: Requirement::Permission(Arc::from(permission.into())),
    }
}

impl<S, B> Transform<S, ServiceRequest> for Require
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = RequireMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(RequireMiddleware {
            service: Rc::new(service),
            requirement: self.requirement.clone(),
        }))
    }
}

#[derive(Debug)]
pub struct RequireMiddleware<S> {
    service: Rc<S>,
    requirement: Requirement,
}

impl<S, B> Service<ServiceRequest> for RequireMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let service = self.service.clone();
        let requirement = self.requirement.clone();
        Box::pin(async move {
            match admitted(&req, &requirement).await {
                Ok(principal) => {
                    req.extensions_mut().insert(principal);
                    Ok(service.call(req).await?.map_into_left_body())
                }
                Err(refused) => {
                    let response = Refused::to(req.request(), refused).error_response();
                    Ok(req.into_response(response).map_into_right_body())
                }
            }
        })
    }
}

async fn admitted(
    req: &ServiceRequest,
    requirement: &Requirement,
) -> Result<Principal, GuardError> {
    let known = req.extensions().get::<Principal>().cloned();
    let principal = match known {
        Some(principal) => principal,
        None => principal_of(req.request()).await?,
    };
    if requirement.admits(&principal) {
        Ok(principal)
    } else {
        Err(GuardError::InsufficientPermissions)
    }
}
