//! CORS for the browser origins of `ALLOWED_ORIGINS`, with credentials (the refresh cookie).

use crate::middleware::request_id;
use crate::settings::HttpSettings;
use actix_cors::Cors;
use actix_web::http::header;
use std::sync::Arc;

pub fn cors(settings: Arc<HttpSettings>) -> Cors {
    Cors::default()
        .allowed_origin_fn(move |origin, _| {
            origin
                .to_str()
                .is_ok_and(|origin| settings.is_origin_allowed(origin))
        })
        .allowed_methods(["GET", "POST", "PUT", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::HeaderName::from_static(request_id::HEADER),
        ])
        .expose_headers([
            header::HeaderName::from_static(request_id::HEADER),
            header::RETRY_AFTER,
        ])
        .supports_credentials()
        .max_age(3600)
}
