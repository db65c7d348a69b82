//! authd's public keys, fetched from its JWKS and cached.
//!
//! Kept for the answer's `Cache-Control: max-age` (else a default); once that has passed, the
//! next verification fetches again (a failed fetch keeps the old keys: authd being briefly down
//! does not lock every user out). A token naming an unknown `kid` (authd rotated its key in)
//! triggers a fetch too, but at most once per `min_refresh_interval`: a stream of tokens with
//! made-up kids costs authd one request per interval. Concurrent misses wait for one fetch.

use crate::builder::GuardConfigError;
use crate::error::GuardError;
use jsonwebtoken::DecodingKey;
use reqwest13::header::CACHE_CONTROL;
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// No answer is kept longer, whatever its `max-age` says.
const LONGEST_MAX_AGE: Duration = Duration::from_secs(24 * 3600);

/// The keys of one successful fetch.
#[derive(Default)]
struct Snapshot {
    keys: HashMap<String, Arc<DecodingKey>>,
    /// When they should be fetched again; `None` before the first fetch.
    stale_at: Option<Instant>,
    /// Bumped by every successful fetch, so a task that waited for another's fetch sees it.
    generation: u64,
}

pub(crate) struct JwksCache {
    url: String,
    client: reqwest13::Client,
    min_refresh_interval: Duration,
    default_max_age: Duration,
    max_key_age: Option<Duration>,
    snapshot: RwLock<Snapshot>,
    /// Held for the length of a fetch (so concurrent misses coalesce); holds when the last one
    /// was attempted.
    last_fetch: Mutex<Option<Instant>>,
    fetches: std::sync::atomic::AtomicU64,
}

impl fmt::Debug for JwksCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwksCache")
            .field("url", &self.url)
            .field("min_refresh_interval", &self.min_refresh_interval)
            .finish_non_exhaustive()
    }
}

/// What a lookup found in the snapshot.
enum Found {
    Fresh(Arc<DecodingKey>),
    Stale(Arc<DecodingKey>),
    Missing,
}

