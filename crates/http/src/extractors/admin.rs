//! What the administration routes and the activity route read from a request: the listing's
//! query (see `dto::query`), the account named in the path, and the acting administrator.

use super::{Authenticated, CallerInfo, CallerPermissions, state};
use crate::dto::query;
use crate::error::ApiError;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
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
            .ok_or_else(|| {
                ApiError::field(USER_ID_SEGMENT, INVALID_FORMAT, "userId must be a UUID")
            });
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
        let stored = req.extensions().get::<CallerPermissions>().copied();
        Box::pin(async move {
            let Authenticated(claims) = principal.await?;
            let CallerInfo(client) = caller.await?;
            let permissions = match stored {
                Some(CallerPermissions(permissions)) => permissions,
                None => state?.settings.roles.permissions_of(&claims.roles),
            };
            Ok(Self(Actor {
                id: claims.user_id,
                permissions,
                client,
            }))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::middleware::envelope;
    use actix_web::middleware::from_fn;
    use actix_web::test::{TestRequest, call_service, init_service, read_body_json};
    use actix_web::{App, HttpResponse, web};

    /// What the extractors answer over HTTP, in the envelope, before any service is called.
    async fn answer(uri: &str) -> (u16, serde_json::Value) {
        let app = init_service(
            App::new()
                .route(
                    "/users",
                    web::get().to(|q: UsersQuery| async move {
                        HttpResponse::Ok().json(serde_json::json!({"limit": q.0.page.limit()}))
                    }),
                )
                .route(
                    "/events",
                    web::get().to(|_: AuditEventsQuery| async { HttpResponse::Ok().finish() }),
                )
                .route(
                    "/users/{userId}",
                    web::get().to(|t: TargetUser| async move {
                        HttpResponse::Ok().json(serde_json::json!({"id": t.0}))
                    }),
                )
                .wrap(from_fn(envelope)),
        )
        .await;
        let res = call_service(&app, TestRequest::get().uri(uri).to_request()).await;
        let status = res.status().as_u16();
        (status, read_body_json(res).await)
    }

    #[actix_web::test]
    async fn garbage_in_the_query_is_a_400_envelope_naming_each_parameter() {
        let (status, body) = answer("/users?page=abc&limit=101&search=%FF&sort=x&sort=y").await;
        assert_eq!(status, 400);
        assert_eq!(body["error"]["code"], "VALIDATION_ERROR");
        let fields: Vec<&str> = body["error"]["details"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["field"].as_str().unwrap())
            .collect();
        // In the order the listing documents its parameters.
        assert_eq!(fields, ["page", "limit", "search", "sort"]);
        let (status, body) =
            answer("/events?from=2023-12-02T00:00:00Z&to=2023-12-01T00:00:00Z").await;
        assert_eq!(status, 400);
        assert_eq!(body["error"]["details"][0]["field"], "from");
        assert_eq!(
            answer("/users?limit=7").await,
            (200, serde_json::json!({"limit": 7}))
        );
    }

    #[actix_web::test]
    async fn a_malformed_user_id_in_the_path_is_a_400_on_user_id() {
        for id in [
            "42",
            "not-a-uuid",
            "%FF%FE",
            "123e4567-e89b-12d3-a456-42661417400g",
        ] {
            let (status, body) = answer(&format!("/users/{id}")).await;
            assert_eq!(status, 400, "{id}");
            assert_eq!(body["error"]["details"][0]["field"], "userId", "{id}");
        }
        let id = "123e4567-e89b-12d3-a456-426614174000";
        assert_eq!(
            answer(&format!("/users/{id}")).await,
            (200, serde_json::json!({"id": id}))
        );
    }
}
