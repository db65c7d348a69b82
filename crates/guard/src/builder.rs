//! [`GuardBuilder`]: where authd's keys are, what every token must say, and how fresh the keys
//! and the revocation answers must be.

use crate::introspection::Introspection;
use crate::jwks::JwksCache;
use crate::verify::{Guard, Keys};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use jsonwebtoken::DecodingKey;
use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use std::time::Duration;

/// A refetch for an unknown `kid` happens at most this often by default.
pub const DEFAULT_MIN_REFRESH_INTERVAL: Duration = Duration::from_secs(30);
/// How long a JWKS answer without `Cache-Control: max-age` is kept.
pub const DEFAULT_JWKS_MAX_AGE: Duration = Duration::from_secs(300);
/// [`GuardBuilder::min_refresh_interval`] is never shorter: a guard cannot be told to hammer
/// authd.
pub const MIN_REFRESH_FLOOR: Duration = Duration::from_secs(1);
/// How long keys are still used past their refresh time while authd cannot be reached.
pub const DEFAULT_MAX_STALE: Duration = Duration::from_secs(24 * 3600);
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
    /// The `Authorization` header value. Basic: the id and the secret each
    /// `application/x-www-form-urlencoded` before they are joined and base64-encoded, as RFC 6749
    /// section 2.3.1 asks of OAuth clients (a `:` in the id cannot then split it wrongly).
    pub(crate) fn header(&self) -> String {
        match self {
            Self::Bearer(token) => format!("Bearer {}", token.expose_secret()),
            Self::Basic {
                client_id,
                client_secret,
            } => {
                let pair = format!(
                    "{}:{}",
                    form_encode(client_id),
                    form_encode(client_secret.expose_secret())
                );
                format!("Basic {}", STANDARD.encode(pair))
            }
        }
    }
}

fn form_encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
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
    #[error(
        "plain http:// to a host that is not loopback: {0} (use https://, or \
         GuardBuilder::allow_insecure_http on a network you trust)"
    )]
    InsecureUrl(String),
    #[error("a URL with a user name or password is refused (they would be logged): {0}")]
    CredentialsInUrl(String),
    #[error("no usable certificate in the PEM given to GuardBuilder::root_certificates: {0}")]
    InvalidCertificate(String),
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
    max_stale: Duration,
    leeway: Duration,
    http_timeout: Duration,
    allow_insecure_http: bool,
    /// PEM documents of extra trusted roots, parsed by `build`.
    root_certificates: Vec<Vec<u8>>,
    introspection: Option<(String, IntrospectionCredentials)>,
    introspection_cache: Duration,
}

