//! TLS to PostgreSQL over rustls (aws-lc-rs), chosen by libpq's own URL parameters:
//! `sslmode=require|verify-ca|verify-full` turns it on, `sslrootcert=<PEM file>` names the CA
//! (else Mozilla's roots). Every TLS mode verifies the certificate chain: `require` is not
//! libpq's "encrypt but trust anyone", which would let whoever sits on the path read every
//! password hash; `verify-full` checks the host name as well. Any other `sslmode` (or none)
//! stays plain text, as before, and a TLS mode never falls back to it: tokio-postgres is told
//! `sslmode=require`, so a server without TLS fails the connection.

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_postgres::tls::{ChannelBinding, MakeTlsConnect, TlsConnect};

/// How a connection is secured, as the URL asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// The chain must lead to a trusted CA; the host name is not checked.
    Chain,
    /// The chain and the host name.
    Full,
}

/// A URL split into what tokio-postgres reads and the TLS it asks for.
#[derive(Debug)]
pub(crate) struct Target {
    /// The URL without `sslrootcert` (tokio-postgres refuses options it does not know), and
    /// with `sslmode=require` for every TLS mode.
    pub(crate) url: String,
    pub(crate) tls: Option<(Mode, Option<String>)>,
}

/// Reads `sslmode` and `sslrootcert` out of `url`.
pub(crate) fn target(url: &str) -> Result<Target, String> {
    let Some((base, query)) = url.split_once('?') else {
        return Ok(Target {
            url: url.to_owned(),
            tls: None,
        });
    };
    // Twice would be read as the first by one reader and the last by another: a URL saying
    // `sslmode=verify-full&sslmode=disable` must not look encrypted and connect in plain text.
    for name in ["sslmode=", "sslrootcert="] {
        if query
            .split('&')
            .filter(|pair| pair.starts_with(name))
            .count()
            > 1
        {
            return Err(format!(
                "{} is given more than once: give it once",
                name.trim_end_matches('=')
            ));
        }
    }
    let (mut mode, mut root) = (None, None);
    let mut kept = Vec::new();
    for pair in query.split('&') {
        if let Some(value) = pair.strip_prefix("sslmode=") {
            match value {
                "require" | "verify-ca" => mode = Some(Mode::Chain),
                "verify-full" => mode = Some(Mode::Full),
                _ => {
                    mode = None;
                    kept.push(pair);
                }
            }
        } else if let Some(value) = pair.strip_prefix("sslrootcert=") {
            root = Some(percent_decode(value)?);
        } else {
            kept.push(pair);
        }
    }
    let Some(mode) = mode else {
        if root.is_some() {
            return Err(
                "sslrootcert is given but sslmode is not require, verify-ca or \
                        verify-full: TLS would not be used"
                    .to_owned(),
            );
        }
        return Ok(Target {
            url: url.to_owned(),
            tls: None,
        });
    };
    kept.push("sslmode=require");
    Ok(Target {
        url: format!("{base}?{}", kept.join("&")),
        tls: Some((mode, root)),
    })
}

fn percent_decode(raw: &str) -> Result<String, String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = raw
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or("sslrootcert is not validly percent-encoded")?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "sslrootcert is not UTF-8".to_owned())
}

