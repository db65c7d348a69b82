//! Request extractors: the JSON body (with the adapter's own error answers), the authenticated
//! principal, and where the request came from.

mod auth;
mod client;
mod json;

pub use auth::Authenticated;
pub use client::{Client, request_ip};
pub use json::{Json, OptionalJson};

use crate::error::ApiError;
use crate::state::AppState;
use actix_web::HttpRequest;
use actix_web::web::Data;

/// The shared state; missing only if the app was assembled without it (a bug: 500).
fn state(req: &HttpRequest) -> Result<Data<AppState>, ApiError> {
    req.app_data::<Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::internal("application state is not registered"))
}
