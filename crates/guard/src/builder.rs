//! [`GuardBuilder`]: where authd's keys are, what every token must say, and how fresh the keys
//! and the revocation answers must be.

use crate::introspection::Introspection;
use crate::jwks::JwksCache;
use crate::verify::{Guard, Keys};
use jsonwebtoken::DecodingKey;
use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use std::time::Duration;

/// A refetch for an unknown `kid` happens at most this often by default.
pub const DEFAULT_MIN_REFRESH_INTERVAL: Duration = Duration::from_secs(30);
/// How long a JWKS answer without `Cache-Control: max-age` is kept.
pub const DEFAULT_JWKS_MAX_AGE: Duration = Duration::from_secs(300);
/// authd's own tolerance for clock skew.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(30);
/// Each call to authd (JWKS, introspection) gives up after this long.
pub const DEFAULT_HTTP_TIMEOUT: Duration = Duration::from_secs(5);

/// How the guard authenticates itself to authd's introspection endpoint: one of
/// `INTROSPECTION_TOKEN`, or a client of `INTROSPECTION_CLIENTS`.
#[derive(Clone)]
pub enum IntrospectionCredentials {
    Bearer(SecretString),
    Basic {
        client_id: String,
        client_secret: SecretString,
    },
}

impl IntrospectionCredentials {
    /// The `Authorization` header value.
    pub(crate) fn header(&self) -> String {
        match self {
            Self::Bearer(token) => format!("Bearer {}", token.expose_secret()),
            Self::Basic {
                client_id,
                client_secret,
            } => {
                use base64_lite::encode;
                format!(
                    "Basic {}",
                    encode(format!("{client_id}:{}", client_secret.expose_secret()).as_bytes())
                )
            }
        }
    }
}

impl fmt::Debug for IntrospectionCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bearer(_) => f.write_str("Bearer(<redacted>)"),
            Self::Basic { client_id, .. } => f
                .debug_struct("Basic")
                .field("client_id", client_id)
                .field("client_secret", &"<redacted>")
                .finish(),
        }
    }
}

/// Why a guard could not be built: a configuration mistake, found before serving.
#[derive(Debug, thiserror::Error)]
pub enum GuardConfigError {
    #[error("the issuer to pin is not set (GuardBuilder::issuer)")]
    MissingIssuer,
    #[error("the audience to pin is not set (GuardBuilder::audience)")]
    MissingAudience,
    #[error("not an http(s) URL: {0}")]
    InvalidUrl(String),
    #[error("the HS256 secret must be at least 32 bytes")]
    SecretTooShort,
    #[error("the HTTP client could not be built: {0}")]
    Client(String),
}

/// Starts from authd's base URL (`https://auth.example.com`: the JWKS is its
/// `/.well-known/jwks.json`) or from the JWKS URL itself (a URL ending in `.json`).
pub struct GuardBuilder {
    url: String,
    issuer: Option<String>,
    audience: Option<String>,
    hs256_secret: Option<SecretString>,
    min_refresh_interval: Duration,
    default_max_age: Duration,
    max_key_age: Option<Duration>,
    leeway: Duration,
    http_timeout: Duration,
    introspection: Option<(String, IntrospectionCredentials)>,
    introspection_cache: Duration,
}

impl fmt::Debug for GuardBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GuardBuilder")
            .field("url", &self.url)
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("hs256", &self.hs256_secret.is_some())
            .field("introspection", &self.introspection)
            .finish_non_exhaustive()
    }
}

