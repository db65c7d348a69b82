//! `Authenticated`: the claims of a valid, unrevoked bearer access token.

use super::state;
use crate::error::ApiError;
use actix_web::dev::Payload;
use actix_web::http::header::{AUTHORIZATION, HeaderValue};
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use authd_domain::token::AccessClaims;
use futures_util::future::{Either, LocalBoxFuture, Ready, ready};
use secrecy::SecretString;

#[derive(Debug, Clone)]
pub struct Authenticated(pub AccessClaims);

/// The caller of a route that takes either a bearer token or something else (MFA verify and
/// challenge also serve a login's `mfaToken`), so the route table declares it `Public` and the
/// handler checks the token itself: with the same `users.read` the table asks of the routes of
/// one's own account.
///
/// # Errors
/// The 401s of [`Authenticated`]; 403 `INSUFFICIENT_PERMISSIONS`.
pub async fn own_account(req: &HttpRequest) -> Result<AccessClaims, ApiError> {
    let Authenticated(claims) = Authenticated::from_request(req, &mut Payload::None).await?;
    let granted = state(req)?.settings.roles.permissions_of(&claims.roles);
    if granted.contains(authd_domain::authorization::Permission::UsersRead) {
        Ok(claims)
    } else {
        Err(ApiError::InsufficientPermissions)
    }
}

/// Claims the route's access check already verified (`middleware::access`), left on the request
/// for [`Authenticated`] so that a token is verified once per request.
#[derive(Debug)]
pub struct Verified(pub AccessClaims);

/// What an admin route's caller may do, read by the access check from the caller's stored
/// account (`Admin::authorize`), left on the request for [`super::Acting`].
#[derive(Debug, Clone, Copy)]
pub struct CallerPermissions(pub authd_domain::authorization::Permissions);

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future =
        Either<Ready<Result<Self, ApiError>>, LocalBoxFuture<'static, Result<Self, ApiError>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        if let Some(Verified(claims)) = req.extensions_mut().remove::<Verified>() {
            return Either::Left(ready(Ok(Self(claims))));
        }
        // A `Public` route that takes a token when one is sent (`/v1/auth/mfa/verify`).
        let token = parse_bearer(req.headers().get(AUTHORIZATION)).map(SecretString::from);
        let state = state(req);
        Either::Right(Box::pin(async move {
            let token = token?;
            let claims = state?.services.authenticate.authenticate(&token).await?;
            tracing::Span::current().record("user_id", tracing::field::display(claims.user_id));
            Ok(Self(claims))
        }))
    }
}

/// The token of `Authorization: Bearer <token>`, the scheme matched case-insensitively.
///
/// # Errors
/// `MISSING_AUTH_HEADER` without the header, `INVALID_AUTH_FORMAT` for anything else.
pub fn parse_bearer(header: Option<&HeaderValue>) -> Result<&str, ApiError> {
    let header = header.ok_or(ApiError::MissingAuthHeader)?;
    let value = header.to_str().map_err(|_| ApiError::InvalidAuthFormat)?;
    let (scheme, token) = value
        .trim()
        .split_once(' ')
        .ok_or(ApiError::InvalidAuthFormat)?;
    let token = token.trim_start();
    if !scheme.eq_ignore_ascii_case("bearer")
        || token.is_empty()
        || token.contains(char::is_whitespace)
    {
        return Err(ApiError::InvalidAuthFormat);
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> Result<String, &'static str> {
        let value = HeaderValue::from_str(raw).map_err(|_| "not a header value")?;
        parse_bearer(Some(&value))
            .map(str::to_owned)
            .map_err(|e| e.code())
    }

    #[test]
    fn a_bearer_token_is_read_whatever_the_case_of_the_scheme() {
        assert_eq!(parse("Bearer abc.def.ghi"), Ok("abc.def.ghi".to_owned()));
        assert_eq!(parse("bearer abc"), Ok("abc".to_owned()));
        assert_eq!(parse("BEARER abc"), Ok("abc".to_owned()));
    }

    #[test]
    fn a_missing_header_is_missing_auth_header() {
        assert_eq!(
            parse_bearer(None).map_err(|e| e.code()),
            Err("MISSING_AUTH_HEADER")
        );
    }

    #[test]
    fn other_schemes_and_malformed_values_are_invalid_auth_format() {
        for raw in [
            "Basic dXNlcjpwYXNz",
            "Bearer",
            "Bearer ",
            "abc",
            "Bearer a b",
            "",
        ] {
            assert_eq!(parse(raw), Err("INVALID_AUTH_FORMAT"), "{raw:?}");
        }
    }

    #[test]
    fn a_non_ascii_header_is_invalid_auth_format() {
        let value = HeaderValue::from_bytes(b"Bearer \xff\xfe").map_err(|_| ());
        let value = value.unwrap_or_else(|()| HeaderValue::from_static("x"));
        assert_eq!(
            parse_bearer(Some(&value)).map_err(|e| e.code()),
            Err("INVALID_AUTH_FORMAT")
        );
    }
}
