//! Where the webhook is (`SMS_WEBHOOK_URL`), its bearer token and its timeout.
//!
//! The URL may carry a gateway's key in its path or query, so it is never shown whole: logs,
//! errors and `Debug` name only its origin (`https://sms.example.com:443`).

use reqwest13::Url;
use secrecy::SecretString;
use std::fmt;
use std::net::IpAddr;
use std::time::Duration;
use thiserror::Error;

/// Whether the webhook may be reached over plain `http`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlainHttp {
    /// Only on the loopback interface (a gateway or sidecar on the same host): anywhere else the
    /// texts, which carry live codes, and the token would cross the network readable.
    LoopbackOnly,
    /// Anywhere (an operator's explicit choice for a private network).
    Allowed,
}

/// An `http(s)` URL without user name or password.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookUrl {
    url: Url,
    origin: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum InvalidWebhookUrl {
    #[error("is not a URL")]
    Malformed,
    #[error("must be an http:// or https:// URL")]
    NotHttp,
    #[error(
        "must not hold a user name or password: put the credential in SMS_WEBHOOK_TOKEN (sent as \
         a bearer token)"
    )]
    HasCredentials,
    #[error(
        "uses plain http to {0}, which is not this host: use https (plain http is accepted for \
         loopback addresses, or anywhere with SMS_WEBHOOK_ALLOW_HTTP=true)"
    )]
    PlainHttpOffHost(String),
}

impl WebhookUrl {
    /// # Errors
    /// [`InvalidWebhookUrl`] for anything but an `http(s)` URL without credentials, and for
    /// plain `http` off the loopback interface unless `plain_http` allows it. The messages never
    /// repeat the path or query.
    pub fn parse(raw: &str, plain_http: PlainHttp) -> Result<Self, InvalidWebhookUrl> {
        let url = Url::parse(raw.trim()).map_err(|_| InvalidWebhookUrl::Malformed)?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(InvalidWebhookUrl::NotHttp);
        }
        let Some(host) = url.host_str().filter(|h| !h.is_empty()) else {
            return Err(InvalidWebhookUrl::Malformed);
        };
        if !url.username().is_empty() || url.password().is_some() {
            return Err(InvalidWebhookUrl::HasCredentials);
        }
        if url.scheme() == "http" && plain_http == PlainHttp::LoopbackOnly && !is_loopback(host) {
            return Err(InvalidWebhookUrl::PlainHttpOffHost(host.to_owned()));
        }
        let port = url.port_or_known_default().unwrap_or_default();
        let origin = format!("{}://{host}:{port}", url.scheme());
        Ok(Self { url, origin })
    }

    /// `scheme://host:port`, what logs and errors show.
    #[must_use]
    pub fn origin(&self) -> &str {
        &self.origin
    }

    pub(crate) fn url(&self) -> &Url {
        &self.url
    }
}

impl fmt::Debug for WebhookUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WebhookUrl({}/...)", self.origin)
    }
}

impl fmt::Display for WebhookUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.origin)
    }
}

/// `localhost` and loopback addresses (`url` keeps IPv6 hosts in brackets).
fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// How to reach the webhook.
#[derive(Clone)]
pub struct WebhookSettings {
    pub url: WebhookUrl,
    /// Sent as `Authorization: Bearer <token>` when set.
    pub token: Option<SecretString>,
    /// Bounds one send end to end: connecting, TLS, the request and the answer's status.
    pub timeout: Duration,
}

impl fmt::Debug for WebhookSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookSettings")
            .field("url", &self.url)
            .field("token", &self.token.as_ref().map(|_| "[REDACTED]"))
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// The settings cannot work: a start-up error.
#[derive(Debug, Error)]
pub enum SmsSetupError {
    #[error("the SMS webhook timeout must be longer than zero")]
    ZeroTimeout,
    #[error("SMS_WEBHOOK_TOKEN cannot be sent in an HTTP header (printable ASCII only)")]
    InvalidToken,
    #[error("cannot set up the HTTP client of the SMS webhook: {0}")]
    Client(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> Result<WebhookUrl, InvalidWebhookUrl> {
        WebhookUrl::parse(raw, PlainHttp::LoopbackOnly)
    }

    #[test]
    fn https_anywhere_and_http_on_loopback_are_accepted() {
        for (raw, origin) in [
            (
                "https://sms.example.com/send",
                "https://sms.example.com:443",
            ),
            ("http://127.0.0.1:8080/sms", "http://127.0.0.1:8080"),
            ("http://localhost/sms", "http://localhost:80"),
            ("http://[::1]:9000/", "http://[::1]:9000"),
        ] {
            assert_eq!(parse(raw).unwrap().origin(), origin, "{raw}");
        }
    }

    #[test]
    fn plain_http_to_another_host_needs_the_explicit_switch() {
        let raw = "http://sms-gateway.internal:8080/send";
        assert_eq!(
            parse(raw).unwrap_err(),
            InvalidWebhookUrl::PlainHttpOffHost("sms-gateway.internal".to_owned())
        );
        assert!(WebhookUrl::parse(raw, PlainHttp::Allowed).is_ok());
    }

    #[test]
    fn other_schemes_credentials_and_garbage_are_refused() {
        assert_eq!(
            parse("ftp://example.com/").unwrap_err(),
            InvalidWebhookUrl::NotHttp
        );
        assert_eq!(
            parse("https://user:pw@example.com/").unwrap_err(),
            InvalidWebhookUrl::HasCredentials
        );
        for raw in ["", "sms.example.com/send", "https://"] {
            assert!(parse(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn debug_and_display_never_show_the_path_query_or_token() {
        let settings = WebhookSettings {
            url: parse("https://sms.example.com/hook/k3y-in-path?api_key=k3y-in-query").unwrap(),
            token: Some(SecretString::from("t0ken-very-secret")),
            timeout: Duration::from_secs(5),
        };
        let shown = format!("{settings:?} {}", settings.url);
        for secret in ["k3y-in-path", "k3y-in-query", "t0ken"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("https://sms.example.com:443"), "{shown}");
    }
}
