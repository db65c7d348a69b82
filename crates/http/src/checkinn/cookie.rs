//! The CheckInn refresh cookie: `refresh_token` as on `/v1`, but on the dialect's own path and
//! for `JWT_COOKIE_EXPIRES_IN` days, whatever the session's own lifetime (the document's rule).

use super::PREFIX;
use crate::cookies::{cleared_cookie, refresh_cookie};
use crate::dto::with_cookie;
use crate::error::ApiError;
use crate::settings::HttpSettings;
use actix_web::HttpResponse;
use actix_web::cookie::Cookie;

/// The cookie carrying `token`.
pub(super) fn of(token: &str, settings: &HttpSettings) -> Cookie<'static> {
    let max_age = settings.checkinn_cookie_max_age.num_seconds();
    refresh_cookie(token, Some(max_age), settings.cookie_secure, PREFIX)
}

/// `res` setting the cookie to `token`.
///
/// # Errors
/// Only if the cookie cannot be encoded as a header (a bug: 500).
pub(super) fn set(
    res: HttpResponse,
    token: &str,
    settings: &HttpSettings,
) -> Result<HttpResponse, ApiError> {
    with_cookie(res, &of(token, settings))
}

/// `res` telling the browser to drop the cookie.
///
/// # Errors
/// Only if the cookie cannot be encoded as a header (a bug: 500).
pub(super) fn cleared(
    res: HttpResponse,
    settings: &HttpSettings,
) -> Result<HttpResponse, ApiError> {
    with_cookie(res, &cleared_cookie(settings.cookie_secure, PREFIX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set_cookie(res: &HttpResponse) -> String {
        res.headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    }

    #[test]
    fn the_cookie_lives_jwt_cookie_expires_in_on_the_dialects_path() {
        let settings = HttpSettings {
            cookie_secure: true,
            checkinn_cookie_max_age: chrono::Duration::days(3),
            ..HttpSettings::default()
        };
        let res = set(HttpResponse::Ok().finish(), "tok", &settings).unwrap();
        let c = set_cookie(&res);
        assert!(c.starts_with("refresh_token=tok"), "{c}");
        for part in [
            "HttpOnly",
            "Secure",
            "SameSite=Strict",
            "Path=/api/auth",
            "Max-Age=259200",
        ] {
            assert!(c.contains(part), "{part} missing in {c}");
        }
    }

    #[test]
    fn without_cookie_secure_it_is_not_secure_and_clearing_expires_it() {
        let settings = HttpSettings::default();
        let c = set_cookie(&set(HttpResponse::Ok().finish(), "tok", &settings).unwrap());
        assert!(!c.contains("Secure"), "{c}");
        assert!(c.contains("Max-Age=604800"), "{c}");
        let c = set_cookie(&cleared(HttpResponse::Ok().finish(), &settings).unwrap());
        assert!(c.starts_with("refresh_token=;"), "{c}");
        assert!(
            c.contains("Max-Age=0") && c.contains("Path=/api/auth"),
            "{c}"
        );
    }
}
