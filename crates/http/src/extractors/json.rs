//! JSON bodies with this API's answers instead of the framework's: a wrong `Content-Type` is 415,
//! a body over the limit 413, and anything unparsable (malformed JSON, invalid UTF-8, a wrong type,
//! excessive nesting) a 400 `VALIDATION_ERROR` naming the offending field when there is one.

use super::state;
use crate::error::ApiError;
use crate::settings::DEFAULT_MAX_BODY_BYTES;
use actix_web::dev::Payload;
use actix_web::http::header::{CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, HeaderMap};
use actix_web::{FromRequest, HttpRequest};
use authd_domain::values::codes;
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

/// A required JSON body.
#[derive(Debug)]
pub struct Json<T>(pub T);

/// A JSON body that may be absent: an empty body (with any `Content-Type`, or none) is
/// `T::default()`. Refresh and logout need this: the Perfect21 JavaScript client posts no body
/// with `Content-Type: application/json`.
#[derive(Debug)]
pub struct OptionalJson<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let read = read(req, payload);
        Box::pin(async move {
            let (body, kind) = read.await?;
            decode(&body, kind)?
                .map(Self)
                .ok_or_else(|| missing_body(kind))
        })
    }
}

impl<T: DeserializeOwned + Default + 'static> FromRequest for OptionalJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let read = read(req, payload);
        Box::pin(async move {
            let (body, kind) = read.await?;
            Ok(Self(decode(&body, kind)?.unwrap_or_default()))
        })
    }
}

/// What the `Content-Type` header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ContentKind {
    Json,
    Missing,
    Other,
}

pub(crate) fn content_kind(headers: &HeaderMap) -> ContentKind {
    let Some(value) = headers.get(CONTENT_TYPE) else {
        return ContentKind::Missing;
    };
    let essence = value
        .to_str()
        .ok()
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    match essence.as_deref() {
        Some("application/json") => ContentKind::Json,
        Some(e) if e.starts_with("application/") && e.ends_with("+json") => ContentKind::Json,
        _ => ContentKind::Other,
    }
}

/// Reads the whole body, refusing it as soon as it is known to exceed the limit.
fn read(
    req: &HttpRequest,
    payload: &mut Payload,
) -> LocalBoxFuture<'static, Result<(Vec<u8>, ContentKind), ApiError>> {
    let limit = state(req).map_or(DEFAULT_MAX_BODY_BYTES, |s| s.settings.max_body_bytes);
    let kind = content_kind(req.headers());
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    // Bodies are never compressed by this API's clients; refusing encodings avoids decompression
    // bombs and keeps the size limit about what is actually parsed.
    let encoded = req
        .headers()
        .get(CONTENT_ENCODING)
        .is_some_and(|v| !v.as_bytes().eq_ignore_ascii_case(b"identity"));
    let mut payload = payload.take();
    Box::pin(async move {
        if declared.is_some_and(|n| n > limit as u64) {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        if encoded {
            return Err(ApiError::UnsupportedMediaType);
        }
        let mut body = Vec::new();
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|_| {
                ApiError::field(
                    "body",
                    codes::INVALID_FORMAT,
                    "The request body could not be read",
                )
            })?;
            if body.len() + chunk.len() > limit {
                return Err(ApiError::PayloadTooLarge { limit });
            }
            body.extend_from_slice(&chunk);
        }
        Ok((body, kind))
    })
}

/// `Ok(None)` for an empty body; the caller decides whether that is acceptable. A body of
/// blanks is not empty: it is not JSON either, and is refused like any malformed body.
pub(crate) fn decode<T: DeserializeOwned>(
    body: &[u8],
    kind: ContentKind,
) -> Result<Option<T>, ApiError> {
    if body.is_empty() {
        return Ok(None);
    }
    if kind != ContentKind::Json {
        return Err(ApiError::UnsupportedMediaType);
    }
    // Every body of this API is an object. serde would also read a struct from an array, field
    // by field in order: `["Grace", "Hopper"]` would set a first and last name.
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(ApiError::field(
            "body",
            codes::INVALID_FORMAT,
            "The request body must be a JSON object",
        ));
    }
    // serde_json skips an ignored field's string without checking its bytes: `{"x":"\xff"}`
    // would read as `{}`, and an optional body would act as none at all.
    let Ok(text) = std::str::from_utf8(body) else {
        return Err(ApiError::field(
            "body",
            codes::INVALID_FORMAT,
            "The request body must be UTF-8 JSON",
        ));
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        invalid(&path, e.inner())
    })?;
    de.end().map_err(|e| invalid(".", &e))?;
    Ok(Some(value))
}

fn missing_body(kind: ContentKind) -> ApiError {
    if kind == ContentKind::Other {
        ApiError::UnsupportedMediaType
    } else {
        ApiError::field("body", codes::REQUIRED, "A JSON request body is required")
    }
}

