//! `authd-guard`: another actix-web service verifies authd's access tokens itself, without a
//! call to authd per request (the `protect` and `restrictTo` of the CheckInn document).
//!
//! ```no_run
//! use actix_web::{App, HttpServer, web};
//! use authd_guard::{Guard, Principal, restrict_to};
//!
//! async fn bookings(who: Principal) -> String {
//!     format!("bookings of {}", who.user_id)
//! }
//!
//! # async fn run() -> std::io::Result<()> {
//! let guard = Guard::builder("https://auth.example.com")
//!     .issuer("authd")
//!     .audience("authd")
//!     .build()
//!     .map_err(std::io::Error::other)?;
//! HttpServer::new(move || {
//!     App::new()
//!         .app_data(guard.clone())
//!         .route("/bookings", web::get().to(bookings))
//!         .service(
//!             web::resource("/partner/reports")
//!                 .wrap(restrict_to(["HotelPartner", "Admin"]))
//!                 .route(web::get().to(bookings)),
//!         )
//! })
//! .bind(("127.0.0.1", 8080))?
//! .run()
//! .await
//! # }
//! ```
//!
//! What a token must be (docs/guard.md): signed by a key of authd's JWKS (RS256; HS256 only when
//! built with the shared secret), `typ` `at+jwt`, `iss` and `aud` the pinned ones, not expired,
//! with `sub`, `sid`, `jti`, `roles` and `permissions`. Optionally, each locally valid token is
//! also checked with authd's introspection endpoint, so that a logout takes effect at once.

mod body;
mod builder;
mod error;
mod introspection;
mod jwks;
mod principal;
mod require;
mod urls;
mod verify;

pub use builder::{
    DEFAULT_HTTP_TIMEOUT, DEFAULT_JWKS_MAX_AGE, DEFAULT_LEEWAY, DEFAULT_MAX_STALE,
    DEFAULT_MIN_REFRESH_INTERVAL, GuardBuilder, GuardConfigError, IntrospectionCredentials,
    MIN_REFRESH_FLOOR,
};
pub use error::{GuardError, Refused};
pub use principal::Principal;
pub use require::{Require, require_permission, restrict_to};
pub use verify::Guard;