impl GuardBuilder {
    pub(crate) fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            issuer: None,
            audience: None,
            hs256_secret: None,
            min_refresh_interval: DEFAULT_MIN_REFRESH_INTERVAL,
            default_max_age: DEFAULT_JWKS_MAX_AGE,
            max_key_age: None,
            leeway: DEFAULT_LEEWAY,
            http_timeout: DEFAULT_HTTP_TIMEOUT,
            introspection: None,
            introspection_cache: Duration::ZERO,
        }
    }

    /// authd's `JWT_ISSUER` (default `authd`): every token's `iss` must be it.
    #[must_use]
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// authd's `JWT_AUDIENCE` (default `authd`): every token's `aud` must name it.
    #[must_use]
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// HS256 with authd's `JWT_ACCESS_SECRET` instead of RS256 and the JWKS: for simple setups
    /// where the service may hold the secret (it could then mint tokens itself). RS256 tokens are
    /// refused then, and no JWKS is fetched.
    #[must_use]
    pub fn hs256_secret(mut self, secret: SecretString) -> Self {
        self.hs256_secret = Some(secret);
        self
    }

    /// The JWKS is fetched again for an unknown `kid` at most this often (30 s): tokens with
    /// made-up kids cannot make the guard hammer authd.
    #[must_use]
    pub fn min_refresh_interval(mut self, interval: Duration) -> Self {
        self.min_refresh_interval = interval;
        self
    }

    /// How long keys are kept when the JWKS answer has no `Cache-Control: max-age` (5 min).
    #[must_use]
    pub fn default_max_age(mut self, max_age: Duration) -> Self {
        self.default_max_age = max_age;
        self
    }

    /// Keys are fetched again at least this often, whatever `Cache-Control` allows (authd
    /// sends `max-age=300`): how long a key removed from authd's JWKS is still trusted here.
    #[must_use]
    pub fn max_key_age(mut self, max_age: Duration) -> Self {
        self.max_key_age = Some(max_age);
        self
    }

    /// Tolerated clock skew for `exp` and `nbf` (30 s, as authd's).
    #[must_use]
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// The timeout of each call to authd (5 s).
    #[must_use]
    pub fn http_timeout(mut self, timeout: Duration) -> Self {
        self.http_timeout = timeout;
        self
    }

    /// Also asks authd's `POST /v1/auth/introspect` about every token that verified locally,
    /// and refuses one that is no longer active (`TOKEN_REVOKED`). `url` is authd's base URL or
    /// the endpoint's own URL.
    #[must_use]
    pub fn introspection(
        mut self,
        url: impl Into<String>,
        credentials: IntrospectionCredentials,
    ) -> Self {
        self.introspection = Some((url.into(), credentials));
        self
    }

    /// How long an `active: true` answer is reused for the same token (off: every request asks).
    /// A revocation then takes up to this long to be seen.
    #[must_use]
    pub fn introspection_cache(mut self, ttl: Duration) -> Self {
        self.introspection_cache = ttl;
        self
    }

    /// # Errors
    /// No issuer or audience, a URL that is not http(s), a short HS256 secret.
    pub fn build(self) -> Result<Guard, GuardConfigError> {
        let issuer = self.issuer.ok_or(GuardConfigError::MissingIssuer)?;
        let audience = self.audience.ok_or(GuardConfigError::MissingAudience)?;
        let client = crate::jwks::http_client(self.http_timeout)?;
        let keys = match self.hs256_secret {
            Some(secret) => {
                if secret.expose_secret().len() < 32 {
                    return Err(GuardConfigError::SecretTooShort);
                }
                Keys::Hs256(DecodingKey::from_secret(secret.expose_secret().as_bytes()))
            }
            None => Keys::Rs256(JwksCache::new(
                jwks_url(&self.url)?,
                client.clone(),
                self.min_refresh_interval,
                self.default_max_age,
                self.max_key_age,
            )),
        };
        let introspection = self
            .introspection
            .map(|(url, credentials)| {
                Introspection::new(
                    introspection_url(&url)?,
                    credentials,
                    client.clone(),
                    self.introspection_cache,
                )
            })
            .transpose()?;
        Ok(Guard::new(
            keys,
            issuer,
            audience,
            self.leeway,
            introspection,
        ))
    }
}

fn checked(url: &str) -> Result<String, GuardConfigError> {
    let url = url.trim();
    if url.starts_with("https://") || url.starts_with("http://") {
        Ok(url.trim_end_matches('/').to_owned())
    } else {
        Err(GuardConfigError::InvalidUrl(url.to_owned()))
    }
}

fn jwks_url(url: &str) -> Result<String, GuardConfigError> {
    let url = checked(url)?;
    Ok(if url.ends_with(".json") {
        url
    } else {
        format!("{url}/.well-known/jwks.json")
    })
}

fn introspection_url(url: &str) -> Result<String, GuardConfigError> {
    let url = checked(url)?;
    Ok(if url.ends_with("/introspect") {
        url
    } else {
        format!("{url}/v1/auth/introspect")
    })
}

/// Standard base64 for the Basic header, without a dependency for twenty lines.
mod base64_lite {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    pub(super) fn encode(bytes: &[u8]) -> String {
        let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
        for chunk in bytes.chunks(3) {
            let b = [
                chunk[0],
                chunk.get(1).copied().unwrap_or(0),
                chunk.get(2).copied().unwrap_or(0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
                if i <= chunk.len() {
                    out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn encodes_like_rfc_4648() {
            assert_eq!(super::encode(b""), "");
            assert_eq!(super::encode(b"f"), "Zg==");
            assert_eq!(super::encode(b"fo"), "Zm8=");
            assert_eq!(super::encode(b"foo"), "Zm9v");
            assert_eq!(super::encode(b"svc:s3cret"), "c3ZjOnMzY3JldA==");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_base_url_leads_to_its_jwks_and_introspection_endpoint() {
        assert_eq!(
            jwks_url("http://127.0.0.1:3000/").ok().as_deref(),
            Some("http://127.0.0.1:3000/.well-known/jwks.json")
        );
        assert_eq!(
            jwks_url("https://a.example/keys.json").ok().as_deref(),
            Some("https://a.example/keys.json")
        );
        assert_eq!(
            introspection_url("https://a.example").ok().as_deref(),
            Some("https://a.example/v1/auth/introspect")
        );
        assert!(jwks_url("ftp://a.example").is_err());
    }

    #[test]
    fn debug_shows_no_secret() {
        let builder = Guard::builder("http://127.0.0.1:1")
            .hs256_secret(SecretString::from("hs256-secret-of-at-least-32-bytes!!"))
            .introspection(
                "http://127.0.0.1:1",
                IntrospectionCredentials::Basic {
                    client_id: "svc".into(),
                    client_secret: SecretString::from("client-s3cret"),
                },
            );
        let shown = format!("{builder:?}");
        assert!(!shown.contains("hs256-secret"), "{shown}");
        assert!(!shown.contains("client-s3cret"), "{shown}");
        assert!(shown.contains("svc"), "{shown}");
        let bearer = IntrospectionCredentials::Bearer(SecretString::from("t0ken"));
        assert!(!format!("{bearer:?}").contains("t0ken"));
    }
}
