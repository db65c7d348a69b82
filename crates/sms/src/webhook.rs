//! The webhook transport: one JSON `POST` per text, `{"to": "+84987654321", "text": "..."}`,
//! with `Authorization: Bearer <SMS_WEBHOOK_TOKEN>` when a token is set.
//!
//! Only the answer's status is read: a gateway may echo the text (and its code) in the body,
//! so the body is never logged nor put in an error. Redirects are not followed (a `POST` turned
//! into a `GET`, or the token sent to another host, would be worse than failing).

use crate::failure;
use crate::settings::{SmsSetupError, WebhookSettings, WebhookUrl};
use async_trait::async_trait;
use authd_domain::ports::{SmsError, SmsSender};
use authd_domain::sms::Sms;
use reqwest13::header::{AUTHORIZATION, HeaderValue};
use reqwest13::redirect::Policy;
use secrecy::ExposeSecret;
use serde::Serialize;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Sends every text to one webhook.
pub struct WebhookSms {
    client: reqwest13::Client,
    url: WebhookUrl,
    /// `Bearer <token>`, marked sensitive so reqwest never shows it either.
    authorization: Option<HeaderValue>,
    timeout: Duration,
}

impl fmt::Debug for WebhookSms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookSms")
            .field("url", &self.url)
            .field("token", &self.authorization.as_ref().map(|_| "[REDACTED]"))
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize)]
struct Payload<'a> {
    to: &'a str,
    text: &'a str,
}

impl WebhookSms {
    /// Checks the settings and prepares the client; connects only on the first text.
    ///
    /// # Errors
    /// [`SmsSetupError`] when the settings cannot work (zero timeout, a token that is not a
    /// valid header value, a client that cannot be built).
    pub fn new(settings: &WebhookSettings) -> Result<Self, SmsSetupError> {
        if settings.timeout.is_zero() {
            return Err(SmsSetupError::ZeroTimeout);
        }
        let authorization = settings
            .token
            .as_ref()
            .map(|token| {
                let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose_secret()))
                    .map_err(|_| SmsSetupError::InvalidToken)?;
                value.set_sensitive(true);
                Ok::<_, SmsSetupError>(value)
            })
            .transpose()?;
        let client = reqwest13::Client::builder()
            .tls_backend_preconfigured(tls_config()?)
            .connect_timeout(settings.timeout)
            .timeout(settings.timeout)
            .redirect(Policy::none())
            .user_agent(concat!("authd/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SmsSetupError::Client(e.to_string()))?;
        Ok(Self {
            client,
            url: settings.url.clone(),
            authorization,
            timeout: settings.timeout,
        })
    }
}

/// rustls with aws-lc-rs (already in the binary for JWTs and TOTP sealing) and Mozilla's roots
/// built in, so the image needs no CA bundle: the same trust as the SMTP transport.
fn tls_config() -> Result<rustls::ClientConfig, SmsSetupError> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| SmsSetupError::Client(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(config)
}

#[async_trait]
impl SmsSender for WebhookSms {
    async fn send(&self, message: &Sms) -> Result<(), SmsError> {
        let origin = self.url.origin();
        let mut request = self.client.post(self.url.url().clone()).json(&Payload {
            to: message.to.as_str(),
            text: message.text.expose(),
        });
        if let Some(authorization) = &self.authorization {
            request = request.header(AUTHORIZATION, authorization.clone());
        }
        let response = request
            .send()
            .await
            .map_err(|e| failure::classify_error(&e, origin, self.timeout))?;
        let status = response.status();
        // Dropped unread: the body may echo the text.
        drop(response);
        failure::classify_status(status, origin)?;
        tracing::info!(webhook = %origin, status = status.as_u16(), "SMS handed to the webhook");
        Ok(())
    }
}
