//! Reading the access tokens authd issues, and forging the ones an attacker would send.

use super::codec::{b64_decode, b64url_encode, hmac_sha256};
use serde_json::Value;

/// A decoded (not verified) JWT.
#[derive(Debug, Clone)]
pub struct Jwt {
    pub header: Value,
    pub claims: Value,
    pub signature: String,
}

impl Jwt {
    pub fn decode(token: &str) -> Self {
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3, "a JWT has three parts: {token}");
        let json = |part: &str| -> Value {
            let bytes = b64_decode(part).expect("JWT part is base64url");
            serde_json::from_slice(&bytes).expect("JWT part is JSON")
        };
        Self {
            header: json(parts[0]),
            claims: json(parts[1]),
            signature: parts[2].to_owned(),
        }
    }

    pub fn claim_str(&self, name: &str) -> String {
        self.claims[name]
            .as_str()
            .unwrap_or_else(|| panic!("claim {name} is a string: {}", self.claims))
            .to_owned()
    }

    pub fn claim_i64(&self, name: &str) -> i64 {
        self.claims[name]
            .as_i64()
            .unwrap_or_else(|| panic!("claim {name} is a number: {}", self.claims))
    }

    /// The session id (`sid`), which is also the session's id in `/v1/users/me/sessions`.
    pub fn sid(&self) -> String {
        self.claim_str("sid")
    }

    /// Re-encodes header and claims and keeps the original signature: a tampered token.
    pub fn with_original_signature(&self) -> String {
        format!("{}.{}", self.signing_input(), self.signature)
    }

    /// Header and claims with no signature at all (`alg: none` style).
    pub fn unsigned(&self) -> String {
        format!("{}.", self.signing_input())
    }

    /// Signs header and claims with HMAC-SHA-256 under `secret` (for HS256 mode tests).
    pub fn sign_hs256(&self, secret: &[u8]) -> String {
        let input = self.signing_input();
        let mac = hmac_sha256(secret, input.as_bytes());
        format!("{input}.{}", b64url_encode(&mac))
    }

    fn signing_input(&self) -> String {
        let enc = |v: &Value| b64url_encode(v.to_string().as_bytes());
        format!("{}.{}", enc(&self.header), enc(&self.claims))
    }
}

/// The current time as a JWT `NumericDate`.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64
}
