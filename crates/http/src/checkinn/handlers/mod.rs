//! The CheckInn routes' handlers, by what they serve: signing in and out, the emailed links,
//! and the caller's own account.

pub(super) mod account;
pub(super) mod recovery;
pub(super) mod sign_in;

use crate::error::ApiError;
use actix_web::HttpResponse;

type Answer = Result<HttpResponse, ApiError>;
