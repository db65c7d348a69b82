//! `GET /.well-known/jwks.json`: the public keys that verify access tokens (empty with HS256).

use crate::state::AppState;
use actix_web::HttpResponse;
use actix_web::http::header::{CacheControl, CacheDirective};
use actix_web::web::Data;

/// The public keys that verify access tokens
///
/// Every RS256 key (`kid`, `n`, `e`); empty with HS256. Cached for 5 minutes.
#[utoipa::path(
    get, path = "/.well-known/jwks.json", tag = "operations", operation_id = "jwks",
    responses(
        (status = 200, description = "A JWK Set (RFC 7517)", body = Object,
            headers(("Cache-Control" = String, description = "`public, max-age=300`")),
            example = json!({"keys": [{
                "kty": "RSA", "use": "sig", "alg": "RS256", "kid": "2026-01",
                "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
                "e": "AQAB"
            }]})),
    ),
)]
pub async fn jwks(state: Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        // Short enough that a rotated-in key is picked up well before tokens signed with it expire.
        .insert_header(CacheControl(vec![
            CacheDirective::Public,
            CacheDirective::MaxAge(300),
        ]))
        .json(state.access_tokens.jwks())
}