fn invalid(path: &str, e: &serde_json::Error) -> ApiError {
    use serde_json::error::Category;
    match e.classify() {
        Category::Data if path != "." && !path.is_empty() => {
            // serde's text may quote the offending value (a password in the wrong field, say):
            // only the part saying what was expected is returned.
            let text = e.to_string();
            let message = text
                .split_once("expected ")
                .map(|(_, expected)| {
                    let expected = expected.split(" at line ").next().unwrap_or(expected);
                    format!("Expected {expected}")
                })
                .unwrap_or_else(|| "Invalid value".to_owned());
            ApiError::field(path, codes::INVALID_FORMAT, &message)
        }
        Category::Data => ApiError::field(
            "body",
            codes::INVALID_FORMAT,
            "The request body must be a JSON object",
        ),
        Category::Syntax | Category::Eof | Category::Io => {
            ApiError::field("body", codes::INVALID_FORMAT, "Malformed JSON")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, Default, PartialEq)]
    #[serde(rename_all = "camelCase")]
    struct Body {
        email: Option<String>,
        remember_me: Option<bool>,
    }

    fn decode_body(raw: &str) -> Result<Option<Body>, (u16, &'static str, Option<String>)> {
        decode::<Body>(raw.as_bytes(), ContentKind::Json).map_err(|e| {
            let field = match &e {
                ApiError::Validation(f) => f.first().map(|f| f.field.clone()),
                _ => None,
            };
            (e.status().as_u16(), e.code(), field)
        })
    }

    /// An optional body with broken bytes in a field nobody reads is refused, not taken as `{}`
    /// (a logout or a deletion would otherwise go ahead on it).
    #[test]
    fn a_body_that_is_not_utf8_is_refused_even_in_an_ignored_field() {
        let got = decode::<Body>(b"{\"unknownField\":\"\xff\xfe\"}", ContentKind::Json);
        assert!(
            matches!(&got, Err(ApiError::Validation(f)) if f[0].field == "body"),
            "{got:?}"
        );
    }

    #[test]
    fn a_valid_body_is_decoded() {
        let got = decode_body(r#"{"email":"a@b.c","rememberMe":true}"#);
        assert_eq!(
            got,
            Ok(Some(Body {
                email: Some("a@b.c".to_owned()),
                remember_me: Some(true)
            }))
        );
    }

    #[test]
    fn an_empty_body_is_no_body_but_a_blank_one_is_malformed() {
        assert_eq!(decode_body(""), Ok(None));
        assert_eq!(
            decode_body("  \n"),
            Err((400, "VALIDATION_ERROR", Some("body".to_owned())))
        );
    }

    #[test]
    fn a_body_that_is_not_an_object_is_refused_even_when_serde_would_read_it() {
        for raw in [
            r#"["a@b.c", true]"#,
            "[]",
            "\"a@b.c\"",
            "null",
            "7",
            " \n[{}]",
        ] {
            assert_eq!(
                decode_body(raw),
                Err((400, "VALIDATION_ERROR", Some("body".to_owned()))),
                "{raw}"
            );
        }
        assert!(decode_body(" \n{}").is_ok());
    }

    #[test]
    fn malformed_json_is_a_validation_error_on_the_body() {
        assert_eq!(
            decode_body(r#"{"email": "#),
            Err((400, "VALIDATION_ERROR", Some("body".to_owned())))
        );
        assert_eq!(
            decode_body(r#"{"email":"a"} trailing"#),
            Err((400, "VALIDATION_ERROR", Some("body".to_owned())))
        );
    }

    #[test]
    fn a_wrong_type_names_the_field_and_does_not_echo_the_value() {
        let err = decode::<Body>(br#"{"rememberMe":"secret-value"}"#, ContentKind::Json);
        let Err(ApiError::Validation(fields)) = err else {
            panic!("expected a validation error");
        };
        assert_eq!(fields[0].field, "rememberMe");
        assert!(!fields[0].message.contains("secret-value"));
    }

    #[test]
    fn a_body_that_is_not_an_object_is_a_validation_error() {
        assert_eq!(
            decode_body("[1,2]").map_err(|e| e.1),
            Err("VALIDATION_ERROR")
        );
        assert_eq!(decode_body("42").map_err(|e| e.1), Err("VALIDATION_ERROR"));
    }

    #[test]
    fn invalid_utf8_is_a_validation_error() {
        let err = decode::<Body>(b"{\"email\":\"\xff\xfe\"}", ContentKind::Json);
        assert_eq!(err.map_err(|e| e.code()).err(), Some("VALIDATION_ERROR"));
    }

    #[test]
    fn deep_nesting_is_a_validation_error_not_a_crash() {
        let deep = format!(
            r#"{{"email":{}{}}}"#,
            "[".repeat(10_000),
            "]".repeat(10_000)
        );
        assert_eq!(decode_body(&deep).map_err(|e| e.1), Err("VALIDATION_ERROR"));
    }

    #[test]
    fn a_non_json_content_type_with_a_body_is_unsupported() {
        let err = decode::<Body>(b"email=a", ContentKind::Other);
        assert_eq!(
            err.map_err(|e| e.code()).err(),
            Some("UNSUPPORTED_MEDIA_TYPE")
        );
        let err = decode::<Body>(b"{}", ContentKind::Missing);
        assert_eq!(err.map_err(|e| e.status().as_u16()).err(), Some(415));
    }

    #[test]
    fn json_content_types_are_recognised_with_parameters_and_suffixes() {
        let kind = |v: &'static str| {
            let mut h = HeaderMap::new();
            h.insert(
                CONTENT_TYPE,
                actix_web::http::header::HeaderValue::from_static(v),
            );
            content_kind(&h)
        };
        assert_eq!(kind("application/json"), ContentKind::Json);
        assert_eq!(kind("Application/JSON; charset=utf-8"), ContentKind::Json);
        assert_eq!(kind("application/merge-patch+json"), ContentKind::Json);
        assert_eq!(kind("text/plain"), ContentKind::Other);
        assert_eq!(
            kind("application/x-www-form-urlencoded"),
            ContentKind::Other
        );
        assert_eq!(content_kind(&HeaderMap::new()), ContentKind::Missing);
    }
}
