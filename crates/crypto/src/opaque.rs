//! [`OpaqueTokens`]: refresh, verification and reset tokens.
//!
//! A token is 256 random bits from the system RNG, base64url without padding (43 characters).
//! Only its SHA-256 (hex) is stored, so a database leak yields no usable token; no salt is
//! needed because the input already has 256 bits of entropy.
//!
//! A refresh token's successor is `base64url(HMAC-SHA-256(server secret, presented))`: a replay
//! inside the grace window computes the same successor again, so no raw token is ever stored,
//! and nobody without the secret can predict the successor of a token they saw.

use crate::MIN_SECRET_BYTES;
use authd_domain::ports::TokenGenerator;
use authd_domain::token::{OpaqueToken, RawToken, TokenHash};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use aws_lc_rs::{digest, hmac};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use secrecy::zeroize::Zeroizing;
use std::fmt;
use thiserror::Error;

const TOKEN_BYTES: usize = 32;

/// The successor secret is too weak.
#[derive(Debug, Error)]
#[error("the refresh-token secret must be at least 32 bytes, got {0}")]
pub struct TokenSecretError(pub usize);

/// Generates and digests opaque tokens.
pub struct OpaqueTokens {
    successor_key: hmac::Key,
    rng: SystemRandom,
}

impl OpaqueTokens {
    /// `secret` keys refresh-token successors (`JWT_REFRESH_SECRET`, or random bytes when it is
    /// not configured: successors then change across restarts, which only shortens a grace
    /// window that straddles one). All instances behind one load balancer need the same secret.
    ///
    /// # Errors
    /// A secret under 32 bytes.
    pub fn new(secret: Vec<u8>) -> Result<Self, TokenSecretError> {
        let secret = Zeroizing::new(secret);
        if secret.len() < MIN_SECRET_BYTES {
            return Err(TokenSecretError(secret.len()));
        }
        Ok(Self {
            successor_key: hmac::Key::new(hmac::HMAC_SHA256, secret.as_slice()),
            rng: SystemRandom::new(),
        })
    }

    fn token(raw: String) -> OpaqueToken {
        let hash = sha256_hex(&raw);
        OpaqueToken {
            raw: RawToken::new(raw),
            hash,
        }
    }
}

impl TokenGenerator for OpaqueTokens {
    /// # Panics
    /// If the operating system's random number generator fails: no token may be issued then, and
    /// the port offers no error to report it with.
    fn generate(&self) -> OpaqueToken {
        let mut bytes = [0_u8; TOKEN_BYTES];
        if self.rng.fill(&mut bytes).is_err() {
            panic!("the system random number generator failed");
        }
        Self::token(URL_SAFE_NO_PAD.encode(bytes))
    }

    fn digest(&self, raw: &str) -> TokenHash {
        sha256_hex(raw)
    }

    fn successor_of(&self, presented: &str) -> OpaqueToken {
        let tag = hmac::sign(&self.successor_key, presented.as_bytes());
        Self::token(URL_SAFE_NO_PAD.encode(tag.as_ref()))
    }
}

fn sha256_hex(raw: &str) -> TokenHash {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = digest::digest(&digest::SHA256, raw.as_bytes());
    let mut hex = String::with_capacity(digest.as_ref().len() * 2);
    for byte in digest.as_ref() {
        hex.push(char::from(HEX[usize::from(byte >> 4)]));
        hex.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    TokenHash::from_trusted(hex)
}

impl fmt::Debug for OpaqueTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpaqueTokens").finish_non_exhaustive()
    }
}
