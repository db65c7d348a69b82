//! Key files made by `RsaSigningKey::generate` (`authd keys generate`): standard PKCS#8 PEM that
//! start-up loads with the same `kid`, and that an independent JWT library signs and verifies
//! with.

use crate::jwt::{fresh_claims, payload_json, settings};
use authd_crypto::{JwtCodec, RsaKeyBits, RsaSigningKey};
use authd_domain::ports::AccessTokenCodec;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::ExposeSecret;
use serde_json::Value;

fn modulus_bits(key: &RsaSigningKey) -> usize {
    let codec = JwtCodec::rs256(vec![key.clone()], settings()).unwrap();
    URL_SAFE_NO_PAD
        .decode(&codec.jwks().keys[0].n)
        .unwrap()
        .len()
        * 8
}

#[test]
fn a_generated_key_is_pkcs8_pem_that_loads_back_with_the_same_kid() {
    let (key, pem) = RsaSigningKey::generate(RsaKeyBits::default()).unwrap();
    let pem = pem.expose_secret();

    assert!(
        pem.starts_with("-----BEGIN PRIVATE KEY-----\n"),
        "{}",
        &pem[..40]
    );
    assert!(pem.ends_with("-----END PRIVATE KEY-----\n"));
    assert!(!pem.contains('\r'));
    assert_eq!(RsaSigningKey::from_pem(pem).unwrap().kid(), key.kid());
    assert_eq!(key.kid().len(), 43, "a base64url SHA-256 thumbprint");
    assert_eq!(modulus_bits(&key), 2048);
    let (other, _) = RsaSigningKey::generate(RsaKeyBits::default()).unwrap();
    assert_ne!(other.kid(), key.kid());
}

#[test]
fn another_jwt_library_signs_with_the_generated_file_and_verifies_our_tokens() {
    let (key, pem) = RsaSigningKey::generate(RsaKeyBits::default()).unwrap();
    let codec = JwtCodec::rs256(vec![key.clone()], settings()).unwrap();

    let mut header = Header::new(Algorithm::RS256);
    header.typ = Some("at+jwt".to_owned());
    header.kid = Some(key.kid().to_owned());
    let theirs = jsonwebtoken::encode(
        &header,
        &payload_json(&fresh_claims()),
        &EncodingKey::from_rsa_pem(pem.expose_secret().as_bytes()).unwrap(),
    )
    .unwrap();
    assert!(codec.verify(&theirs, Utc::now()).is_ok());

    let ours = codec.issue(&fresh_claims()).unwrap();
    let jwk = &codec.jwks().keys[0];
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&["https://auth.example"]);
    validation.set_audience(&["example-api"]);
    let public = DecodingKey::from_rsa_components(&jwk.n, &jwk.e).unwrap();
    jsonwebtoken::decode::<Value>(&ours, &public, &validation).unwrap();
}

#[test]
fn larger_sizes_are_made_on_request_and_only_the_three_sizes_are_named() {
    let (key, _) = RsaSigningKey::generate(RsaKeyBits::Rsa3072).unwrap();
    assert_eq!(modulus_bits(&key), 3072);
    for bits in [2048, 3072, 4096] {
        assert_eq!(
            RsaKeyBits::from_bits(bits).map(RsaKeyBits::bits),
            Some(bits)
        );
    }
    for bits in [0, 1024, 2047, 2049, 8192] {
        assert_eq!(RsaKeyBits::from_bits(bits), None, "{bits}");
    }
}
