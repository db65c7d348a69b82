use secrecy::{ExposeSecret, SecretBox};
use std::fmt;

/// The HMAC behind a TOTP factor. Authenticator apps assume SHA-1 unless the otpauth URL says
/// otherwise, and some ignore the parameter, so new factors use SHA-1; the others exist for
/// secrets imported with them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TotpAlgorithm {
    #[default]
    Sha1,
    Sha256,
    Sha512,
}

/// The shared secret of a TOTP factor: raw bytes, never printed. Its base32 form (what the user
/// types or scans) is an encoding the crypto adapter produces for the otpauth URL.
pub struct TotpSecret {
    bytes: SecretBox<[u8]>,
    algorithm: TotpAlgorithm,
}

impl TotpSecret {
    #[must_use]
    pub fn new(bytes: Vec<u8>, algorithm: TotpAlgorithm) -> Self {
        Self {
            bytes: SecretBox::new(bytes.into_boxed_slice()),
            algorithm,
        }
    }

    #[must_use]
    pub fn expose_bytes(&self) -> &[u8] {
        self.bytes.expose_secret()
    }

    #[must_use]
    pub fn algorithm(&self) -> TotpAlgorithm {
        self.algorithm
    }
}

impl Clone for TotpSecret {
    fn clone(&self) -> Self {
        Self::new(self.expose_bytes().to_vec(), self.algorithm)
    }
}

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TotpSecret")
            .field("bytes", &"[REDACTED]")
            .field("algorithm", &self.algorithm)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_prints_its_bytes() {
        let secret = TotpSecret::new(b"12345678901234567890".to_vec(), TotpAlgorithm::Sha256);
        let printed = format!("{secret:?}");
        assert!(!printed.contains("1234"), "{printed}");
        assert!(!printed.contains("49, 50"), "{printed}");
        assert!(printed.contains("Sha256"), "{printed}");
        assert_eq!(secret.clone().expose_bytes(), b"12345678901234567890");
    }
}
