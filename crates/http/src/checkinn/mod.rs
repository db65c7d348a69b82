//! The CheckInn dialect: the routes of the CheckInn document under `/api/auth/*`, with its
//! bodies, envelopes and cookie, over the same domain services as `/v1` (one account store,
//! one lockout, one audit trail). It decides nothing: it maps.
//!
//! - `handlers`: one per route, each extracting, calling one service and mapping;
//! - `requests` / `responses`: the document's field names, and the form checks of its bodies
//!   (`name`, `passwordConfirm`);
//! - `envelope`: `{success: false, message, code, errors?}`, written by the outermost
//!   middleware for every error of a CheckInn route, whichever layer refused it;
//! - `cookie`: its refresh cookie, on `/api/auth`.

mod cookie;
pub(crate) mod envelope;
mod handlers;
mod requests;
mod responses;

#[cfg(test)]
mod tests;

use crate::middleware::rate_limit::Limit;
use crate::routes::Access;
use crate::routes::endpoint::{Endpoint, delete, get, patch, post};
use authd_domain::authorization::Permission;
use handlers::{account, recovery, sign_in};

/// Where the dialect is served.
pub(crate) const PREFIX: &str = "/api/auth";

/// Whether `path` (a route template or a request's path) is under [`PREFIX`].
#[must_use]
pub(crate) fn serves(path: &str) -> bool {
    path.strip_prefix(PREFIX)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Every route of the dialect, in the order the CheckInn document lists them. The same limits
/// and access as their `/v1` counterparts.
pub(crate) fn endpoints() -> Vec<Endpoint> {
    use Access::{Bearer, Public};
    use Limit::{General, Login, PasswordReset, Register};
    let own = Access::Permission(Permission::UsersRead);
    vec![
        post("/api/auth/register", Register, Public)
            .to(sign_in::register, sign_in::__path_register),
        post("/api/auth/login", Login, Public).to(sign_in::login, sign_in::__path_login),
        post("/api/auth/forgot-password", PasswordReset, Public)
            .to(recovery::forgot_password, recovery::__path_forgot_password),
        patch("/api/auth/reset-password/{token}", PasswordReset, Public)
            .to(recovery::reset_password, recovery::__path_reset_password),
        post("/api/auth/verify-email", General, Public)
            .to(recovery::verify_email, recovery::__path_verify_email),
        post("/api/auth/resend-verification", General, Public).to(
            recovery::resend_verification,
            recovery::__path_resend_verification,
        ),
        // Authenticated by the refresh token (body or cookie), not by a bearer token.
        post("/api/auth/refresh-token", General, Public)
            .to(sign_in::refresh_token, sign_in::__path_refresh_token),
        get("/api/auth/me", General, own).to(account::me, account::__path_me),
        patch("/api/auth/update-me", General, own)
            .to(account::update_me, account::__path_update_me),
        patch("/api/auth/update-password", General, own)
            .to(account::update_password, account::__path_update_password),
        post("/api/auth/logout", General, Bearer).to(sign_in::logout, sign_in::__path_logout),
        delete("/api/auth/delete-me", General, own)
            .to(account::delete_me, account::__path_delete_me),
    ]
}
