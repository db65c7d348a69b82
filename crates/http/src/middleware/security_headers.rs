//! The seven security headers of the Perfect21 document, on every response (errors included),
//! and `Cache-Control: no-store` on every response that does not choose its own caching: answers
//! carry tokens, TOTP secrets and backup codes, which no browser or proxy cache may keep
//! (RFC 6749 §5.1 asks the same of token answers).

use actix_web::http::header::{CACHE_CONTROL, HeaderMap, HeaderName, HeaderValue};

const HEADERS: [(&str, &str); 7] = [
    (
        "strict-transport-security",
        "max-age=31536000; includeSubDomains",
    ),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("x-xss-protection", "1; mode=block"),
    ("content-security-policy", "default-src 'self'"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
    (
        "permissions-policy",
        "camera=(), microphone=(), geolocation=()",
    ),
];

/// What a route may choose for itself: the interactive docs relax the policy for their own
/// files; the built-in pages tighten both (their address carries a token).
const ROUTE_MAY_CHOOSE: [&str; 2] = ["content-security-policy", "referrer-policy"];

/// Sets every header, but those of [`ROUTE_MAY_CHOOSE`] a route already chose, and
/// `Cache-Control: no-store` unless the route chose its own (the JWKS is public and cacheable).
pub fn apply(headers: &mut HeaderMap) {
    if !headers.contains_key(CACHE_CONTROL) {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    for (name, value) in HEADERS {
        if ROUTE_MAY_CHOOSE.contains(&name) && headers.contains_key(name) {
            continue;
        }
        headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_header_is_set() {
        let mut headers = HeaderMap::new();
        apply(&mut headers);
        assert_eq!(headers.len(), 8);
        assert_eq!(
            headers.get("cache-control").and_then(|v| v.to_str().ok()),
            Some("no-store")
        );
        assert_eq!(
            headers.get("x-frame-options").and_then(|v| v.to_str().ok()),
            Some("DENY")
        );
        assert_eq!(
            headers
                .get("content-security-policy")
                .and_then(|v| v.to_str().ok()),
            Some("default-src 'self'")
        );
    }

    #[test]
    fn a_route_that_chose_its_policies_keeps_them() {
        let mut headers = HeaderMap::new();
        headers.insert(
            HeaderName::from_static("content-security-policy"),
            HeaderValue::from_static("default-src 'self'; frame-ancestors 'none'"),
        );
        headers.insert(
            HeaderName::from_static("referrer-policy"),
            HeaderValue::from_static("no-referrer"),
        );
        apply(&mut headers);
        let value = |name| headers.get(name).and_then(|v| v.to_str().ok());
        assert_eq!(
            value("content-security-policy"),
            Some("default-src 'self'; frame-ancestors 'none'")
        );
        assert_eq!(value("referrer-policy"), Some("no-referrer"));
        assert_eq!(value("x-frame-options"), Some("DENY"));
    }

    #[test]
    fn a_route_that_chose_its_caching_keeps_it() {
        let mut headers = HeaderMap::new();
        headers.insert(
            CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=300"),
        );
        apply(&mut headers);
        assert_eq!(
            headers.get("cache-control").and_then(|v| v.to_str().ok()),
            Some("public, max-age=300")
        );
    }
}