/// The rustls client for `mode`, trusting the CA certificates in `root` (a PEM file), or
/// Mozilla's roots without one. Read at every connection, so a renewed CA file is picked up.
pub(crate) fn connector(mode: Mode, root: Option<&str>) -> Result<RustlsConnect, String> {
    let mut roots = RootCertStore::empty();
    match root {
        Some(path) => {
            let pem =
                std::fs::read(path).map_err(|e| format!("cannot read the CA file {path}: {e}"))?;
            for cert in CertificateDer::pem_slice_iter(&pem) {
                let cert = cert.map_err(|e| format!("the CA file {path} is not PEM: {e}"))?;
                roots
                    .add(cert)
                    .map_err(|e| format!("the CA file {path} holds a bad certificate: {e}"))?;
            }
            if roots.is_empty() {
                return Err(format!("the CA file {path} holds no certificate"));
            }
        }
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map_err(|e| format!("TLS set-up: {e}"))?;
    let verifier: Arc<dyn ServerCertVerifier> = match mode {
        Mode::Full => webpki,
        Mode::Chain => Arc::new(ChainOnly(webpki)),
    };
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS set-up: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(RustlsConnect(Arc::new(config)))
}

/// `verify-ca`: the full WebPKI check, except that a certificate for another name passes.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// tokio-postgres's TLS hooks over tokio-rustls.
#[derive(Clone)]
pub(crate) struct RustlsConnect(Arc<ClientConfig>);

impl<S> MakeTlsConnect<S> for RustlsConnect
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = TlsStream<S>;
    type TlsConnect = Connect;
    type Error = rustls::pki_types::InvalidDnsNameError;

    fn make_tls_connect(&mut self, domain: &str) -> Result<Connect, Self::Error> {
        Ok(Connect(
            self.0.clone(),
            ServerName::try_from(domain.to_owned())?,
        ))
    }
}

pub(crate) struct Connect(Arc<ClientConfig>, ServerName<'static>);

impl<S> TlsConnect<S> for Connect
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = TlsStream<S>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<TlsStream<S>>> + Send>>;

    fn connect(self, stream: S) -> Self::Future {
        let Self(config, name) = self;
        Box::pin(async move {
            let tls = tokio_rustls::TlsConnector::from(config)
                .connect(name, stream)
                .await?;
            Ok(TlsStream(tls))
        })
    }
}

/// A TLS connection to the server. No channel binding: SCRAM works without it, and the
/// certificate check above is what keeps a man in the middle out.
pub(crate) struct TlsStream<S>(tokio_rustls::client::TlsStream<S>);

impl<S: AsyncRead + AsyncWrite + Unpin> tokio_postgres::tls::TlsStream for TlsStream<S> {
    fn channel_binding(&self) -> ChannelBinding {
        ChannelBinding::none()
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for TlsStream<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for TlsStream<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_modes_become_require_and_the_ca_leaves_the_url() {
        let t =
            target("postgres://u@h/db?sslmode=verify-ca&sslrootcert=%2Fetc%2Fca.pem&x=1").unwrap();
        assert_eq!(t.url, "postgres://u@h/db?x=1&sslmode=require");
        assert_eq!(t.tls, Some((Mode::Chain, Some("/etc/ca.pem".to_owned()))));
        let t = target("postgres://u@h/db?sslmode=verify-full").unwrap();
        assert_eq!(t.tls, Some((Mode::Full, None)));
        let t = target("postgres://u@h/db?sslmode=require").unwrap();
        assert_eq!(t.tls, Some((Mode::Chain, None)));
    }

    #[test]
    fn a_mode_or_ca_given_twice_is_refused() {
        for url in [
            "postgres://u@h/db?sslmode=verify-full&sslmode=disable",
            "postgres://u@h/db?sslmode=disable&x=1&sslmode=require",
            "postgres://u@h/db?sslmode=require&sslrootcert=a.pem&sslrootcert=b.pem",
        ] {
            assert!(target(url).is_err(), "{url}");
        }
    }

    #[test]
    fn other_modes_stay_plain_and_a_lone_ca_is_refused() {
        for url in ["postgres://u@h/db", "postgres://u@h/db?sslmode=disable"] {
            let t = target(url).unwrap();
            assert_eq!((t.url.as_str(), t.tls), (url, None));
        }
        assert!(target("postgres://u@h/db?sslrootcert=ca.pem").is_err());
    }

    #[test]
    fn a_missing_or_empty_ca_file_is_named() {
        let e = connector(Mode::Full, Some("/nonexistent/ca.pem"))
            .err()
            .unwrap();
        assert!(e.contains("/nonexistent/ca.pem"), "{e}");
    }
}
