//! `GET /.well-known/jwks.json`: the public keys that verify access tokens (empty with HS256).

use crate::state::AppState;
use actix_web::HttpResponse;
use actix_web::http::header::{CacheControl, CacheDirective};
use actix_web::web::Data;

pub async fn jwks(state: Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        // Short enough that a rotated-in key is picked up well before tokens signed with it expire.
        .insert_header(CacheControl(vec![
            CacheDirective::Public,
            CacheDirective::MaxAge(300),
        ]))
        .json(state.access_tokens.jwks())
}
