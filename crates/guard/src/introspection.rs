//! Instant revocation: after a token verified locally, authd's `POST /v1/auth/introspect`
//! (RFC 7662) says whether it is still active. A logout, a password change or an administrator
//! ending the sessions then takes effect at the next request, at the price of one call to authd
//! per request (or per token and `cache` period).

use crate::body::read_limited;
use crate::builder::IntrospectionCredentials;
use crate::error::GuardError;
use crate::principal::Principal;
use reqwest13::header::{AUTHORIZATION, HeaderValue};
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// Past this many remembered answers, the expired ones are dropped.
const CACHE_SWEEP_AT: usize = 10_000;

pub(crate) struct Introspection {
    url: String,
    authorization: HeaderValue,
    client: reqwest13::Client,
    /// How long an `active: true` answer is reused; zero: never.
    cache: Duration,
    /// Token id -> until when it was reported active.
    active: Mutex<HashMap<Uuid, Instant>>,
}

impl fmt::Debug for Introspection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Introspection")
            .field("url", &self.url)
            .field("cache", &self.cache)
            .finish_non_exhaustive()
    }
}

/// The parts of RFC 7662's answer the guard reads.
#[derive(Deserialize)]
struct Answer {
    active: bool,
    jti: Option<Uuid>,
    sub: Option<Uuid>,
}

impl Answer {
    /// An active answer must be about this very token: authd names its `jti` (and `sub`).
    fn is_about(&self, principal: &Principal) -> bool {
        self.jti == Some(principal.token_id) && self.sub.is_none_or(|s| s == principal.user_id)
    }
}

impl Introspection {
    pub(crate) fn new(
        url: String,
        credentials: IntrospectionCredentials,
        client: reqwest13::Client,
        cache: Duration,
    ) -> Result<Self, crate::GuardConfigError> {
        let mut authorization = HeaderValue::from_str(&credentials.header()).map_err(|_| {
            crate::GuardConfigError::Client(
                "introspection credentials are not a header value".into(),
            )
        })?;
        authorization.set_sensitive(true);
        Ok(Self {
            url,
            authorization,
            client,
            cache,
            active: Mutex::new(HashMap::new()),
        })
    }

    /// # Errors
    /// `TokenRevoked` when authd says the token is not active; `Unavailable` when it could not
    /// be asked (failing closed: a revoked token must not pass because authd was down).
    pub(crate) async fn check(&self, token: &str, principal: &Principal) -> Result<(), GuardError> {
        if self.remembered(principal.token_id) {
            return Ok(());
        }
        let response = self
            .client
            .post(&self.url)
            .header(AUTHORIZATION, self.authorization.clone())
            .form(&[("token", token)])
            .send()
            .await
            .map_err(|e| {
                tracing::warn!(url = %self.url, error = %e.without_url(), "introspection failed");
                GuardError::Unavailable
            })?;
        if !response.status().is_success() {
            tracing::warn!(url = %self.url, status = %response.status(), "introspection refused");
            return Err(GuardError::Unavailable);
        }
        let answer: Answer = read_limited(response)
            .await
            .and_then(|bytes| serde_json::from_slice(&bytes).map_err(|e| e.to_string()))
            .map_err(|error| {
                tracing::warn!(url = %self.url, %error, "introspection answer unreadable");
                GuardError::Unavailable
            })?;
        if !answer.active {
            return Err(GuardError::TokenRevoked);
        }
        if !answer.is_about(principal) {
            // Not an answer about this token (a proxy's cache, a confused server): fail closed.
            tracing::warn!(url = %self.url, "introspection answered about another token");
            return Err(GuardError::Unavailable);
        }
        self.remember(principal.token_id);
        Ok(())
    }

    fn remembered(&self, token_id: Uuid) -> bool {
        if self.cache.is_zero() {
            return false;
        }
        let active = self
            .active
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        active
            .get(&token_id)
            .is_some_and(|until| Instant::now() < *until)
    }

    fn remember(&self, token_id: Uuid) {
        if self.cache.is_zero() {
            return;
        }
        let now = Instant::now();
        let mut active = self
            .active
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if active.len() >= CACHE_SWEEP_AT {
            active.retain(|_, until| now < *until);
        }
        active.insert(token_id, now + self.cache);
    }
}