impl JwksCache {
    pub(crate) fn new(
        url: String,
        client: reqwest13::Client,
        min_refresh_interval: Duration,
        default_max_age: Duration,
        max_key_age: Option<Duration>,
    ) -> Self {
        Self {
            url,
            client,
            min_refresh_interval,
            default_max_age,
            max_key_age,
            snapshot: RwLock::default(),
            last_fetch: Mutex::new(None),
            fetches: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// How many fetches were attempted (for tests and metrics).
    pub(crate) fn fetches(&self) -> u64 {
        self.fetches.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The key named `kid`: from the cache, or after a fetch the rules above allow.
    ///
    /// # Errors
    /// `InvalidToken` for a kid authd does not publish; `Unavailable` when authd could not be
    /// reached and no key was ever known.
    pub(crate) async fn key(&self, kid: &str) -> Result<Arc<DecodingKey>, GuardError> {
        let (found, generation) = self.lookup(kid);
        if let Found::Fresh(key) = found {
            return Ok(key);
        }
        let mut last_fetch = self.last_fetch.lock().await;
        let (found, now_generation) = self.lookup(kid);
        if now_generation != generation {
            // Another task fetched while this one waited: its answer is the newest there is.
            return match found {
                Found::Fresh(key) | Found::Stale(key) => Ok(key),
                Found::Missing => Err(GuardError::InvalidToken),
            };
        }
        let now = Instant::now();
        let recently =
            last_fetch.is_some_and(|at| now.duration_since(at) < self.min_refresh_interval);
        if recently {
            return match found {
                Found::Fresh(key) | Found::Stale(key) => Ok(key),
                Found::Missing if self.ever_fetched() => Err(GuardError::InvalidToken),
                Found::Missing => Err(GuardError::Unavailable),
            };
        }
        *last_fetch = Some(now);
        let fetched = self.fetch().await;
        drop(last_fetch);
        match (fetched, found) {
            (Ok(()), _) => match self.lookup(kid).0 {
                Found::Fresh(key) | Found::Stale(key) => Ok(key),
                Found::Missing => Err(GuardError::InvalidToken),
            },
            (Err(()), Found::Fresh(key) | Found::Stale(key)) => Ok(key),
            (Err(()), Found::Missing) if self.ever_fetched() => Err(GuardError::InvalidToken),
            (Err(()), Found::Missing) => Err(GuardError::Unavailable),
        }
    }

    /// Fetches now (at start-up, say, so the first request does not wait), unless a fetch was
    /// attempted within `min_refresh_interval`.
    ///
    /// # Errors
    /// `Unavailable` when authd did not answer with a usable JWKS.
    pub(crate) async fn refresh(&self) -> Result<(), GuardError> {
        let mut last_fetch = self.last_fetch.lock().await;
        *last_fetch = Some(Instant::now());
        self.fetch().await.map_err(|()| GuardError::Unavailable)
    }

    fn ever_fetched(&self) -> bool {
        self.read().stale_at.is_some()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Snapshot> {
        self.snapshot
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn lookup(&self, kid: &str) -> (Found, u64) {
        let snapshot = self.read();
        let found = match (snapshot.keys.get(kid), snapshot.stale_at) {
            (Some(key), Some(at)) if Instant::now() < at => Found::Fresh(key.clone()),
            (Some(key), _) => Found::Stale(key.clone()),
            (None, _) => Found::Missing,
        };
        (found, snapshot.generation)
    }

    /// One GET of the JWKS; the snapshot is replaced only by a usable answer. Failures are
    /// logged without the body (it is not ours to echo).
    async fn fetch(&self) -> Result<(), ()> {
        self.fetches
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let response = match self.client.get(&self.url).send().await {
            Ok(response) if response.status().is_success() => response,
            Ok(response) => {
                tracing::warn!(url = %self.url, status = %response.status(), "JWKS fetch refused");
                return Err(());
            }
            Err(e) => {
                tracing::warn!(url = %self.url, error = %e.without_url(), "JWKS fetch failed");
                return Err(());
            }
        };
        let max_age = response
            .headers()
            .get(CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .and_then(max_age)
            .unwrap_or(self.default_max_age)
            .min(self.max_key_age.unwrap_or(LONGEST_MAX_AGE))
            .min(LONGEST_MAX_AGE);
        let document: JwkSet = match response.json().await {
            Ok(document) => document,
            Err(e) => {
                tracing::warn!(url = %self.url, error = %e.without_url(), "JWKS unreadable");
                return Err(());
            }
        };
        let keys = document.usable_keys();
        tracing::debug!(url = %self.url, keys = keys.len(), "JWKS fetched");
        let mut snapshot = self
            .snapshot
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        snapshot.keys = keys;
        snapshot.stale_at = Some(Instant::now() + max_age);
        snapshot.generation += 1;
        Ok(())
    }
}

/// `max-age=N` of a `Cache-Control` value (`no-store`/`no-cache` keep nothing).
fn max_age(value: &str) -> Option<Duration> {
    let mut age = None;
    for directive in value.split(',').map(str::trim) {
        let lower = directive.to_ascii_lowercase();
        if lower == "no-store" || lower == "no-cache" {
            return Some(Duration::ZERO);
        }
        if let Some(secs) = lower.strip_prefix("max-age=") {
            age = secs
                .trim_matches('"')
                .parse::<u64>()
                .ok()
                .map(Duration::from_secs);
        }
    }
    age
}

#[derive(Deserialize)]
struct JwkSet {
    keys: Vec<Jwk>,
}

#[derive(Deserialize)]
struct Jwk {
    kty: String,
    kid: Option<String>,
    alg: Option<String>,
    #[serde(rename = "use")]
    use_: Option<String>,
    n: Option<String>,
    e: Option<String>,
}

impl JwkSet {
    /// RSA signing keys for RS256 with a kid; anything else in the set is ignored.
    fn usable_keys(self) -> HashMap<String, Arc<DecodingKey>> {
        self.keys
            .into_iter()
            .filter(|k| k.kty == "RSA")
            .filter(|k| k.alg.as_deref().is_none_or(|alg| alg == "RS256"))
            .filter(|k| k.use_.as_deref().is_none_or(|u| u == "sig"))
            .filter_map(|k| {
                let key =
                    DecodingKey::from_rsa_components(k.n.as_deref()?, k.e.as_deref()?).ok()?;
                Some((k.kid?, Arc::new(key)))
            })
            .collect()
    }
}

/// rustls with aws-lc-rs and Mozilla's roots (as authd's own outgoing HTTPS); no redirects, so
/// a JWKS URL cannot be bent to another host.
pub(crate) fn http_client(timeout: Duration) -> Result<reqwest13::Client, GuardConfigError> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| GuardConfigError::Client(e.to_string()))?
        .with_root_certificates(rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        })
        .with_no_client_auth();
    reqwest13::Client::builder()
        .tls_backend_preconfigured(tls)
        .connect_timeout(timeout)
        .timeout(timeout)
        .redirect(reqwest13::redirect::Policy::none())
        .user_agent(concat!("authd-guard/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| GuardConfigError::Client(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::max_age;
    use std::time::Duration;

    #[test]
    fn max_age_is_read_from_cache_control() {
        assert_eq!(
            max_age("public, max-age=300"),
            Some(Duration::from_secs(300))
        );
        assert_eq!(max_age("Max-Age=5"), Some(Duration::from_secs(5)));
        assert_eq!(max_age("no-store"), Some(Duration::ZERO));
        assert_eq!(max_age("public"), None);
        assert_eq!(max_age("max-age=soon"), None);
    }
}
