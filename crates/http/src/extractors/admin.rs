//! What the administration routes and the activity route read from a request: the listing's
//! query (see `dto::query`), the account named in the path, and the acting administrator.

use super::{Authenticated, CallerInfo, state};
use crate::dto::query;
use crate::error::ApiError;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use authd_domain::directory::{AuditQuery, PageRequest, UserQuery};
use authd_domain::ids::UserId;
use authd_domain::services::Actor;
use authd_domain::values::codes::INVALID_FORMAT;
use futures_util::future::{LocalBoxFuture, Ready, ready};

/// The query of `GET /v1/admin/users`.
#[derive(Debug)]
pub struct UsersQuery(pub UserQuery);

/// The query of `GET /v1/admin/audit-events`.
#[derive(Debug)]
pub struct AuditEventsQuery(pub AuditQuery);

/// `?page&limit` of a listing with nothing else to filter.
#[derive(Debug)]
pub struct PageQuery(pub PageRequest);

macro_rules! from_query {
    ($($name:ident => $parse:path),*) => {$(
        impl FromRequest for $name {
            type Error = ApiError;
            type Future = Ready<Result<Self, ApiError>>;

            fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
                ready($parse(req.query_string()).map(Self))
            }
        }
    )*};
}
from_query!(UsersQuery => query::users, AuditEventsQuery => query::audit_events, PageQuery => query::page);

/// The `{userId}` segment of an admin route's path: a malformed one is a 400 on `userId`.
#[derive(Debug, Clone, Copy)]
pub struct TargetUser(pub UserId);

/// The name of the path segment, as the route table spells it.
pub const USER_ID_SEGMENT: &str = "userId";

impl FromRequest for TargetUser {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let id = req
            .match_info()
            .get(USER_ID_SEGMENT)
            .and_then(UserId::parse)
            .map(Self)
            .ok_or_else(|| ApiError::field(USER_ID_SEGMENT, INVALID_FORMAT, "userId must be a UUID"));
        ready(id)
    }
}

/// The administrator making the request: the verified token's account, what its roles grant
/// under the current configuration, and where the request came from.
#[derive(Debug, Clone)]
pub struct Acting(pub Actor);

impl FromRequest for Acting {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let principal = Authenticated::from_request(req, payload);
        let caller = CallerInfo::from_request(req, payload);
        let state = state(req);
        Box::pin(async move {
            let Authenticated(claims) = principal.await?;
            let CallerInfo(client) = caller.await?;
            let permissions = state?.settings.roles.permissions_of(&claims.roles);
            Ok(Self(Actor {
                id: claims.user_id,
                permissions,
                client,
            }))
        })
    }
}