impl fmt::Debug for GuardBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GuardBuilder")
            .field("url", &crate::urls::redacted(&self.url))
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
            max_stale: DEFAULT_MAX_STALE,
            leeway: DEFAULT_LEEWAY,
            http_timeout: DEFAULT_HTTP_TIMEOUT,
            allow_insecure_http: false,
            root_certificates: Vec::new(),
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

    /// The JWKS is fetched again for an unknown `kid` at most this often (30 s; never less
    /// than 1 s, [`MIN_REFRESH_FLOOR`]): tokens with made-up kids cannot make the guard hammer
    /// authd.
    #[must_use]
    pub fn min_refresh_interval(mut self, interval: Duration) -> Self {
        self.min_refresh_interval = interval.max(MIN_REFRESH_FLOOR);
        self
    }

    /// How long keys are kept when the JWKS answer has no `Cache-Control: max-age` (5 min).
    #[must_use]
    pub fn default_max_age(mut self, max_age: Duration) -> Self {
        self.default_max_age = max_age;
        self
    }

    /// Keys are fetched again at least this often, whatever `Cache-Control` allows (authd
    /// sends `max-age=300`): while authd answers, how long a key removed from its JWKS is still
    /// trusted here. While it does not, see [`Self::max_stale`].
    #[must_use]
    pub fn max_key_age(mut self, max_age: Duration) -> Self {
        self.max_key_age = Some(max_age);
        self
    }

    /// How long keys past their refresh time are still used while authd cannot be reached
    /// (24 h). Past it they are dropped and requests answered 503 until a fetch succeeds: a
    /// key authd removed, say after a leak, is not trusted forever because its JWKS was down.
    #[must_use]
    pub fn max_stale(mut self, max_stale: Duration) -> Self {
        self.max_stale = max_stale;
        self
    }

    /// Accepts `http://` to any host. Without it, plain HTTP is refused at `build` unless the
    /// host is loopback (`localhost`, `127.0.0.0/8`, `::1`): anyone on the path of a plain JWKS
    /// fetch could slip in a key of their own and mint tokens.
    #[must_use]
    pub fn allow_insecure_http(mut self) -> Self {
        self.allow_insecure_http = true;
        self
    }

    /// Also trusts the certificates of `pem` (one or more `CERTIFICATE` blocks) as roots for the
    /// HTTPS calls to authd, beside Mozilla's: for an authd behind a private CA.
    #[must_use]
    pub fn root_certificates(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.root_certificates.push(pem.as_ref().to_vec());
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
    /// No issuer or audience, a URL that is not https (nor http to loopback, or allowed), a URL
    /// with credentials, a PEM without a certificate, a short HS256 secret.
    pub fn build(self) -> Result<Guard, GuardConfigError> {
        let issuer = self.issuer.ok_or(GuardConfigError::MissingIssuer)?;
        let audience = self.audience.ok_or(GuardConfigError::MissingAudience)?;
        let roots = crate::urls::certificates(&self.root_certificates)?;
        let client = crate::jwks::http_client(self.http_timeout, roots)?;
        let insecure = self.allow_insecure_http;
        let keys = match self.hs256_secret {
            Some(secret) => {
                if secret.expose_secret().len() < 32 {
                    return Err(GuardConfigError::SecretTooShort);
                }
                Keys::Hs256(DecodingKey::from_secret(secret.expose_secret().as_bytes()))
            }
            None => Keys::Rs256(std::sync::Arc::new(JwksCache::new(
                crate::urls::jwks_url(&self.url, insecure)?,
                client.clone(),
                crate::jwks::Freshness {
                    min_refresh_interval: self.min_refresh_interval,
                    default_max_age: self.default_max_age,
                    max_key_age: self.max_key_age,
                    max_stale: self.max_stale,
                },
            ))),
        };
        let introspection = self
            .introspection
            .map(|(url, credentials)| {
                Introspection::new(
                    crate::urls::introspection_url(&url, insecure)?,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(id: &str, secret: &str) -> String {
        IntrospectionCredentials::Basic {
            client_id: id.into(),
            client_secret: SecretString::from(secret),
        }
        .header()
    }

    #[test]
    fn basic_credentials_are_form_encoded_before_base64() {
        assert_eq!(basic("svc", "s3cret"), "Basic c3ZjOnMzY3JldA==");
        // "svc%3A1:a+b%2Bc%2F%3D", per RFC 6749 section 2.3.1.
        assert_eq!(
            basic("svc:1", "a b+c/="),
            format!("Basic {}", STANDARD.encode("svc%3A1:a+b%2Bc%2F%3D"))
        );
    }

    #[test]
    fn min_refresh_interval_is_never_below_a_second() {
        let builder = Guard::builder("https://a.example").min_refresh_interval(Duration::ZERO);
        assert_eq!(builder.min_refresh_interval, MIN_REFRESH_FLOOR);
    }

    #[test]
    fn plain_http_is_refused_off_loopback_unless_allowed() {
        let build = |builder: GuardBuilder| builder.issuer("i").audience("a").build();
        let refused = build(Guard::builder("http://auth.example.com"));
        assert!(matches!(refused, Err(GuardConfigError::InsecureUrl(_))));
        let refused = build(Guard::builder("https://auth.example.com").introspection(
            "http://auth.example.com",
            IntrospectionCredentials::Bearer(SecretString::from("t")),
        ));
        assert!(matches!(refused, Err(GuardConfigError::InsecureUrl(_))));
        assert!(build(Guard::builder("http://auth.example.com").allow_insecure_http()).is_ok());
        for url in [
            "https://auth.example.com",
            "http://localhost:3000",
            "http://[::1]:3000",
        ] {
            assert!(build(Guard::builder(url)).is_ok(), "{url}");
        }
    }

    #[test]
    fn a_pem_without_a_certificate_is_refused() {
        let built = Guard::builder("https://a.example")
            .issuer("i")
            .audience("a")
            .root_certificates("not a certificate")
            .build();
        assert!(matches!(
            built,
            Err(GuardConfigError::InvalidCertificate(_))
        ));
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
