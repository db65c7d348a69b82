//! [`Principal`]: the signed-in user of a request, as an actix-web extractor (`protect`).

use crate::error::{GuardError, Refused};
use crate::verify::Guard;
use actix_web::dev::Payload;
use actix_web::http::header::{AUTHORIZATION, HeaderValue};
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use chrono::{DateTime, Utc};
use futures_util::future::LocalBoxFuture;
use uuid::Uuid;

/// Who a valid access token belongs to. As a handler argument, it answers 401 in authd's
/// envelope for a request without a valid token (the extractor's error, [`Refused`], is the
/// [`GuardError`] with the request's id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// `sub`.
    pub user_id: Uuid,
    /// `sid`: the authd session the token belongs to.
    pub session_id: Uuid,
    /// The roles of the account when the token was signed.
    pub roles: Vec<String>,
    /// What those roles granted then (authd's `ROLE_PERMISSIONS`).
    pub permissions: Vec<String>,
    /// `jti`.
    pub token_id: Uuid,
    /// `exp`.
    pub expires_at: DateTime<Utc>,
}

impl Principal {
    #[must_use]
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }

    #[must_use]
    pub fn has_permission(&self, permission: &str) -> bool {
        self.permissions.iter().any(|p| p == permission)
    }
}

impl FromRequest for Principal {
    type Error = Refused;
    type Future = LocalBoxFuture<'static, Result<Self, Refused>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        // Left by `restrict_to` / `require_permission`: verified once per request.
        let known = req.extensions().get::<Self>().cloned();
        let req = req.clone();
        Box::pin(async move {
            if let Some(principal) = known {
                return Ok(principal);
            }
            principal_of(&req).await.map_err(|e| Refused::to(&req, e))
        })
    }
}

/// The principal of `req`'s bearer token, verified by the app's guard.
pub(crate) async fn principal_of(req: &HttpRequest) -> Result<Principal, GuardError> {
    let token = bearer(req.headers().get(AUTHORIZATION))?.to_owned();
    let guard = guard_of(req).ok_or(GuardError::Unavailable)?;
    guard.verify(&token).await
}

/// The guard the app registered, as `app_data(guard)` or `app_data(web::Data::new(guard))`.
pub(crate) fn guard_of(req: &HttpRequest) -> Option<Guard> {
    let guard = req.app_data::<Guard>().cloned().or_else(|| {
        req.app_data::<web::Data<Guard>>()
            .map(|g| g.get_ref().clone())
    });
    if guard.is_none() {
        tracing::error!("authd-guard: no Guard registered with App::app_data; refusing");
    }
    guard
}

/// The token of `Authorization: Bearer <token>`, the scheme matched case-insensitively.
pub(crate) fn bearer(header: Option<&HeaderValue>) -> Result<&str, GuardError> {
    let value = header
        .ok_or(GuardError::MissingAuthHeader)?
        .to_str()
        .map_err(|_| GuardError::InvalidAuthFormat)?;
    let (scheme, token) = value
        .trim()
        .split_once(' ')
        .ok_or(GuardError::InvalidAuthFormat)?;
    let token = token.trim_start();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() || token.contains(' ') {
        return Err(GuardError::InvalidAuthFormat);
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &'static str) -> Result<&'static str, GuardError> {
        let value = HeaderValue::from_static(raw);
        bearer(Some(&value)).map(|t| if t == "abc" { "abc" } else { "other" })
    }

    #[test]
    fn the_bearer_scheme_is_read_whatever_its_case() {
        assert_eq!(parse("Bearer abc"), Ok("abc"));
        assert_eq!(parse("bearer abc"), Ok("abc"));
        assert_eq!(bearer(None), Err(GuardError::MissingAuthHeader));
        for raw in ["Basic abc", "Bearer", "Bearer ", "abc", "Bearer a b"] {
            assert_eq!(parse(raw), Err(GuardError::InvalidAuthFormat), "{raw}");
        }
    }
}
