//! The refresh-token cookie, the remembered-device cookie, and the CSRF rule for requests the
//! refresh cookie authenticates.

use crate::dto::with_cookie;
use crate::error::ApiError;
use crate::settings::HttpSettings;
use actix_web::cookie::time::{Duration, OffsetDateTime};
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header::HeaderValue;
use actix_web::{HttpResponse, ResponseError};
use authd_domain::services::{IssuedTokens, RefreshError};

pub const REFRESH_COOKIE: &str = "refresh_token";
/// A remembered device's token: a login presenting it skips the second factor.
pub const DEVICE_COOKIE: &str = "mfa_device";
/// Only the `/v1/auth` endpoints need them (refresh and logout; login for the device); the
/// browser sends them nowhere else. The CheckInn dialect keeps its refresh cookie on its own
/// prefix.
pub const PATH: &str = "/v1/auth";

/// The cookie carrying `token` on `path`: with `Max-Age` when the login asked to be remembered,
/// a session cookie otherwise.
#[must_use]
pub fn refresh_cookie(
    token: &str,
    max_age_secs: Option<i64>,
    secure: bool,
    path: &'static str,
) -> Cookie<'static> {
    let mut cookie = Cookie::build(REFRESH_COOKIE, token.to_owned())
        .path(path)
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .finish();
    if let Some(secs) = max_age_secs {
        cookie.set_max_age(Duration::seconds(secs.max(0)));
    }
    cookie
}

/// The cookie for freshly issued tokens, if a refresh token was issued.
#[must_use]
pub fn issued_cookie(tokens: &IssuedTokens, secure: bool) -> Option<Cookie<'static>> {
    let token = tokens.refresh_token.as_ref()?;
    let max_age = tokens.remember_me.then_some(tokens.refresh_expires_in);
    Some(refresh_cookie(token.expose(), max_age, secure, PATH))
}

/// Tells the browser to drop the cookie of `path` (same name, path and attributes; expired).
#[must_use]
pub fn cleared_cookie(secure: bool, path: &'static str) -> Cookie<'static> {
    let mut cookie = refresh_cookie("", Some(0), secure, path);
    cookie.set_expires(OffsetDateTime::UNIX_EPOCH);
    cookie
}

/// The answer to a refresh of either dialect: on success `answer`'s response and cookie; for a
/// dead token its error with the cookie of `path` cleared, as the browser would otherwise
/// present it again and again.
///
/// # Errors
/// A storage failure; a cookie that cannot be encoded (a bug: 500).
pub fn refresh_answer(
    outcome: Result<IssuedTokens, RefreshError>,
    secure: bool,
    path: &'static str,
    answer: impl FnOnce(&IssuedTokens) -> (HttpResponse, Option<Cookie<'static>>),
) -> Result<HttpResponse, ApiError> {
    match outcome {
        Ok(tokens) => match answer(&tokens) {
            (res, Some(cookie)) => with_cookie(res, &cookie),
            (res, None) => Ok(res),
        },
        Err(e @ (RefreshError::InvalidRefreshToken | RefreshError::TokenRevoked)) => with_cookie(
            ApiError::from(e).error_response(),
            &cleared_cookie(secure, path),
        ),
        Err(e @ RefreshError::Infra(_)) => Err(e.into()),
    }
}

/// The `mfa_device` cookie carrying `token` for `max_age_secs`: the attributes of the refresh
/// cookie, so that it goes exactly where that one goes.
#[must_use]
pub fn device_cookie(token: &str, max_age_secs: i64, secure: bool) -> Cookie<'static> {
    let mut cookie = Cookie::build(DEVICE_COOKIE, token.to_owned())
        .path(PATH)
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .finish();
    cookie.set_max_age(Duration::seconds(max_age_secs.max(0)));
    cookie
}

/// Tells the browser to drop the `mfa_device` cookie.
#[must_use]
pub fn cleared_device_cookie(secure: bool) -> Cookie<'static> {
    let mut cookie = device_cookie("", 0, secure);
    cookie.set_expires(OffsetDateTime::UNIX_EPOCH);
    cookie
}

