//! The request id: an incoming `X-Request-Id` is kept when it is a sane token, otherwise a UUID is
//! made. It lives in a task-local for the whole request, so an error rendered anywhere below the
//! middleware carries it without threading it through every signature. So does the clock the
//! envelope's `timestamp` is read from: `ResponseError::error_response` is handed nothing else.

use authd_domain::Timestamp;
use authd_domain::ports::Clock;
use std::future::Future;
use std::sync::Arc;
use uuid::Uuid;

pub const HEADER: &str = "x-request-id";
const MAX_LEN: usize = 64;

tokio::task_local! {
    static CURRENT: String;
    static CLOCK: Option<Arc<dyn Clock>>;
}

/// Whether an incoming id may be echoed back and logged: at most 64 of `[A-Za-z0-9-_.]`, so it
/// cannot inject anything into headers or log lines.
#[must_use]
pub fn is_acceptable(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// The id of a request that arrived with `incoming` (the raw header, when present and ASCII).
#[must_use]
pub fn accept_or_generate(incoming: Option<&str>) -> String {
    match incoming {
        Some(id) if is_acceptable(id) => id.to_owned(),
        _ => Uuid::new_v4().to_string(),
    }
}

/// Runs `fut` with `id` as the current request id and `clock` as the time of its answers.
pub async fn scope<F: Future>(id: String, clock: Option<Arc<dyn Clock>>, fut: F) -> F::Output {
    CURRENT.scope(id, CLOCK.scope(clock, fut)).await
}

/// The time of an answer, from the app's clock; outside a request, or in an app assembled
/// without a clock (unit tests of the middleware), the system's.
#[must_use]
pub fn now() -> Timestamp {
    CLOCK
        .try_with(|clock| clock.as_ref().map(|c| c.now()))
        .ok()
        .flatten()
        .unwrap_or_else(chrono::Utc::now)
}

/// The current request's id; outside a request (never expected), a fresh one so the envelope is
/// still well-formed.
#[must_use]
pub fn current() -> String {
    CURRENT
        .try_with(Clone::clone)
        .unwrap_or_else(|_| Uuid::new_v4().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sane_incoming_id_is_kept() {
        assert_eq!(accept_or_generate(Some("req-42_a.b")), "req-42_a.b");
        let longest = "a".repeat(64);
        assert_eq!(accept_or_generate(Some(&longest)), longest);
    }

    #[test]
    fn an_id_with_forbidden_characters_is_replaced_by_a_uuid() {
        for bad in ["has space", "new\nline", "semi;colon", "ünï", "", "a/b"] {
            let id = accept_or_generate(Some(bad));
            assert_ne!(id, bad);
            assert!(Uuid::parse_str(&id).is_ok(), "{bad:?} gave {id}");
        }
    }

    #[test]
    fn an_id_longer_than_64_characters_is_replaced() {
        let long = "a".repeat(65);
        assert_ne!(accept_or_generate(Some(&long)), long);
    }

    #[test]
    fn a_missing_id_gets_a_fresh_uuid() {
        assert!(Uuid::parse_str(&accept_or_generate(None)).is_ok());
    }

    #[tokio::test]
    async fn the_current_id_is_the_one_of_the_enclosing_scope() {
        let seen = scope("abc".to_owned(), None, async { current() }).await;
        assert_eq!(seen, "abc");
    }
}
