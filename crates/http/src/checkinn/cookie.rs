//! The CheckInn refresh cookie: `refresh_token` as on `/v1`, but on the dialect's own path and
//! for `JWT_COOKIE_EXPIRES_IN` days, whatever the session's own lifetime (the document's rule).

use super::PREFIX;
use crate::cookies::REFRESH_COOKIE;
use crate::dto::with_cookie;
use crate::error::ApiError;
use crate::settings::HttpSettings;
use actix_web::HttpResponse;
use actix_web::cookie::time::{Duration, OffsetDateTime};
use actix_web::cookie::{Cookie, SameSite};

fn cookie(token: &str, max_age_secs: i64, secure: bool) -> Cookie<'static> {
    Cookie::build(REFRESH_COOKIE, token.to_owned())
        .path(PREFIX)
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .max_age(Duration::seconds(max_age_secs.max(0)))
        .finish()
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
    let max_age = settings.checkinn_cookie_max_age.num_seconds();
    with_cookie(res, &cookie(token, max_age, settings.cookie_secure))
}

/// `res` telling the browser to drop the cookie.
///
/// # Errors
/// Only if the cookie cannot be encoded as a header (a bug: 500).
pub(super) fn cleared(
    res: HttpResponse,
    settings: &HttpSettings,
) -> Result<HttpResponse, ApiError> {
    let mut gone = cookie("", 0, settings.cookie_secure);
    gone.set_expires(OffsetDateTime::UNIX_EPOCH);
    with_cookie(res, &gone)
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
