//! `POST /v1/auth/introspect` (RFC 7662): whether an access token is active right now, for the
//! resource servers that need revocation at once.
//!
//! The caller is a service, authenticated by `INTROSPECTION_TOKEN` (Bearer) or a client of
//! `INTROSPECTION_CLIENTS` (HTTP Basic); without either it learns nothing (401). The token
//! comes as `application/x-www-form-urlencoded` (the RFC's form) or as JSON. Whatever is wrong
//! with the token itself — malformed, foreign, expired, revoked, logged out — the answer is
//! `{"active": false}`, never an error: the RFC gives a resource server no more detail.

mod caller;
#[cfg(test)]
mod tests;

use crate::error::ApiError;
use crate::extractors::Json;
use crate::settings::IntrospectionCallers;
use crate::state::AppState;
use actix_web::error::UrlencodedError;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, WWW_AUTHENTICATE};
use actix_web::web::{self, Data};
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError};
use authd_domain::services::{Authenticate, AuthenticateError};
use authd_domain::token::AccessClaims;
use authd_domain::values::codes;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

/// `token=...` (form or JSON); other RFC 7662 parameters (`token_type_hint`) are ignored: only
/// access tokens are introspected.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(example = json!({"token": "eyJhbGciOiJSUzI1NiIsInR5cCI6ImF0K2p3dCJ9..."}))]
pub struct IntrospectRequest {
    /// The access token to look at; absent or blank: 400 `VALIDATION_ERROR` on `token`.
    #[schema(required, nullable = false, value_type = String)]
    token: Option<SecretString>,
}

/// Introspect a token
///
/// RFC 7662 for resource servers: `{"active": true, "sub", "sid", "jti", "iss", "aud", "exp",
/// "iat", "roles", "permissions", "token_type": "access_token"}` for a valid, unrevoked access
/// token, `{"active": false}` for anything else. The caller authenticates with
/// `Authorization: Bearer <INTROSPECTION_TOKEN>` or HTTP Basic credentials of
/// `INTROSPECTION_CLIENTS`. Served only when one of them is configured.
#[utoipa::path(
    post, path = "/v1/auth/introspect", tag = "auth", operation_id = "introspect",
    request_body(content(
        (IntrospectRequest = "application/x-www-form-urlencoded"),
        (IntrospectRequest = "application/json"),
    )),
    responses(
        (status = 200, description = "The token's state (`Cache-Control: no-store`)",
            example = json!({"active": true, "sub": "6d0f0a52-3c1e-4b8e-9a63-2f5f0c4d7e11",
                "sid": "0b1c...", "jti": "9f8e...", "iss": "authd", "aud": "authd",
                "exp": 1_701_430_200, "iat": 1_701_429_300, "roles": ["user"],
                "permissions": ["users.read"], "token_type": "access_token"})),
        (status = 400, description = "`VALIDATION_ERROR`: no `token`"),
        (status = 401, description = "`MISSING_AUTH_HEADER`, `INVALID_AUTH_FORMAT` or \
            `INVALID_TOKEN`: the caller is not a configured introspection client \
            (`WWW-Authenticate` names the schemes)"),
        (status = 503, description = "`SERVICE_UNAVAILABLE`: the revocation store is down"),
    )
)]
pub async fn introspect(
    state: Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let settings = &state.settings;
    let parts = Parts {
        callers: &settings.introspection,
        authenticate: &state.services.authenticate,
        max_body_bytes: settings.max_body_bytes,
        issuer: &settings.token_issuer,
        audience: &settings.token_audience,
    };
    respond(&req, payload.into_inner(), &parts).await
}

/// What the endpoint needs of the application.
pub(super) struct Parts<'a> {
    pub(super) callers: &'a IntrospectionCallers,
    pub(super) authenticate: &'a Authenticate,
    pub(super) max_body_bytes: usize,
    /// `JWT_ISSUER` and `JWT_AUDIENCE`: what every token this service issues carries.
    pub(super) issuer: &'a str,
    pub(super) audience: &'a str,
}

pub(super) async fn respond(
    req: &HttpRequest,
    payload: actix_web::dev::Payload,
    parts: &Parts<'_>,
) -> HttpResponse {
    let response = match answer(req, payload, parts).await {
        Ok(answer) => HttpResponse::Ok().json(answer),
        Err(e) => {
            // Through `ResponseError`, so that a 5xx's cause is logged as on every route.
            let mut response = e.error_response();
            if let Some(challenge) = caller::challenge(&e, parts.callers) {
                response.headers_mut().insert(WWW_AUTHENTICATE, challenge);
            }
            response
        }
    };
    no_store(response)
}

async fn answer(
    req: &HttpRequest,
    payload: actix_web::dev::Payload,
    parts: &Parts<'_>,
) -> Result<Value, ApiError> {
    caller::authenticate(req, parts.callers)?;
    let token = token_of(req, payload, parts.max_body_bytes)
        .await?
        .filter(|t| !t.expose_secret().trim().is_empty())
        .ok_or_else(|| ApiError::field("token", codes::REQUIRED, "token is required"))?;
    match parts.authenticate.authenticate(&token).await {
        Ok(claims) => Ok(active(&claims, parts)),
        Err(
            AuthenticateError::InvalidToken
            | AuthenticateError::TokenExpired
            | AuthenticateError::TokenRevoked,
        ) => Ok(json!({ "active": false })),
        Err(e @ AuthenticateError::Infra(_)) => Err(e.into()),
    }
}

/// The body's `token`, from a form or from JSON (the adapter's own JSON rules and errors).
async fn token_of(
    req: &HttpRequest,
    mut payload: actix_web::dev::Payload,
    limit: usize,
) -> Result<Option<SecretString>, ApiError> {
    let form = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !form {
        let Json(body) = Json::<IntrospectRequest>::from_request(req, &mut payload).await?;
        return Ok(body.token);
    }
    let body = web::UrlEncoded::<IntrospectRequest>::new(req, &mut payload)
        .limit(limit)
        .await
        .map_err(|e| match e {
            UrlencodedError::Overflow { .. } => ApiError::PayloadTooLarge { limit },
            UrlencodedError::ContentType => ApiError::UnsupportedMediaType,
            _ => ApiError::field("body", codes::INVALID_FORMAT, "Malformed form body"),
        })?;
    Ok(body.token)
}

/// RFC 7662 §2.2 for an active token. `iss` and `aud` are the configured ones: the token's
/// signature was just verified, and the codec accepts no other issuer or audience.
fn active(claims: &AccessClaims, parts: &Parts<'_>) -> Value {
    json!({
        "active": true,
        "sub": claims.user_id.as_uuid(),
        "sid": claims.session_id.as_uuid(),
        "jti": claims.token_id.as_uuid(),
        "iss": parts.issuer,
        "aud": parts.audience,
        "exp": claims.expires_at.timestamp(),
        "iat": claims.issued_at.timestamp(),
        "roles": claims.roles,
        "permissions": claims.permissions,
        "token_type": "access_token",
    })
}

/// Neither an answer about a token nor a refusal may be cached by anything in between.
fn no_store(mut response: HttpResponse) -> HttpResponse {
    response.headers_mut().insert(
        CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static("no-store"),
    );
    response
}
