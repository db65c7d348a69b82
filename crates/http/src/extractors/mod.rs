//! Request extractors: the JSON body (with the adapter's own error answers), the authenticated
//! principal, the refresh token presented, and who is calling.

mod admin;
mod auth;
mod caller;
mod device;
mod json;
mod refresh;

pub use admin::{Acting, AuditEventsQuery, PageQuery, TargetUser, UsersQuery};
pub use auth::{Authenticated, CallerPermissions, Verified, own_account, parse_bearer};
pub use caller::{CallerInfo, request_ip};
pub use device::DeviceCookie;
pub use json::{Json, OptionalJson};
pub use refresh::RefreshCredential;

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
