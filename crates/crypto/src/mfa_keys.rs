//! `MFA_ENCRYPTION_KEY`: the keys that seal TOTP secrets and key backup-code and emailed-code
//! digests.
//!
//! The variable holds one or more keys separated by commas, each 32 random bytes in base64 (what
//! `openssl rand -base64 32` prints) or 64 hex digits. The first key seals and digests new
//! material; every key opens and looks up what it made, so a key rotates by putting a new one in
//! front and dropping the old one once nothing needs it.
//!
//! Each purpose uses its own key derived from the configured one (HMAC-SHA-256 of a fixed label),
//! so that no key is used for two algorithms.

use aws_lc_rs::hmac;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use secrecy::zeroize::Zeroizing;
use thiserror::Error;

/// Bytes in one configured key (AES-256).
pub const MFA_KEY_BYTES: usize = 32;

/// Why `MFA_ENCRYPTION_KEY` was refused. Never shows the key.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MfaKeyError {
    #[error("no key given")]
    Empty,
    #[error(
        "key {position} is not 32 bytes in base64 or 64 hex digits (make one with `openssl rand -base64 32`)"
    )]
    Malformed { position: usize },
    #[error("key {position} repeats an earlier key")]
    Duplicate { position: usize },
}

/// One configured key's derived keys.
pub(crate) struct DerivedKey {
    /// Names the key in a sealed secret, so opening picks the right key at once.
    pub(crate) id: [u8; 4],
    pub(crate) seal: Zeroizing<[u8; MFA_KEY_BYTES]>,
    pub(crate) backup_codes: hmac::Key,
    /// Keys the digests of emailed codes: a label of its own, so a code digest never equals a
    /// backup-code digest of the same digits.
    pub(crate) email_codes: hmac::Key,
}

/// The configured keys, the current one first.
pub struct MfaKeys {
    pub(crate) keys: Vec<DerivedKey>,
}

impl MfaKeys {
    /// Parses the comma-separated list of `MFA_ENCRYPTION_KEY`.
    ///
    /// # Errors
    /// An empty list, a key that is not 32 bytes, or the same key twice.
    pub fn parse(list: &str) -> Result<Self, MfaKeyError> {
        let mut keys: Vec<DerivedKey> = Vec::new();
        for (index, entry) in list.split(',').map(str::trim).enumerate() {
            let position = index + 1;
            if entry.is_empty() && list.trim().is_empty() {
                return Err(MfaKeyError::Empty);
            }
            let bytes = decode(entry).ok_or(MfaKeyError::Malformed { position })?;
            let key = derive(&bytes);
            if keys.iter().any(|k| k.id == key.id) {
                return Err(MfaKeyError::Duplicate { position });
            }
            keys.push(key);
        }
        Ok(Self { keys })
    }

    /// A random key for this process only, for the embedded default: secrets sealed with it
    /// cannot be opened after a restart, as nothing else of the embedded store survives one.
    ///
    /// # Panics
    /// If the OS RNG fails.
    #[must_use]
    pub fn ephemeral() -> Self {
        let mut bytes = Zeroizing::new([0_u8; MFA_KEY_BYTES]);
        if aws_lc_rs::rand::fill(bytes.as_mut_slice()).is_err() {
            panic!("the system random number generator failed");
        }
        Self {
            keys: vec![derive(bytes.as_slice())],
        }
    }

    /// How many keys are configured.
    #[must_use]
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub(crate) fn current(&self) -> &DerivedKey {
        // `parse` and `ephemeral` never build an empty list.
        &self.keys[0]
    }
}

impl std::fmt::Debug for MfaKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MfaKeys")
            .field("keys", &self.keys.len())
            .finish_non_exhaustive()
    }
}

fn decode(entry: &str) -> Option<Zeroizing<Vec<u8>>> {
    let bytes = if entry.len() == 2 * MFA_KEY_BYTES && entry.bytes().all(|b| b.is_ascii_hexdigit())
    {
        hex(entry)?
    } else {
        STANDARD
            .decode(entry)
            .or_else(|_| URL_SAFE_NO_PAD.decode(entry.trim_end_matches('=')))
            .ok()?
    };
    let bytes = Zeroizing::new(bytes);
    (bytes.len() == MFA_KEY_BYTES).then_some(bytes)
}

fn hex(s: &str) -> Option<Vec<u8>> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

fn derive(key: &[u8]) -> DerivedKey {
    let root = hmac::Key::new(hmac::HMAC_SHA256, key);
    let label = |l: &[u8]| hmac::sign(&root, l);
    let id_tag = label(b"authd mfa key id v1");
    let mut id = [0_u8; 4];
    id.copy_from_slice(&id_tag.as_ref()[..4]);
    let mut seal = Zeroizing::new([0_u8; MFA_KEY_BYTES]);
    seal.copy_from_slice(label(b"authd totp secret sealing v1").as_ref());
    let backup = label(b"authd backup code digests v1");
    let email = label(b"authd emailed code digests v1");
    DerivedKey {
        id,
        seal,
        backup_codes: hmac::Key::new(hmac::HMAC_SHA256, backup.as_ref()),
        email_codes: hmac::Key::new(hmac::HMAC_SHA256, email.as_ref()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_A: &str = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=";

    #[test]
    fn base64_hex_and_lists_parse() {
        assert_eq!(MfaKeys::parse(KEY_A).unwrap().len(), 1);
        let hex_key = "ab".repeat(32);
        assert_eq!(MfaKeys::parse(&hex_key).unwrap().len(), 1);
        assert_eq!(
            MfaKeys::parse(&format!("{hex_key}, {KEY_A}"))
                .unwrap()
                .len(),
            2
        );
    }

    #[test]
    fn short_long_malformed_empty_and_repeated_keys_are_refused() {
        assert_eq!(MfaKeys::parse("").unwrap_err(), MfaKeyError::Empty);
        assert_eq!(MfaKeys::parse("  ").unwrap_err(), MfaKeyError::Empty);
        for bad in [
            "c2hvcnQ=",
            "not base64 at all!",
            &"ab".repeat(31),
            &"ab".repeat(33),
        ] {
            assert_eq!(
                MfaKeys::parse(bad).unwrap_err(),
                MfaKeyError::Malformed { position: 1 },
                "{bad}"
            );
        }
        assert_eq!(
            MfaKeys::parse(&format!("{KEY_A},")).unwrap_err(),
            MfaKeyError::Malformed { position: 2 }
        );
        assert_eq!(
            MfaKeys::parse(&format!("{KEY_A},{KEY_A}")).unwrap_err(),
            MfaKeyError::Duplicate { position: 2 }
        );
    }

    #[test]
    fn errors_and_debug_never_show_a_key() {
        let keys = MfaKeys::parse(KEY_A).unwrap();
        assert!(!format!("{keys:?}").contains("q83v"));
        let err = MfaKeys::parse("c2hvcnQ=").unwrap_err().to_string();
        assert!(!err.contains("c2hv"), "{err}");
    }

    #[test]
    fn ephemeral_keys_differ_each_time() {
        assert_ne!(
            MfaKeys::ephemeral().current().id,
            MfaKeys::ephemeral().current().id
        );
    }
}
