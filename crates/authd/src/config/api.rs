//! The API surfaces: which dialects are served (`API_DIALECTS`), the CheckInn dialect's refresh
//! cookie (`JWT_COOKIE_EXPIRES_IN`), who may introspect tokens (`INTROSPECTION_TOKEN`,
//! `INTROSPECTION_CLIENTS`), and the CheckInn variables authd accepts without a use for them.
//!
//! Introspection secrets live in `SecretString`s and are never echoed: a problem names the item
//! by its position and says what is wrong with it.

use super::reader::Reader;
use super::values;
use authd_http::{Dialects, IntrospectionCallers};
use chrono::Duration;
use secrecy::SecretString;
use std::collections::HashSet;

/// The shortest introspection token or client secret accepted: the endpoint is not
/// rate-limited, so a secret must be too long to guess by calling it.
pub const MIN_INTROSPECTION_SECRET_CHARS: usize = 32;

const MAX_CLIENT_ID_CHARS: usize = 64;

#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// `API_DIALECTS` (`perfect21,checkinn`).
    pub dialects: Dialects,
    /// `JWT_COOKIE_EXPIRES_IN` (7 days): `Max-Age` of the CheckInn dialect's refresh cookie.
    pub checkinn_cookie_max_age: Duration,
    /// `INTROSPECTION_TOKEN` and `INTROSPECTION_CLIENTS`; neither set: no introspection.
    pub introspection: IntrospectionCallers,
    /// `CHECKINN_DELETE_ME_REQUIRES_PASSWORD` (off): `DELETE /api/auth/delete-me` asks for the
    /// password as `/v1` does, instead of the bearer token alone (the document's contract).
    pub checkinn_delete_requires_password: bool,
    /// The CheckInn variables set that change nothing here (`COOKIE_MAX_AGE`,
    /// `COOKIE_HTTP_ONLY=true`): start-up names them in one warning.
    pub ignored: Vec<&'static str>,
}

pub(super) fn api(r: &mut Reader) -> ApiConfig {
    ApiConfig {
        dialects: r.or("API_DIALECTS", Dialects::default(), dialects),
        checkinn_cookie_max_age: r.or("JWT_COOKIE_EXPIRES_IN", Duration::days(7), |v| {
            // The CheckInn document gives JWT_COOKIE_EXPIRES_IN=7, in days.
            let d = values::duration(v, 86_400)?;
            if d < Duration::days(1) {
                Err("must be at least 1 day (a bare number is days)".to_owned())
            } else {
                Ok(d)
            }
        }),
        introspection: IntrospectionCallers {
            tokens: r.or("INTROSPECTION_TOKEN", Vec::new(), tokens),
            clients: r.or("INTROSPECTION_CLIENTS", Vec::new(), clients),
        },
        checkinn_delete_requires_password: r.or(
            "CHECKINN_DELETE_ME_REQUIRES_PASSWORD",
            false,
            values::boolean,
        ),
        ignored: ignored(r),
    }
}

/// `perfect21`, `checkinn` or both, comma-separated, any case.
fn dialects(raw: &str) -> Result<Dialects, String> {
    let mut dialects = Dialects {
        perfect21: false,
        checkinn: false,
    };
    for name in values::list(raw) {
        match name.to_ascii_lowercase().as_str() {
            "perfect21" => dialects.perfect21 = true,
            "checkinn" => dialects.checkinn = true,
            _ => {
                return Err(format!(
                    "{name:?} is not a dialect (expected perfect21, checkinn or both, \
                     comma-separated)"
                ));
            }
        }
    }
    if dialects.perfect21 || dialects.checkinn {
        Ok(dialects)
    } else {
        Err("names no dialect (expected perfect21, checkinn or both, comma-separated)".to_owned())
    }
}

/// Comma-separated bearer tokens (several while one is being replaced).
fn tokens(raw: &str) -> Result<Vec<SecretString>, String> {
    values::list(raw)
        .into_iter()
        .enumerate()
        .map(|(i, token)| {
            long_enough(&token)
                .map(|()| SecretString::from(token))
                .map_err(|e| format!("token {}: {e}", i + 1))
        })
        .collect()
}

/// Comma-separated `client_id:client_secret` pairs, each id once.
fn clients(raw: &str) -> Result<Vec<(String, SecretString)>, String> {
    let mut seen = HashSet::new();
    let mut clients = Vec::new();
    for (i, item) in values::list(raw).into_iter().enumerate() {
        let position = i + 1;
        let Some((id, secret)) = item.split_once(':') else {
            // The item may be a bare secret: it is not shown.
            return Err(format!(
                "item {position} has no ':' (expected client_id:client_secret, comma-separated)"
            ));
        };
        if !is_client_id(id) {
            return Err(format!(
                "item {position}: the client id must be 1 to {MAX_CLIENT_ID_CHARS} letters, \
                 digits, '.', '_' or '-'"
            ));
        }
        // Items are named by position: with the pair written the wrong way round, the "id"
        // would be the secret.
        long_enough(secret).map_err(|e| format!("item {position}: the secret {e}"))?;
        if !seen.insert(id.to_owned()) {
            return Err(format!(
                "item {position} repeats the client id of an earlier item: each client once"
            ));
        }
        clients.push((id.to_owned(), SecretString::from(secret.to_owned())));
    }
    Ok(clients)
}

fn is_client_id(id: &str) -> bool {
    (1..=MAX_CLIENT_ID_CHARS).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

fn long_enough(secret: &str) -> Result<(), String> {
    super::values::not_published(secret)?;
    let chars = secret.chars().count();
    if chars < MIN_INTROSPECTION_SECRET_CHARS {
        // The length is safe to show; the value never is.
        Err(format!(
            "must be at least {MIN_INTROSPECTION_SECRET_CHARS} characters, got {chars}"
        ))
    } else {
        Ok(())
    }
}

/// The CheckInn document's cookie variables. Its refresh token is a JWT with its own lifetime;
/// authd's is opaque, its cookie's `Max-Age` is `JWT_COOKIE_EXPIRES_IN` (the document's other
/// cookie variable), and the cookie is always HttpOnly. So `COOKIE_MAX_AGE` and
/// `COOKIE_HTTP_ONLY=true` change nothing, and `COOKIE_HTTP_ONLY=false` asks for something
/// authd never does: a refresh token readable by the page's scripts.
fn ignored(r: &mut Reader) -> Vec<&'static str> {
    let mut ignored = Vec::new();
    if r.is_set("COOKIE_MAX_AGE") {
        ignored.push("COOKIE_MAX_AGE");
    }
    match r.optional("COOKIE_HTTP_ONLY", values::boolean) {
        Some(true) => ignored.push("COOKIE_HTTP_ONLY"),
        Some(false) => r.problem(
            "COOKIE_HTTP_ONLY",
            "false is not supported: the refresh-token cookie is always HttpOnly (scripts read \
             the token from the response body instead); remove the variable",
        ),
        None => {}
    }
    ignored
}
