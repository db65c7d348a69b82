//! The seven security headers of the Perfect21 document, on every response (errors included).

use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};

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

/// Sets every header, but a `Content-Security-Policy` a route already chose (the interactive
/// docs relax it for their own files).
pub fn apply(headers: &mut HeaderMap) {
    for (name, value) in HEADERS {
        if name == "content-security-policy" && headers.contains_key(name) {
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
        assert_eq!(headers.len(), 7);
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
}
