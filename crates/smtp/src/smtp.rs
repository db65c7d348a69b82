//! The SMTP transport: lettre's async client over rustls, with a small connection pool, the
//! same templates and MIME message as the file transport, and failures sorted into transient
//! and permanent for the outbox (see `failure.rs`). Unlike the file transport it never logs a
//! link: the links carry live single-use tokens.

mod failure;
mod settings;

pub use settings::{InvalidSmtpSecurity, SmtpError, SmtpSecurity, SmtpSettings};

use crate::message;
use crate::sender::Sender;
use crate::templates::Templates;
use async_trait::async_trait;
use authd_domain::notification::Letter;
use authd_domain::ports::{MailError, Mailer};
use lettre::transport::smtp::AsyncSmtpTransportBuilder;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

type Transport = AsyncSmtpTransport<Tokio1Executor>;

/// Delivers every email to one SMTP server.
pub struct SmtpMailer {
    builder: AsyncSmtpTransportBuilder,
    /// Replaced by a fresh one (empty pool) after a timeout, see [`SmtpMailer::after_timeout`].
    transport: RwLock<Arc<Transport>>,
    server: String,
    timeout: Duration,
    from: Sender,
    templates: Templates,
}

impl std::fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpMailer")
            .field("server", &self.server)
            .field("timeout", &self.timeout)
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

impl SmtpMailer {
    /// Checks the settings and prepares the connection pool; connects only on the first email or
    /// health check. Must run inside a Tokio runtime, where the pool keeps a cleanup task.
    ///
    /// # Errors
    /// [`SmtpError`] when the settings cannot work (half-set credentials, an invalid extra
    /// certificate, no runtime).
    pub fn new(
        settings: &SmtpSettings,
        from: Sender,
        templates: Templates,
    ) -> Result<Self, SmtpError> {
        let builder = settings.transport_builder()?;
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(SmtpError::NoRuntime);
        }
        Ok(Self {
            transport: RwLock::new(Arc::new(builder.clone().build())),
            builder,
            server: format!(
                "{}:{} ({:?})",
                settings.host, settings.port, settings.security
            ),
            timeout: settings.timeout,
            from,
            templates,
        })
    }

    fn transport(&self) -> Arc<Transport> {
        self.transport
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// A send cut off by the deadline may leave a pooled connection in the middle of a command,
    /// whose late reply the next message would read as its own. A fresh pool guarantees none of
    /// those connections is used again.
    fn after_timeout(&self) {
        let fresh = Arc::new(self.builder.clone().build());
        *self
            .transport
            .write()
            .unwrap_or_else(PoisonError::into_inner) = fresh;
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn deliver(&self, letter: &Letter) -> Result<(), MailError> {
        let mail = &letter.notification;
        let rendered = self.templates.render(letter)?;
        let message = message::build(&self.from, mail.recipient(), &rendered)?;
        let transport = self.transport();
        match tokio::time::timeout(self.timeout, transport.send(message)).await {
            Ok(Ok(_)) => {
                tracing::info!(kind = mail.kind(), server = %self.server, "email sent over SMTP");
                Ok(())
            }
            Ok(Err(e)) => Err(failure::classify(&e)),
            Err(_) => {
                self.after_timeout();
                Err(MailError::Transient(format!(
                    "the SMTP server {} did not take the email within {:?}",
                    self.server, self.timeout
                )))
            }
        }
    }

    /// Whether the server answers a `NOOP` within the timeout. It opens (and pools) a connection
    /// at most: callers cache the answer rather than ask on every request.
    async fn is_healthy(&self) -> bool {
        let transport = self.transport();
        match tokio::time::timeout(self.timeout, transport.test_connection()).await {
            Ok(Ok(answered)) => answered,
            Ok(Err(e)) => {
                tracing::warn!(server = %self.server, error = %e, "SMTP health check failed");
                false
            }
            Err(_) => {
                self.after_timeout();
                tracing::warn!(server = %self.server, "SMTP health check timed out");
                false
            }
        }
    }
}

/// lettre's pool spawns a cleanup task when it is dropped, which panics outside a Tokio
/// runtime (a mailer that outlives `main`'s runtime). Leaking the pool there is harmless: the
/// process is ending.
impl Drop for SmtpMailer {
    fn drop(&mut self) {
        if tokio::runtime::Handle::try_current().is_err() {
            let transport = self
                .transport
                .get_mut()
                .unwrap_or_else(PoisonError::into_inner);
            std::mem::forget(Arc::clone(transport));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> SmtpSettings {
        SmtpSettings {
            host: "127.0.0.1".to_owned(),
            port: 2525,
            security: SmtpSecurity::None,
            username: None,
            password: None,
            timeout: Duration::from_secs(1),
            extra_root_certificates: None,
        }
    }

    fn templates() -> Templates {
        Templates::new(
            "http://localhost:3000",
            chrono::Duration::hours(24),
            chrono::Duration::hours(1),
        )
    }

    #[test]
    fn a_mailer_made_outside_a_tokio_runtime_is_refused() {
        let made = SmtpMailer::new(&settings(), Sender::default(), templates());
        assert!(matches!(made, Err(SmtpError::NoRuntime)));
    }

    #[test]
    fn a_mailer_that_outlives_its_runtime_drops_without_panicking() {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let mailer = runtime
            .block_on(async { SmtpMailer::new(&settings(), Sender::default(), templates()) })
            .unwrap();
        drop(runtime);
        drop(mailer);
    }
}
