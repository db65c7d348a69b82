//! `DeviceCookie`: the remembered-device token of the `mfa_device` cookie, if any.

use crate::cookies::DEVICE_COOKIE;
use crate::error::ApiError;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::{Ready, ready};
use secrecy::SecretString;

/// No CSRF check: the cookie only spares a login its second factor, and the login still needs
/// the password in a JSON body, which a cross-site form cannot send.
#[derive(Debug)]
pub struct DeviceCookie(pub Option<SecretString>);

impl FromRequest for DeviceCookie {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = req
            .cookie(DEVICE_COOKIE)
            .filter(|c| !c.value().is_empty())
            .map(|c| SecretString::from(c.value()));
        ready(Ok(Self(token)))
    }
}
