//! authd's public keys, fetched from its JWKS and cached.
//!
//! Kept for the answer's `Cache-Control: max-age` (else a default, capped by `max_key_age`).
//! Once that has passed they are stale: still used at once, while one background task fetches
//! them again (requests never wait on a refresh of keys they already have). A failed fetch
//! keeps the stale keys, so authd being briefly down does not lock every user out, but only
//! for `max_stale`: past it they are dropped and requests answered 503 until authd answers.
//!
//! A token naming an unknown `kid` (authd rotated a key in) makes its request wait for a fetch,
//! at most once per `min_refresh_interval`: a stream of tokens with made-up kids costs authd one
//! request per interval. Concurrent misses wait for one fetch. After a failed fetch the next is
//! tried after 1 s, then 2, 4... up to the interval, so that a guard started before authd (or
//! left without keys) recovers within seconds of authd answering.

use crate::body::read_limited;
use crate::builder::GuardConfigError;
use crate::error::GuardError;
use jsonwebtoken::DecodingKey;
use reqwest13::header::CACHE_CONTROL;
use rustls::pki_types::CertificateDer;
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, OwnedMutexGuard};

/// No answer is kept longer, whatever its `max-age` says.
const LONGEST_MAX_AGE: Duration = Duration::from_secs(24 * 3600);
/// The first wait after a failed fetch; doubled by each further failure, up to the interval.
const FIRST_BACKOFF: Duration = Duration::from_secs(1);

/// How fresh the keys must be (the builder's settings).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Freshness {
    pub(crate) min_refresh_interval: Duration,
    pub(crate) default_max_age: Duration,
    pub(crate) max_key_age: Option<Duration>,
    pub(crate) max_stale: Duration,
}

/// The keys of one successful fetch.
#[derive(Default)]
struct Snapshot {
    keys: HashMap<String, Arc<DecodingKey>>,
    /// When they should be fetched again; `None` before the first fetch.
    stale_at: Option<Instant>,
    /// When they are no longer used at all.
    dropped_at: Option<Instant>,
    /// Bumped by every successful fetch, so a task that waited for another's fetch sees it.
    generation: u64,
}

/// The fetches attempted so far; its mutex is held for the length of a fetch, so that
/// concurrent misses coalesce and one background refresh runs at a time.
#[derive(Default)]
struct Attempts {
    last: Option<Instant>,
    /// Failures since the last success.
    failures: u32,
}

pub(crate) struct JwksCache {
    url: String,
    client: reqwest13::Client,
    freshness: Freshness,
    snapshot: RwLock<Snapshot>,
    attempts: Arc<Mutex<Attempts>>,
    fetches: AtomicU64,
}

impl fmt::Debug for JwksCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwksCache")
            .field("url", &self.url)
            .field("freshness", &self.freshness)
            .finish_non_exhaustive()
    }
}

/// What a lookup found in the snapshot.
enum Found {
    Fresh(Arc<DecodingKey>),
    Stale(Arc<DecodingKey>),
    /// Keys are known, this kid is not among them.
    Unknown,
    /// No usable keys: never fetched, or dropped past `max_stale`.
    NoKeys,
}

/// Why a fetch is wanted: the wait after a successful one differs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reason {
    /// A kid not in the set: at most once per `min_refresh_interval`.
    Miss,
    /// The set's max-age has passed: `Cache-Control` already paced it.
    Stale,
}

impl JwksCache {
    pub(crate) fn new(url: String, client: reqwest13::Client, freshness: Freshness) -> Self {
        Self {
            url,
            client,
            freshness,
            snapshot: RwLock::default(),
            attempts: Arc::default(),
            fetches: AtomicU64::new(0),
        }
    }