/// A cookie-authenticated request from a browser must come from an allowed origin. No `Origin`
/// header means a non-browser client (or a same-origin navigation), which a cross-site page
/// cannot forge the cookie for.
///
/// # Errors
/// `CSRF_FAILED` for any other origin, `null` included.
pub fn check_origin(origin: Option<&HeaderValue>, settings: &HttpSettings) -> Result<(), ApiError> {
    let Some(origin) = origin else {
        return Ok(());
    };
    match origin.to_str() {
        Ok(origin) if settings.is_origin_allowed(origin) => Ok(()),
        _ => Err(ApiError::CsrfFailed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remembered_refresh_cookie_is_strict_http_only_and_scoped_to_auth() {
        let c = refresh_cookie("tok", Some(604_800), true, PATH).to_string();
        assert!(c.starts_with("refresh_token=tok"), "{c}");
        for part in [
            "HttpOnly",
            "Secure",
            "SameSite=Strict",
            "Path=/v1/auth",
            "Max-Age=604800",
        ] {
            assert!(c.contains(part), "{part} missing in {c}");
        }
    }

    #[test]
    fn a_cookie_without_max_age_is_a_session_cookie() {
        let c = refresh_cookie("tok", None, false, PATH).to_string();
        assert!(!c.contains("Max-Age"), "{c}");
        assert!(!c.contains("Expires"), "{c}");
        assert!(!c.contains("Secure"), "{c}");
    }

    #[test]
    fn the_cleared_cookie_expires_at_once_on_the_same_path() {
        let c = cleared_cookie(false, PATH).to_string();
        assert!(c.starts_with("refresh_token=;"), "{c}");
        assert!(c.contains("Max-Age=0"), "{c}");
        assert!(c.contains("Path=/v1/auth"), "{c}");
    }

    #[test]
    fn issued_tokens_of_a_remembered_login_set_the_refresh_lifetime() {
        let tokens = IssuedTokens {
            access_token: "a".to_owned(),
            expires_in: 900,
            refresh_token: Some(authd_domain::token::RawToken::new("r".to_owned())),
            refresh_expires_in: 3600,
            remember_me: true,
        };
        let c = issued_cookie(&tokens, false).unwrap().to_string();
        assert!(c.contains("Max-Age=3600"), "{c}");
        let session = IssuedTokens {
            remember_me: false,
            ..tokens.clone()
        };
        let c = issued_cookie(&session, false).unwrap().to_string();
        assert!(!c.contains("Max-Age"), "{c}");
        let none = IssuedTokens {
            refresh_token: None,
            ..tokens
        };
        assert!(issued_cookie(&none, false).is_none());
    }

    #[test]
    fn the_device_cookie_is_strict_http_only_scoped_to_auth_and_clearable() {
        let c = device_cookie("dev", 2_592_000, true).to_string();
        assert!(c.starts_with("mfa_device=dev"), "{c}");
        for part in [
            "HttpOnly",
            "Secure",
            "SameSite=Strict",
            "Path=/v1/auth",
            "Max-Age=2592000",
        ] {
            assert!(c.contains(part), "{part} missing in {c}");
        }
        let cleared = cleared_device_cookie(false).to_string();
        assert!(cleared.starts_with("mfa_device=;"), "{cleared}");
        assert!(cleared.contains("Max-Age=0"), "{cleared}");
        assert!(cleared.contains("Path=/v1/auth"), "{cleared}");
    }

    #[test]
    fn only_allowed_origins_pass_the_csrf_check() {
        let settings = HttpSettings {
            public_url: "http://localhost:3000".to_owned(),
            allowed_origins: vec!["https://app.example".to_owned()],
            ..HttpSettings::default()
        };
        let check = |o: Option<&'static str>| {
            let value = o.map(HeaderValue::from_static);
            check_origin(value.as_ref(), &settings).map_err(|e| e.code())
        };
        assert_eq!(check(None), Ok(()));
        assert_eq!(check(Some("http://localhost:3000")), Ok(()));
        assert_eq!(check(Some("https://app.example")), Ok(()));
        assert_eq!(check(Some("https://evil.example")), Err("CSRF_FAILED"));
        assert_eq!(check(Some("null")), Err("CSRF_FAILED"));
    }
}
