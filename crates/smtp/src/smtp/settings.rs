//! How to reach the SMTP server (`SMTP_*`), and the lettre transport built from it.

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::{AsyncSmtpTransportBuilder, PoolConfig};
use lettre::{AsyncSmtpTransport, Tokio1Executor};
use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use std::str::FromStr;
use std::time::Duration;
use thiserror::Error;

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// TLS from the first byte ("SMTPS", usually port 465).
    Tls,
    /// Plain text, then a required `STARTTLS` before anything else (usually port 587). A server
    /// that does not offer it gets no mail.
    StartTls,
    /// `STARTTLS` when the server offers it, plain text otherwise: open to a downgrade by anyone
    /// on the path, for legacy relays only.
    Opportunistic,
    /// Plain text only: for a relay on the same host or a test server.
    None,
}

impl SmtpSecurity {
    /// The usual port for this mode: 465, 587, 587, 25.
    #[must_use]
    pub const fn default_port(self) -> u16 {
        match self {
            Self::Tls => 465,
            Self::StartTls | Self::Opportunistic => 587,
            Self::None => 25,
        }
    }
}

#[derive(Debug, Clone, Error, PartialEq, Eq)]
#[error("{0:?} is not an SMTP security mode (expected tls, starttls, opportunistic or none)")]
pub struct InvalidSmtpSecurity(String);

/// `tls` (alias `ssl`, `smtps`), `starttls`, `opportunistic`, `none`; case-insensitive.
impl FromStr for SmtpSecurity {
    type Err = InvalidSmtpSecurity;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "tls" | "ssl" | "smtps" => Ok(Self::Tls),
            "starttls" => Ok(Self::StartTls),
            "opportunistic" => Ok(Self::Opportunistic),
            "none" => Ok(Self::None),
            _ => Err(InvalidSmtpSecurity(s.to_owned())),
        }
    }
}

/// Where and how to deliver mail.
#[derive(Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    /// Set together with `password`, or not at all.
    pub username: Option<String>,
    pub password: Option<SecretString>,
    /// Bounds each delivery attempt and each health check, end to end.
    pub timeout: Duration,
    /// PEM certificates trusted besides the public roots (Mozilla's, built in): the CA of a
    /// private relay, or a test server's own certificate.
    pub extra_root_certificates: Option<Vec<u8>>,
}

impl fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "[REDACTED]"))
            .field("timeout", &self.timeout)
            .field(
                "extra_root_certificates",
                &self.extra_root_certificates.is_some(),
            )
            .finish()
    }
}

/// The SMTP settings cannot work: a start-up error.
#[derive(Debug, Error)]
pub enum SmtpError {
    #[error("SMTP_USER and SMTP_PASSWORD must be set together")]
    IncompleteCredentials,
    #[error("the SMTP host must not be empty")]
    MissingHost,
    #[error("the SMTP timeout must be longer than zero")]
    ZeroTimeout,
    #[error("the extra root certificates are not PEM certificates")]
    InvalidCertificate,
    #[error("cannot set up TLS for the SMTP connection: {0}")]
    Tls(String),
    #[error(
        "the SMTP mailer must be created inside a Tokio runtime (its connection pool runs there)"
    )]
    NoRuntime,
}

impl SmtpSettings {
    /// The transport builder, checked; each `build()` makes a transport with an empty pool.
    pub(super) fn transport_builder(&self) -> Result<AsyncSmtpTransportBuilder, SmtpError> {
        if self.host.trim().is_empty() {
            return Err(SmtpError::MissingHost);
        }
        if self.timeout.is_zero() {
            return Err(SmtpError::ZeroTimeout);
        }
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&self.host)
            .port(self.port)
            .tls(self.tls()?)
            .timeout(Some(self.timeout))
            // The worker sends one message at a time; a few spare connections cover several
            // workers in one process and the health check.
            .pool_config(PoolConfig::new().max_size(4));
        match (&self.username, &self.password) {
            (Some(user), Some(password)) => {
                builder = builder.credentials(Credentials::new(
                    user.clone(),
                    password.expose_secret().to_owned(),
                ));
            }
            (None, None) => {}
            _ => return Err(SmtpError::IncompleteCredentials),
        }
        Ok(builder)
    }

    fn tls(&self) -> Result<Tls, SmtpError> {
        if self.security == SmtpSecurity::None {
            return Ok(Tls::None);
        }
        let mut parameters = TlsParameters::builder(self.host.clone());
        if let Some(pem) = &self.extra_root_certificates {
            // lettre reads a PEM without any certificate as an empty list, not as an error.
            if !String::from_utf8_lossy(pem).contains("-----BEGIN CERTIFICATE-----") {
                return Err(SmtpError::InvalidCertificate);
            }
            let certificate =
                Certificate::from_pem(pem).map_err(|_| SmtpError::InvalidCertificate)?;
            parameters = parameters.add_root_certificate(certificate);
        }
        let parameters = parameters
            .build_rustls()
            .map_err(|e| SmtpError::Tls(e.to_string()))?;
        Ok(match self.security {
            SmtpSecurity::Tls => Tls::Wrapper(parameters),
            SmtpSecurity::StartTls => Tls::Required(parameters),
            SmtpSecurity::Opportunistic => Tls::Opportunistic(parameters),
            SmtpSecurity::None => Tls::None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> SmtpSettings {
        SmtpSettings {
            host: "smtp.example.com".to_owned(),
            port: 587,
            security: SmtpSecurity::StartTls,
            username: Some("authd".to_owned()),
            password: Some(SecretString::from("hunter2-very-secret")),
            timeout: Duration::from_secs(5),
            extra_root_certificates: None,
        }
    }

    #[test]
    fn security_modes_parse_from_their_names() {
        assert_eq!("STARTTLS".parse(), Ok(SmtpSecurity::StartTls));
        assert_eq!("ssl".parse(), Ok(SmtpSecurity::Tls));
        assert_eq!("none".parse(), Ok(SmtpSecurity::None));
        assert!("maybe".parse::<SmtpSecurity>().is_err());
        assert_eq!(SmtpSecurity::Tls.default_port(), 465);
    }

    #[test]
    fn debug_output_never_shows_the_password() {
        let shown = format!("{:?}", settings());
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("smtp.example.com"));
    }

    #[test]
    fn a_username_without_a_password_is_refused() {
        let mut s = settings();
        s.password = None;
        assert!(matches!(
            s.transport_builder(),
            Err(SmtpError::IncompleteCredentials)
        ));
    }

    #[test]
    fn text_that_is_not_a_certificate_is_refused() {
        let mut s = settings();
        s.extra_root_certificates = Some(b"not a certificate".to_vec());
        assert!(matches!(
            s.transport_builder(),
            Err(SmtpError::InvalidCertificate)
        ));
    }
}
