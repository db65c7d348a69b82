//! What bcrypt actually sees of a password.
//!
//! bcrypt reads at most 72 bytes and, in most implementations, stops at the first NUL byte, so
//! two long passwords sharing their first 72 bytes would hash alike. Such passwords are first
//! condensed with HMAC-SHA-256 and base64-encoded (44 ASCII bytes, no NUL); every other password
//! reaches bcrypt unchanged, so hashes of ordinary passwords stay interoperable with other
//! bcrypt implementations.
//!
//! The HMAC key is the server pepper (`PASSWORD_PEPPER`) when one is configured, which also
//! makes a stolen hash of a long password useless without the pepper; otherwise a fixed
//! domain-separation key. Changing the pepper therefore invalidates the hashes of long
//! passwords (and only those).

use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use secrecy::zeroize::Zeroizing;

/// The longest input bcrypt uses in full.
pub(crate) const BCRYPT_MAX_BYTES: usize = 72;

const DOMAIN_SEPARATION_KEY: &[u8] = b"authd/password-prehash/v1";

pub(crate) struct Prehasher {
    key: hmac::Key,
}

impl Prehasher {
    pub(crate) fn new(pepper: Option<&[u8]>) -> Self {
        let secret = pepper.unwrap_or(DOMAIN_SEPARATION_KEY);
        Self {
            key: hmac::Key::new(hmac::HMAC_SHA256, secret),
        }
    }

    /// The bytes to hand to bcrypt for `password`.
    pub(crate) fn bcrypt_input(&self, password: &str) -> Zeroizing<Vec<u8>> {
        let bytes = password.as_bytes();
        if bytes.len() <= BCRYPT_MAX_BYTES && !bytes.contains(&0) {
            return Zeroizing::new(bytes.to_vec());
        }
        let tag = hmac::sign(&self.key, bytes);
        Zeroizing::new(STANDARD.encode(tag.as_ref()).into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_passwords_reach_bcrypt_unchanged() {
        let p = Prehasher::new(None);
        assert_eq!(p.bcrypt_input("correct horse").as_slice(), b"correct horse");
        let exactly_72 = "a".repeat(72);
        assert_eq!(
            p.bcrypt_input(&exactly_72).as_slice(),
            exactly_72.as_bytes()
        );
    }

    #[test]
    fn long_passwords_are_condensed_below_the_bcrypt_limit_and_keep_their_tail() {
        let p = Prehasher::new(None);
        let a = format!("{}a", "x".repeat(72));
        let b = format!("{}b", "x".repeat(72));
        let (ia, ib) = (p.bcrypt_input(&a), p.bcrypt_input(&b));
        assert_eq!(ia.len(), 44);
        assert_ne!(ia.as_slice(), ib.as_slice());
        assert!(!ia.contains(&0));
    }

    #[test]
    fn passwords_with_a_nul_byte_are_condensed() {
        let p = Prehasher::new(None);
        assert_eq!(p.bcrypt_input("ab\0cd").len(), 44);
    }

    #[test]
    fn the_pepper_changes_the_condensed_form() {
        let long = "y".repeat(100);
        let plain = Prehasher::new(None).bcrypt_input(&long);
        let peppered = Prehasher::new(Some(b"pepper")).bcrypt_input(&long);
        assert_ne!(plain.as_slice(), peppered.as_slice());
    }
}
