//! `RefreshCredential`: the refresh token a request presents, from the body or else from the
//! cookie. Only the cookie is subject to the CSRF origin check: a cross-site page can make the
//! browser send the cookie, but cannot read the token to put it in a body.

use super::json::OptionalJson;
use super::state;
use crate::cookies::{self, REFRESH_COOKIE};
use crate::dto::requests::RefreshRequest;
use crate::error::ApiError;
use actix_web::dev::Payload;
use actix_web::http::header::ORIGIN;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use secrecy::SecretString;

#[derive(Debug)]
pub struct RefreshCredential {
    pub token: SecretString,
    /// Whether the token came from the HttpOnly cookie (else from the body): its successor
    /// then belongs in the cookie alone, out of scripts' reach.
    pub from_cookie: bool,
}

impl FromRequest for RefreshCredential {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = OptionalJson::<RefreshRequest>::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            if let Some(token) = body.await?.0.into_token() {
                return Ok(Self {
                    token,
                    from_cookie: false,
                });
            }
            let cookie = req
                .cookie(REFRESH_COOKIE)
                .filter(|c| !c.value().is_empty())
                .ok_or(ApiError::MissingRefreshToken)?;
            cookies::check_origin(req.headers().get(ORIGIN), &state(&req)?.settings)?;
            Ok(Self {
                token: SecretString::from(cookie.value()),
                from_cookie: true,
            })
        })
    }
}
