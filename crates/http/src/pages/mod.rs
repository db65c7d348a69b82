//! The built-in pages behind the links authd mails (`{APP_BASE_URL}/verify-email?token=…`,
//! `/reset-password?token=…`, `/unlock-account?token=…`), served when `APP_BASE_URL` is authd's
//! own URL and no frontend does it (`BUILTIN_PAGES`, see docs/pages.md).
//!
//! Each page is static HTML compiled into the binary; its script (`pages/pages.js`) reads the
//! token from the address and posts it to the `/v1/auth` route when the person presses the
//! button, never on load, so a mail scanner fetching the link spends nothing. No inline script or
//! style: the strict policy below holds. The handlers never read the query, so no query string can
//! make them fail.

use crate::middleware::rate_limit::Limit;
use crate::routes::Access;
use crate::routes::endpoint::{Endpoint, get};
use actix_web::HttpResponse;
use actix_web::http::header::{self, HeaderValue};

/// Only the page's own script and stylesheet; no `<base>` to redirect them, forms only to
/// itself, never inside a frame.
pub(crate) const PAGE_CSP: &str =
    "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The page's address carries the token: neither the page nor its assets may send it on.
pub(crate) const PAGE_REFERRER_POLICY: &str = "no-referrer";

/// Where the pages' assets are served; the pages load them by relative URLs (`pages/…`), so
/// that pages and assets stay together under any path prefix a proxy adds.
pub(crate) const SCRIPT_PATH: &str = "/pages/pages.js";
pub(crate) const STYLESHEET_PATH: &str = "/pages/pages.css";
/// The pages name their icon: without it the browser asks for `/favicon.ico`, a 404.
pub(crate) const ICON_PATH: &str = "/pages/favicon.svg";

const VERIFY_EMAIL: &str = include_str!("templates/verify-email.html");
const RESET_PASSWORD: &str = include_str!("templates/reset-password.html");
const UNLOCK_ACCOUNT: &str = include_str!("templates/unlock-account.html");
const SCRIPT: &str = include_str!("assets/pages.js");
const STYLESHEET: &str = include_str!("assets/pages.css");
const ICON: &str = include_str!("assets/favicon.svg");

/// The pages and their assets, for the route table: people's pages count against the general
/// limit like any request; their static assets are free, like the interactive docs' files.
pub(crate) fn endpoints() -> Vec<Endpoint> {
    use Access::Public;
    use Limit::{Exempt, General};
    vec![
        get("/verify-email", General, Public).to(verify_email, __path_verify_email),
        get("/reset-password", General, Public).to(reset_password, __path_reset_password),
        get("/unlock-account", General, Public).to(unlock_account, __path_unlock_account),
        get(SCRIPT_PATH, Exempt, Public).to(script, __path_script),
        get(STYLESHEET_PATH, Exempt, Public).to(stylesheet, __path_stylesheet),
        get(ICON_PATH, Exempt, Public).to(icon, __path_icon),
    ]
}

fn answer(content_type: &'static str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(PAGE_CSP),
        ))
        .insert_header((
            header::REFERRER_POLICY,
            HeaderValue::from_static(PAGE_REFERRER_POLICY),
        ))
        .body(body)
}

fn page(body: &'static str) -> HttpResponse {
    answer("text/html; charset=utf-8", body)
}

// The `#[utoipa::path]` attributes are what the route table asks of every handler; these
// routes are pages, not API, and never enter the OpenAPI document (`routes::documented`).

/// The page of the verification link: confirms the address when the person presses the button
#[utoipa::path(get, path = "/verify-email", tag = "pages", operation_id = "verifyEmailPage",
    responses((status = 200, description = "The page", content_type = "text/html", body = String)))]
pub async fn verify_email() -> HttpResponse {
    page(VERIFY_EMAIL)
}

/// The page of the reset link: a form that sets the new password
#[utoipa::path(get, path = "/reset-password", tag = "pages", operation_id = "resetPasswordPage",
    responses((status = 200, description = "The page", content_type = "text/html", body = String)))]
pub async fn reset_password() -> HttpResponse {
    page(RESET_PASSWORD)
}

/// The page of the unlock link: ends the lock when the person presses the button
#[utoipa::path(get, path = "/unlock-account", tag = "pages", operation_id = "unlockAccountPage",
    responses((status = 200, description = "The page", content_type = "text/html", body = String)))]
pub async fn unlock_account() -> HttpResponse {
    page(UNLOCK_ACCOUNT)
}

/// The pages' script
#[utoipa::path(get, path = "/pages/pages.js", tag = "pages", operation_id = "pagesScript",
    responses((status = 200, description = "The script", content_type = "text/javascript", body = String)))]
pub async fn script() -> HttpResponse {
    answer("text/javascript; charset=utf-8", SCRIPT)
}

/// The pages' stylesheet
#[utoipa::path(get, path = "/pages/pages.css", tag = "pages", operation_id = "pagesStylesheet",
    responses((status = 200, description = "The stylesheet", content_type = "text/css", body = String)))]
pub async fn stylesheet() -> HttpResponse {
    answer("text/css; charset=utf-8", STYLESHEET)
}

/// The pages' icon
#[utoipa::path(get, path = "/pages/favicon.svg", tag = "pages", operation_id = "pagesIcon",
    responses((status = 200, description = "The icon", content_type = "image/svg+xml", body = String)))]
pub async fn icon() -> HttpResponse {
    answer("image/svg+xml", ICON)
}

#[cfg(test)]
mod tests;
