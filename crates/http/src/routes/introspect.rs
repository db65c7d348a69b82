//! `POST /v1/auth/introspect` (RFC 7662): whether an access token is active right now, for the
//! resource servers that need revocation at once.

use crate::error::ApiError;
use actix_web::HttpResponse;

/// Introspect a token
#[utoipa::path(
    post, path = "/v1/auth/introspect", tag = "auth", operation_id = "introspect",
    responses((status = 200, description = "The token's state"))
)]
pub async fn introspect() -> Result<HttpResponse, ApiError> {
    todo!("issue 16")
}
