//! RSA signing keys: loaded from PEM or generated at start-up, each with a `kid` and its public
//! half ready for verification and for the JWKS document.

use authd_domain::token::Jwk;
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{KeyPair, RsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{DecodingKey, EncodingKey};
use std::fmt;
use thiserror::Error;

/// Below this, RSA signatures are no longer considered safe (NIST SP 800-131A).
const MIN_MODULUS_BITS: usize = 2048;

/// Why a key could not be loaded or made.
#[derive(Debug, Error)]
pub enum KeyError {
    /// Not PEM, or not an RSA private key in PKCS#8 (`PRIVATE KEY`) or PKCS#1
    /// (`RSA PRIVATE KEY`) form.
    #[error("not a PEM-encoded RSA private key (PKCS#8 or PKCS#1)")]
    InvalidPem,
    #[error("RSA key rejected: it must be a valid key of at least 2048 bits")]
    Rejected,
    #[error("RSA key generation failed")]
    Generation,
}

/// One RSA key pair used for RS256. The private half never leaves this type (not even in Debug).
#[derive(Clone)]
pub struct RsaSigningKey {
    kid: String,
    encoding: EncodingKey,
    /// Public modulus and exponent, big-endian without leading zeros.
    n: Vec<u8>,
    e: Vec<u8>,
}

impl RsaSigningKey {
    /// Loads a private key from PEM: PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1
    /// (`BEGIN RSA PRIVATE KEY`). Its `kid` is the RFC 7638 thumbprint of the public key, so the
    /// same key always gets the same `kid`; see [`Self::with_kid`] to choose one.
    ///
    /// # Errors
    /// [`KeyError::InvalidPem`] for anything but an RSA private key, [`KeyError::Rejected`] for an
    /// inconsistent key or one under 2048 bits.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let encoding =
            EncodingKey::from_rsa_pem(pem.as_bytes()).map_err(|_| KeyError::InvalidPem)?;
        // `from_rsa_pem` also accepts public keys; only a private key parses as a key pair.
        let pair = RsaKeyPair::from_der(encoding.inner()).map_err(|_| KeyError::Rejected)?;
        if pair.public_modulus_len() * 8 < MIN_MODULUS_BITS {
            return Err(KeyError::Rejected);
        }
        let public = pair.public_key();
        let n = public.modulus().big_endian_without_leading_zero().to_vec();
        let e = public.exponent().big_endian_without_leading_zero().to_vec();
        Ok(Self {
            kid: thumbprint(&n, &e),
            encoding,
            n,
            e,
        })
    }

    /// A fresh 2048-bit key from the system RNG, for a service started without configured keys.
    /// Tokens signed with it stop verifying when the process exits.
    ///
    /// # Errors
    /// [`KeyError::Generation`] if the RNG or key generation fails.
    pub fn generate_ephemeral() -> Result<Self, KeyError> {
        let pair = RsaKeyPair::generate(KeySize::Rsa2048).map_err(|_| KeyError::Generation)?;
        let pkcs8 = pair.as_der().map_err(|_| KeyError::Generation)?;
        // jsonwebtoken signs from PKCS#1 DER and aws-lc-rs exports PKCS#8 only; going through
        // PEM reuses jsonwebtoken's own unwrapping instead of a hand-written DER parser.
        Self::from_pem(&pkcs8_pem(pkcs8.as_ref()))
    }

    /// Replaces the derived `kid`, e.g. to keep the identifiers of an existing deployment.
    #[must_use]
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = kid.into();
        self
    }

    #[must_use]
    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub(super) fn encoding_key(&self) -> &EncodingKey {
        &self.encoding
    }

    pub(super) fn decoding_key(&self) -> DecodingKey {
        DecodingKey::from_rsa_raw_components(&self.n, &self.e)
    }

    pub(super) fn jwk(&self) -> Jwk {
        Jwk {
            kty: "RSA".to_owned(),
            use_: "sig".to_owned(),
            alg: "RS256".to_owned(),
            kid: self.kid.clone(),
            n: URL_SAFE_NO_PAD.encode(&self.n),
            e: URL_SAFE_NO_PAD.encode(&self.e),
        }
    }
}

/// The RFC 7638 JWK thumbprint: SHA-256 over the canonical JSON of the required members.
fn thumbprint(n: &[u8], e: &[u8]) -> String {
    let canonical = format!(
        r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
        URL_SAFE_NO_PAD.encode(e),
        URL_SAFE_NO_PAD.encode(n)
    );
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, canonical.as_bytes());
    URL_SAFE_NO_PAD.encode(digest.as_ref())
}

fn pkcs8_pem(der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut pem = String::with_capacity(body.len() + body.len() / 64 + 64);
    pem.push_str("-----BEGIN PRIVATE KEY-----\n");
    for line in body.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(line));
        pem.push('\n');
    }
    pem.push_str("-----END PRIVATE KEY-----\n");
    pem
}

impl fmt::Debug for RsaSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RsaSigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}
