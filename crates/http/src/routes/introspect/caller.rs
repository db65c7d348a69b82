//! Who may introspect: a bearer token of `INTROSPECTION_TOKEN` or the HTTP Basic credentials of
//! a client of `INTROSPECTION_CLIENTS`, each compared in constant time against every configured
//! one (no early exit, so the time says neither which one nor how much of it matched).

use crate::error::ApiError;
use crate::secret_eq::same_secret;
use crate::settings::IntrospectionCallers;
use actix_web::HttpRequest;
use actix_web::http::header::{AUTHORIZATION, HeaderValue};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use secrecy::ExposeSecret;

/// # Errors
/// 401: `MISSING_AUTH_HEADER` without the header, `INVALID_AUTH_FORMAT` for neither scheme,
/// `INVALID_TOKEN` for credentials that match no configured caller.
pub(super) fn authenticate(
    req: &HttpRequest,
    callers: &IntrospectionCallers,
) -> Result<(), ApiError> {
    let value = req
        .headers()
        .get(AUTHORIZATION)
        .ok_or(ApiError::MissingAuthHeader)?
        .to_str()
        .map_err(|_| ApiError::InvalidAuthFormat)?;
    let (scheme, credentials) = value
        .trim()
        .split_once(' ')
        .ok_or(ApiError::InvalidAuthFormat)?;
    let credentials = credentials.trim();
    if credentials.is_empty() || credentials.contains(char::is_whitespace) {
        return Err(ApiError::InvalidAuthFormat);
    }
    let admitted = if scheme.eq_ignore_ascii_case("bearer") {
        callers.tokens.iter().fold(false, |any, token| {
            any | same_secret(credentials.as_bytes(), token.expose_secret().as_bytes())
        })
    } else if scheme.eq_ignore_ascii_case("basic") {
        let decoded = STANDARD
            .decode(credentials)
            .map_err(|_| ApiError::InvalidAuthFormat)?;
        let (id, secret) = split_basic(&decoded).ok_or(ApiError::InvalidAuthFormat)?;
        // RFC 6749 2.3.1 form-encodes both parts before Basic (authd-guard does); many clients
        // send them raw. Either is accepted.
        let secret_decoded = form_decoded(secret);
        callers
            .clients
            .iter()
            .fold(false, |any, (known_id, known_secret)| {
                let known = known_secret.expose_secret().as_bytes();
                let id_matches = same_secret(id, known_id.as_bytes());
                let raw_matches = same_secret(secret, known);
                let decoded_matches = secret_decoded
                    .as_deref()
                    .is_some_and(|decoded| same_secret(decoded, known));
                any | (id_matches & (raw_matches | decoded_matches))
            })
    } else {
        return Err(ApiError::InvalidAuthFormat);
    };
    if admitted {
        Ok(())
    } else {
        Err(ApiError::InvalidAccessToken)
    }
}

/// `id:secret` (RFC 7617: the id has no colon, the secret may).
fn split_basic(decoded: &[u8]) -> Option<(&[u8], &[u8])> {
    let colon = decoded.iter().position(|&b| b == b':')?;
    Some((&decoded[..colon], &decoded[colon + 1..]))
}

/// `part` undone from `application/x-www-form-urlencoded`, when it can be one encoded value (a
/// raw `&` or `=` cannot).
fn form_decoded(part: &[u8]) -> Option<Vec<u8>> {
    if part.iter().any(|b| matches!(b, b'&' | b'=')) {
        return None;
    }
    let (value, _) = form_urlencoded::parse(part).next()?;
    Some(value.into_owned().into_bytes())
}

/// `WWW-Authenticate` of a 401: the schemes this deployment accepts (RFC 7235).
pub(super) fn challenge(error: &ApiError, callers: &IntrospectionCallers) -> Option<HeaderValue> {
    if error.status() != actix_web::http::StatusCode::UNAUTHORIZED {
        return None;
    }
    let mut schemes = Vec::new();
    if !callers.tokens.is_empty() {
        schemes.push(r#"Bearer realm="introspection""#);
    }
    if !callers.clients.is_empty() {
        schemes.push(r#"Basic realm="introspection", charset="UTF-8""#);
    }
    if schemes.is_empty() {
        schemes.push(r#"Bearer realm="introspection""#);
    }
    HeaderValue::from_str(&schemes.join(", ")).ok()
}

#[cfg(test)]
mod tests {
    use super::{form_decoded, split_basic};

    #[test]
    fn form_encoded_secrets_are_decoded_and_raw_ones_left_alone() {
        assert_eq!(form_decoded(b"a%2Bb%3D+c").as_deref(), Some(&b"a+b= c"[..]));
        assert_eq!(
            form_decoded(b"plain-secret").as_deref(),
            Some(&b"plain-secret"[..])
        );
        assert_eq!(form_decoded(b"raw=secret&x"), None);
    }

    #[test]
    fn basic_credentials_split_at_the_first_colon() {
        assert_eq!(split_basic(b"svc:a:b"), Some((&b"svc"[..], &b"a:b"[..])));
        assert_eq!(split_basic(b"no-colon"), None);
    }
}
