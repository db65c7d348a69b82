//! A remembered token answers exactly as a full verification would, at any later instant.

use crate::jwt::{DEFAULT_VERIFIED_CACHE, JwtCodec, JwtSettings};
use authd_domain::Timestamp;
use authd_domain::authorization::RoleName;
use authd_domain::ids::{SessionId, TokenId, UserId};
use authd_domain::ports::{AccessTokenCodec, AccessTokenError};
use authd_domain::token::AccessClaims;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";
/// An instant with whole seconds, as tokens carry them.
const T: i64 = 1_800_000_000;

fn codec(verified_cache: usize) -> JwtCodec {
    let settings = JwtSettings {
        verified_cache,
        ..JwtSettings::new("https://auth.example", "example-api")
    };
    JwtCodec::hs256(SECRET, settings).unwrap()
}

/// `secs` as the clock would give it.
fn instant(secs: i64) -> Timestamp {
    Timestamp::from_timestamp(secs, 0).unwrap()
}

/// Issued at `T`, expiring a minute later.
fn token(codec: &JwtCodec) -> (String, AccessClaims) {
    let issued_at = instant(T);
    let claims = AccessClaims {
        user_id: UserId::new(),
        session_id: SessionId::new(),
        token_id: TokenId::new(),
        issued_at,
        expires_at: issued_at + chrono::Duration::seconds(60),
        roles: vec![RoleName::parse("user").unwrap_or_else(|e| panic!("{e}"))],
        permissions: authd_domain::authorization::Permissions::none()
            .with(authd_domain::authorization::Permission::UsersRead),
    };
    (codec.issue(&claims).unwrap(), claims)
}

/// What the codec answers at each instant, remembering tokens or not.
fn answers(
    cache: usize,
    token: &str,
    instants: &[i64],
) -> Vec<Result<AccessClaims, AccessTokenError>> {
    let codec = codec(cache);
    instants
        .iter()
        .map(|&now| codec.verify(token, instant(now)))
        .collect()
}

#[test]
fn a_remembered_token_still_expires_and_answers_as_a_full_verification() {
    let (token, claims) = token(&codec(0));
    // Verified (and remembered) at T, then presented again until after exp + the 30 s leeway.
    let instants = [T, T + 30, T + 90, T + 91, T + 3_600];
    let remembered = answers(DEFAULT_VERIFIED_CACHE, &token, &instants);
    assert_eq!(remembered, answers(0, &token, &instants));
    assert_eq!(remembered[0], Ok(claims.clone()));
    assert_eq!(remembered[2], Ok(claims));
    assert_eq!(remembered[3], Err(AccessTokenError::Expired));
    assert_eq!(remembered[4], Err(AccessTokenError::Expired));
}

#[test]
fn a_token_one_byte_away_from_a_remembered_one_is_verified_in_full_and_refused() {
    let codec = codec(DEFAULT_VERIFIED_CACHE);
    let (token, claims) = token(&codec);
    assert_eq!(codec.verify(&token, instant(T)), Ok(claims.clone()));
    let dots: Vec<usize> = token.match_indices('.').map(|(i, _)| i).collect();
    // One character changed in the payload, then in the signature.
    for at in [dots[0] + 5, token.len() - 3] {
        let mut forged = token.clone().into_bytes();
        forged[at] = if forged[at] == b'A' { b'B' } else { b'A' };
        let forged = String::from_utf8(forged).unwrap();
        assert_eq!(
            codec.verify(&forged, instant(T)),
            Err(AccessTokenError::Invalid),
            "{at}"
        );
    }
    assert_eq!(codec.verify(&token, instant(T)), Ok(claims));
}

#[test]
fn a_remembered_not_before_is_checked_again_at_each_use() {
    let payload = json!({
        "iss": "https://auth.example", "aud": "example-api",
        "sub": UserId::new().to_string(), "sid": SessionId::new().to_string(),
        "jti": TokenId::new().to_string(),
        "iat": T, "exp": T + 600, "nbf": T + 20, "roles": ["user"], "permissions": [],
    });
    let mut header = Header::new(Algorithm::HS256);
    header.typ = Some("at+jwt".to_owned());
    let token = jsonwebtoken::encode(&header, &payload, &EncodingKey::from_secret(SECRET)).unwrap();
    // Valid at T (nbf within the leeway), then presented by a clock 20 s behind.
    let instants = [T, T - 20, T];
    let remembered = answers(DEFAULT_VERIFIED_CACHE, &token, &instants);
    assert_eq!(remembered, answers(0, &token, &instants));
    assert!(remembered[0].is_ok());
    assert_eq!(remembered[1], Err(AccessTokenError::Invalid));
    assert!(remembered[2].is_ok());
}
