//! The route table. Each path answers its own methods; any other method on a known path is 405
//! with `Allow`, and an unknown path is 404, both in the envelope.

mod auth;
mod health;
mod users;
mod well_known;

use crate::error::ApiError;
use actix_web::{HttpResponse, Resource, web};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/v1/auth/register", "POST").route(web::post().to(auth::register)))
        .service(
            resource("/v1/auth/verify-email", "POST").route(web::post().to(auth::verify_email)),
        )
        .service(
            resource("/v1/auth/resend-verification", "POST")
                .route(web::post().to(auth::resend_verification)),
        )
        .service(resource("/v1/auth/login", "POST").route(web::post().to(auth::login)))
        .service(resource("/v1/auth/refresh", "POST").route(web::post().to(auth::refresh)))
        .service(resource("/v1/auth/logout", "POST").route(web::post().to(auth::logout)))
        .service(
            resource("/v1/auth/forgot-password", "POST")
                .route(web::post().to(auth::forgot_password)),
        )
        .service(
            resource("/v1/auth/reset-password", "POST").route(web::post().to(auth::reset_password)),
        )
        .service(
            resource("/v1/auth/change-password", "PUT").route(web::put().to(auth::change_password)),
        )
        .service(
            resource("/v1/users/me", "GET, PUT, DELETE")
                .route(web::get().to(users::get_me))
                .route(web::put().to(users::update_me))
                .route(web::delete().to(users::deactivate_me)),
        )
        .service(resource("/v1/users/me/sessions", "GET").route(web::get().to(users::sessions)))
        .service(
            resource("/v1/users/me/sessions/{session_id}", "DELETE")
                .route(web::delete().to(users::revoke_session)),
        )
        .service(resource("/.well-known/jwks.json", "GET").route(web::get().to(well_known::jwks)))
        .service(resource("/v1/health", "GET").route(web::get().to(health::health)))
        .service(resource("/health/live", "GET").route(web::get().to(health::live)))
        .service(resource("/health/ready", "GET").route(web::get().to(health::ready)));
}

/// A path whose other methods answer 405 listing `allow`.
fn resource(path: &str, allow: &'static str) -> Resource {
    web::resource(path).default_service(web::to(move || async move {
        Err::<HttpResponse, _>(ApiError::MethodNotAllowed { allow: Some(allow) })
    }))
}

/// The app's default service.
pub async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound("Resource not found"))
}
