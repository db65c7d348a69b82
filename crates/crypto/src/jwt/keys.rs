//! RSA signing keys: loaded from PEM or generated at start-up, each with a `kid`, parsed once into
//! the aws-lc-rs objects that sign and verify (parsing and checking a key costs more than a
//! signature, so it must not happen per token), and its public half for the JWKS document.

use authd_domain::token::Jwk;
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{
    KeyPair, ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RsaKeyPair,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use thiserror::Error;

/// Below this, RSA signatures are no longer considered safe (NIST SP 800-131A).
const MIN_MODULUS_BITS: usize = 2048;

/// Why a key could not be loaded or made.
#[derive(Debug, Error)]
pub enum KeyError {
    /// Not PEM, or a PEM block other than a PKCS#8 (`PRIVATE KEY`) or PKCS#1
    /// (`RSA PRIVATE KEY`) private key.
    #[error("not a PEM-encoded RSA private key (PKCS#8 or PKCS#1)")]
    InvalidPem,
    /// The block does not hold a consistent RSA private key of at least 2048 bits.
    #[error("RSA key rejected: it must be a valid key of at least 2048 bits")]
    Rejected,
    #[error("RSA key generation failed")]
    Generation,
}

/// The modulus sizes [`RsaSigningKey::generate`] makes. 2048 bits is the default: what an
/// unconfigured start-up generates, and the cheapest signature (every login and refresh signs);
/// 3072 and 4096 for policies that ask for more.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RsaKeyBits {
    #[default]
    Rsa2048,
    Rsa3072,
    Rsa4096,
}

impl RsaKeyBits {
    /// The size of that many bits, if it is one of the sizes made.
    #[must_use]
    pub fn from_bits(bits: u32) -> Option<Self> {
        match bits {
            2048 => Some(Self::Rsa2048),
            3072 => Some(Self::Rsa3072),
            4096 => Some(Self::Rsa4096),
            _ => None,
        }
    }

    #[must_use]
    pub fn bits(self) -> u32 {
        match self {
            Self::Rsa2048 => 2048,
            Self::Rsa3072 => 3072,
            Self::Rsa4096 => 4096,
        }
    }

    fn size(self) -> KeySize {
        match self {
            Self::Rsa2048 => KeySize::Rsa2048,
            Self::Rsa3072 => KeySize::Rsa3072,
            Self::Rsa4096 => KeySize::Rsa4096,
        }
    }
}

/// One RSA key pair used for RS256. The private half never leaves this type (not even in Debug).
/// Cloning shares the parsed key objects instead of parsing again.
#[derive(Clone)]
pub struct RsaSigningKey {
    kid: String,
    pair: RsaKeyPair,
    public: ParsedPublicKey,
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
        let block = pem::parse(pem).map_err(|_| KeyError::InvalidPem)?;
        let pair = match block.tag() {
            "PRIVATE KEY" => RsaKeyPair::from_pkcs8(block.contents()),
            "RSA PRIVATE KEY" => RsaKeyPair::from_der(block.contents()),
            _ => return Err(KeyError::InvalidPem),
        }
        .map_err(|_| KeyError::Rejected)?;
        Self::from_pair(pair)
    }

    /// A fresh 2048-bit key from the system RNG, for a service started without configured keys.
    /// Tokens signed with it stop verifying when the process exits.
    ///
    /// # Errors
    /// [`KeyError::Generation`] if the RNG or key generation fails.
    pub fn generate_ephemeral() -> Result<Self, KeyError> {
        let pair = RsaKeyPair::generate(KeySize::Rsa2048).map_err(|_| KeyError::Generation)?;
        Self::from_pair(pair).map_err(|_| KeyError::Generation)
    }

    /// A fresh key from the system RNG and its private half as PKCS#8 PEM (`BEGIN PRIVATE KEY`),
    /// to be written to a file for `JWT_PRIVATE_KEY_FILE`. The key is the PEM read back through
    /// [`Self::from_pem`], so its `kid` is the one start-up derives from that file.
    ///
    /// # Errors
    /// [`KeyError::Generation`] if the RNG, key generation or encoding fails.
    pub fn generate(bits: RsaKeyBits) -> Result<(Self, SecretString), KeyError> {
        let pair = RsaKeyPair::generate(bits.size()).map_err(|_| KeyError::Generation)?;
        let der = pair.as_der().map_err(|_| KeyError::Generation)?;
        let pem = SecretString::from(pem::encode_config(
            &pem::Pem::new("PRIVATE KEY", der.as_ref()),
            pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF),
        ));
        let key = Self::from_pem(pem.expose_secret()).map_err(|_| KeyError::Generation)?;
        Ok((key, pem))
    }

    fn from_pair(pair: RsaKeyPair) -> Result<Self, KeyError> {
        if pair.public_modulus_len() * 8 < MIN_MODULUS_BITS {
            return Err(KeyError::Rejected);
        }
        let public_key = pair.public_key();
        let public = ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, public_key.as_ref())
            .map_err(|_| KeyError::Rejected)?;
        let n = public_key
            .modulus()
            .big_endian_without_leading_zero()
            .to_vec();
        let e = public_key
            .exponent()
            .big_endian_without_leading_zero()
            .to_vec();
        Ok(Self {
            kid: thumbprint(&n, &e),
            pair,
            public,
            n,
            e,
        })
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

    /// The RS256 (PKCS#1 v1.5, SHA-256) signature of `message`.
    pub(super) fn sign(&self, message: &[u8]) -> Result<Vec<u8>, aws_lc_rs::error::Unspecified> {
        let mut signature = vec![0; self.pair.public_modulus_len()];
        // aws-lc-rs ignores the RNG for RSA (PKCS#1 v1.5 is deterministic); the API still asks.
        let rng = aws_lc_rs::rand::SystemRandom::new();
        self.pair
            .sign(&RSA_PKCS1_SHA256, &rng, message, &mut signature)?;
        Ok(signature)
    }

    pub(super) fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        self.public.verify_sig(message, signature).is_ok()
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

impl fmt::Debug for RsaSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RsaSigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}
