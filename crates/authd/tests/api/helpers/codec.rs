//! base64 and HMAC-SHA-256 for reading and forging JWTs and decoding mail bodies, from the
//! crates the workspace already uses.

use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{
    GeneralPurpose, GeneralPurposeConfig, STANDARD_NO_PAD, URL_SAFE_NO_PAD,
};

/// base64url without padding, as in JWTs.
pub fn b64url_encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes standard or url-safe base64, padded or not, ignoring whitespace (mail bodies wrap).
pub fn b64_decode(text: &str) -> Option<Vec<u8>> {
    let lenient =
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let standard = GeneralPurpose::new(&base64::alphabet::STANDARD, lenient);
    let url = GeneralPurpose::new(&base64::alphabet::URL_SAFE, lenient);
    standard
        .decode(&compact)
        .or_else(|_| url.decode(&compact))
        .or_else(|_| STANDARD_NO_PAD.decode(&compact))
        .ok()
}

pub fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), message)
        .as_ref()
        .to_vec()
}
