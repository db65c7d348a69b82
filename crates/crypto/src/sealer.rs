//! [`SecretSealer`] with AES-256-GCM (aws-lc-rs): TOTP secrets are stored only sealed.
//!
//! A sealed secret is `version (1) | key id (4) | nonce (12) | ciphertext | tag (16)`. The
//! plaintext is the algorithm byte followed by the secret's bytes, so the algorithm cannot be
//! swapped without breaking the tag. Nonces are random: at 96 bits, the birthday bound is far
//! beyond the number of factors one key will ever seal.

use crate::mfa_keys::{DerivedKey, MfaKeys};
use authd_domain::mfa::{SealedSecret, TotpAlgorithm, TotpSecret};
use authd_domain::ports::{SecretSealer, UnsealError};
use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use secrecy::zeroize::Zeroizing;
use std::sync::Arc;

const VERSION: u8 = 1;
const ID_LEN: usize = 4;
const HEADER: usize = 1 + ID_LEN + NONCE_LEN;
/// Binds a sealed value to its use: a sealed TOTP secret opens as nothing else.
const AAD: &[u8] = b"authd totp secret v1";

/// Seals with the first of [`MfaKeys`], opens with any.
pub struct AesGcmSealer {
    keys: Arc<MfaKeys>,
}

impl AesGcmSealer {
    #[must_use]
    pub fn new(keys: Arc<MfaKeys>) -> Self {
        Self { keys }
    }
}

impl std::fmt::Debug for AesGcmSealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AesGcmSealer").finish_non_exhaustive()
    }
}

fn cipher(key: &DerivedKey) -> LessSafeKey {
    match UnboundKey::new(&AES_256_GCM, key.seal.as_slice()) {
        Ok(key) => LessSafeKey::new(key),
        // The derived key is always 32 bytes, which AES-256 always accepts.
        Err(_) => panic!("a 32-byte key was refused by AES-256-GCM"),
    }
}

const fn algorithm_byte(algorithm: TotpAlgorithm) -> u8 {
    match algorithm {
        TotpAlgorithm::Sha1 => 1,
        TotpAlgorithm::Sha256 => 2,
        TotpAlgorithm::Sha512 => 3,
    }
}

const fn algorithm_of(byte: u8) -> Option<TotpAlgorithm> {
    match byte {
        1 => Some(TotpAlgorithm::Sha1),
        2 => Some(TotpAlgorithm::Sha256),
        3 => Some(TotpAlgorithm::Sha512),
        _ => None,
    }
}

impl SecretSealer for AesGcmSealer {
    /// # Panics
    /// If the OS RNG fails (no nonce, no sealing), or AES-GCM refuses a key or a plaintext it
    /// always accepts.
    fn seal(&self, secret: &TotpSecret) -> SealedSecret {
        let key = self.keys.current();
        let mut nonce = [0_u8; NONCE_LEN];
        if aws_lc_rs::rand::fill(&mut nonce).is_err() {
            panic!("the system random number generator failed");
        }
        let mut body = Zeroizing::new(Vec::with_capacity(1 + secret.expose_bytes().len() + 16));
        body.push(algorithm_byte(secret.algorithm()));
        body.extend_from_slice(secret.expose_bytes());
        let mut sealed = Vec::with_capacity(HEADER + body.len() + AES_256_GCM.tag_len());
        sealed.push(VERSION);
        sealed.extend_from_slice(&key.id);
        sealed.extend_from_slice(&nonce);
        let sealing = cipher(key).seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(AAD),
            &mut *body,
        );
        // AES-GCM refuses only plaintexts of gigabytes; a TOTP secret is a few dozen bytes.
        if sealing.is_err() {
            panic!("AES-256-GCM refused to seal a TOTP secret");
        }
        sealed.extend_from_slice(&body);
        SealedSecret::from_bytes(sealed)
    }

    fn open(&self, sealed: &SealedSecret) -> Result<TotpSecret, UnsealError> {
        let bytes = sealed.as_bytes();
        if bytes.len() < HEADER + AES_256_GCM.tag_len() + 1 || bytes[0] != VERSION {
            return Err(UnsealError::NoKey);
        }
        let id = &bytes[1..=ID_LEN];
        let key = self
            .keys
            .keys
            .iter()
            .find(|k| k.id == id)
            .ok_or(UnsealError::NoKey)?;
        let mut nonce = [0_u8; NONCE_LEN];
        nonce.copy_from_slice(&bytes[1 + ID_LEN..HEADER]);
        let mut body = Zeroizing::new(bytes[HEADER..].to_vec());
        let plain = cipher(key)
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(AAD),
                &mut body,
            )
            .map_err(|_| UnsealError::NoKey)?;
        let (&algorithm, secret) = plain.split_first().ok_or(UnsealError::NoKey)?;
        let algorithm = algorithm_of(algorithm).ok_or(UnsealError::NoKey)?;
        Ok(TotpSecret::new(secret.to_vec(), algorithm))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_A: &str = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=";
    const KEY_B: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    fn sealer(list: &str) -> AesGcmSealer {
        AesGcmSealer::new(Arc::new(MfaKeys::parse(list).unwrap()))
    }

    fn secret() -> TotpSecret {
        TotpSecret::new(b"12345678901234567890".to_vec(), TotpAlgorithm::Sha256)
    }

    #[test]
    fn a_sealed_secret_opens_to_the_same_bytes_and_algorithm() {
        let s = sealer(KEY_A);
        let opened = s.open(&s.seal(&secret())).unwrap();
        assert_eq!(opened.expose_bytes(), secret().expose_bytes());
        assert_eq!(opened.algorithm(), TotpAlgorithm::Sha256);
    }

    #[test]
    fn the_sealed_form_never_contains_the_secret_and_differs_each_time() {
        let s = sealer(KEY_A);
        let (one, two) = (s.seal(&secret()), s.seal(&secret()));
        assert_ne!(one, two, "random nonces");
        let raw = secret().expose_bytes().to_vec();
        assert!(
            !one.as_bytes()
                .windows(raw.len())
                .any(|w| w == raw.as_slice())
        );
    }

    #[test]
    fn after_rotation_old_secrets_open_and_new_ones_use_the_new_key() {
        let old = sealer(KEY_A).seal(&secret());
        let rotated = sealer(&format!("{KEY_B},{KEY_A}"));
        assert_eq!(
            rotated.open(&old).unwrap().expose_bytes(),
            secret().expose_bytes()
        );
        let new = rotated.seal(&secret());
        assert!(sealer(KEY_B).open(&new).is_ok());
        assert_eq!(sealer(KEY_A).open(&new).unwrap_err(), UnsealError::NoKey);
    }

    #[test]
    fn a_removed_key_or_a_tampered_byte_opens_nothing() {
        let sealed = sealer(KEY_A).seal(&secret());
        assert_eq!(sealer(KEY_B).open(&sealed).unwrap_err(), UnsealError::NoKey);
        for i in 0..sealed.as_bytes().len() {
            let mut bytes = sealed.as_bytes().to_vec();
            bytes[i] ^= 0x01;
            assert!(
                sealer(KEY_A)
                    .open(&SealedSecret::from_bytes(bytes))
                    .is_err(),
                "byte {i}"
            );
        }
        for short in [vec![], vec![VERSION], sealed.as_bytes()[..HEADER].to_vec()] {
            assert!(
                sealer(KEY_A)
                    .open(&SealedSecret::from_bytes(short))
                    .is_err()
            );
        }
    }
}