    /// How many fetches were attempted (for tests and metrics).
    pub(crate) fn fetches(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    /// The key named `kid`: from the cache, or after a fetch the rules above allow.
    ///
    /// # Errors
    /// `InvalidToken` for a kid authd does not publish; `Unavailable` when no usable key is
    /// known and authd could not be reached.
    pub(crate) async fn key(self: &Arc<Self>, kid: &str) -> Result<Arc<DecodingKey>, GuardError> {
        let (found, generation) = self.lookup(kid);
        match found {
            Found::Fresh(key) => return Ok(key),
            Found::Stale(key) => {
                self.refresh_in_background().await;
                return Ok(key);
            }
            Found::Unknown | Found::NoKeys => {}
        }
        let mut attempts = self.attempts.lock().await;
        let (found, now_generation) = self.lookup(kid);
        // Another task fetched while this one waited: its answer is the newest there is.
        if now_generation == generation && self.due(&attempts, Reason::Miss) {
            self.fetch_recorded(&mut attempts).await;
            drop(attempts);
            return answer(self.lookup(kid).0);
        }
        answer(found)
    }

    /// Fetches now (at start-up, say, so the first request does not wait), whenever it was
    /// last tried; waits for a fetch under way first.
    ///
    /// # Errors
    /// `Unavailable` when authd did not answer with a usable JWKS.
    pub(crate) async fn refresh(&self) -> Result<(), GuardError> {
        let mut attempts = self.attempts.lock().await;
        if self.fetch_recorded(&mut attempts).await {
            Ok(())
        } else {
            Err(GuardError::Unavailable)
        }
    }

    /// Starts a fetch of stale keys unless one is under way or a failed one was just tried.
    /// Outside a tokio runtime (no task to hand it to), fetches before answering.
    async fn refresh_in_background(self: &Arc<Self>) {
        let Ok(mut attempts) = Arc::clone(&self.attempts).try_lock_owned() else {
            return;
        };
        if !self.due(&attempts, Reason::Stale) {
            return;
        }
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                let cache = Arc::clone(self);
                runtime.spawn(async move { cache.fetch_owned(attempts).await });
            }
            Err(_) => {
                self.fetch_recorded(&mut attempts).await;
            }
        }
    }

    async fn fetch_owned(&self, mut attempts: OwnedMutexGuard<Attempts>) {
        self.fetch_recorded(&mut attempts).await;
    }

    /// Whether a fetch for `reason` may be attempted now.
    fn due(&self, attempts: &Attempts, reason: Reason) -> bool {
        let Some(last) = attempts.last else {
            return true;
        };
        let interval = self.freshness.min_refresh_interval;
        let wait = match (attempts.failures, reason) {
            (0, Reason::Miss) => interval,
            // max-age paced it; the floor keeps a `max-age=0` from costing a fetch per request.
            (0, Reason::Stale) => crate::builder::MIN_REFRESH_FLOOR,
            (failures, _) => FIRST_BACKOFF
                .saturating_mul(1 << (failures - 1).min(16))
                .min(interval),
        };
        last.elapsed() >= wait
    }

    /// One fetch, recorded in `attempts`; whether it succeeded.
    async fn fetch_recorded(&self, attempts: &mut Attempts) -> bool {
        attempts.last = Some(Instant::now());
        let ok = self.fetch().await.is_ok();
        attempts.failures = if ok {
            0
        } else {
            attempts.failures.saturating_add(1)
        };
        ok
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Snapshot> {
        self.snapshot
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn lookup(&self, kid: &str) -> (Found, u64) {
        let snapshot = self.read();
        let now = Instant::now();
        let found = match (snapshot.stale_at, snapshot.dropped_at) {
            (Some(stale_at), Some(dropped_at)) if now < dropped_at => {
                match snapshot.keys.get(kid) {
                    Some(key) if now < stale_at => Found::Fresh(key.clone()),
                    Some(key) => Found::Stale(key.clone()),
                    None => Found::Unknown,
                }
            }
            _ => Found::NoKeys,
        };
        (found, snapshot.generation)
    }

    /// One GET of the JWKS; the snapshot is replaced only by a usable answer. Failures are
    /// logged without the body (it is not ours to echo).
    async fn fetch(&self) -> Result<(), ()> {
        self.fetches.fetch_add(1, Ordering::Relaxed);
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
            .unwrap_or(self.freshness.default_max_age)
            .min(self.freshness.max_key_age.unwrap_or(LONGEST_MAX_AGE))
            .min(LONGEST_MAX_AGE);
        let document: JwkSet = match read_limited(response).await {
            Ok(bytes) => match serde_json::from_slice(&bytes) {
                Ok(document) => document,
                Err(e) => {
                    tracing::warn!(url = %self.url, error = %e, "JWKS unreadable");
                    return Err(());
                }
            },
            Err(e) => {
                tracing::warn!(url = %self.url, error = %e, "JWKS unreadable");
                return Err(());
            }
        };
        let keys = document.usable_keys();
        if keys.is_empty() {
            // Every token will be refused: authd signs with HS256, or publishes nothing usable.
            tracing::warn!(url = %self.url, "JWKS without a usable RS256 signing key");
        } else {
            tracing::debug!(url = %self.url, keys = keys.len(), "JWKS fetched");
        }
        let now = Instant::now();
        let mut snapshot = self
            .snapshot
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        snapshot.keys = keys;
        snapshot.stale_at = Some(now + max_age);
        snapshot.dropped_at = Some(now + max_age + self.freshness.max_stale);
        snapshot.generation += 1;
        Ok(())
    }
}

/// The answer to a request once no (further) fetch is possible.
fn answer(found: Found) -> Result<Arc<DecodingKey>, GuardError> {
    match found {
        Found::Fresh(key) | Found::Stale(key) => Ok(key),
        Found::Unknown => Err(GuardError::InvalidToken),
        Found::NoKeys => Err(GuardError::Unavailable),
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

/// rustls with aws-lc-rs and Mozilla's roots (as authd's own outgoing HTTPS) plus `extra_roots`;
/// no redirects, so a JWKS URL cannot be bent to another host.
pub(crate) fn http_client(
    timeout: Duration,
    extra_roots: Vec<CertificateDer<'static>>,
) -> Result<reqwest13::Client, GuardConfigError> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    for certificate in extra_roots {
        roots
            .add(certificate)
            .map_err(|e| GuardConfigError::InvalidCertificate(e.to_string()))?;
    }
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| GuardConfigError::Client(e.to_string()))?
        .with_root_certificates(roots)
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
