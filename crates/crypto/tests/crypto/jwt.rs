use authd_crypto::{JwtCodec, JwtConfigError, JwtSettings, KeyError, RsaSigningKey};
use authd_domain::authorization::RoleName;
use authd_domain::ids::{SessionId, TokenId, UserId};
use authd_domain::ports::{AccessTokenCodec, AccessTokenError};
use authd_domain::token::AccessClaims;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{Duration, SubsecRound, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{Value, json};
use std::sync::LazyLock;

const PKCS8_PEM: &str = include_str!("fixtures/test_rsa_pkcs8.pem");
const PKCS1_PEM: &str = include_str!("fixtures/test_rsa_pkcs1.pem");
const PUBLIC_PEM: &str = include_str!("fixtures/test_rsa_public.pem");
const HS_SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

/// Generating RSA keys is slow; the tests share two.
static OTHER_KEY: LazyLock<RsaSigningKey> =
    LazyLock::new(|| RsaSigningKey::generate_ephemeral().unwrap());

fn fixture_key() -> RsaSigningKey {
    RsaSigningKey::from_pem(PKCS8_PEM).unwrap()
}

pub(crate) fn settings() -> JwtSettings {
    JwtSettings::new("https://auth.example", "example-api")
}

fn rs256() -> JwtCodec {
    JwtCodec::rs256(vec![fixture_key()], settings()).unwrap()
}

fn hs256() -> JwtCodec {
    JwtCodec::hs256(HS_SECRET, settings()).unwrap()
}

/// Claims issued `age` ago and living `ttl`, with whole seconds as a JWT carries them.
fn claims_aged(age: Duration, ttl: Duration) -> AccessClaims {
    let issued_at = Utc::now().trunc_subsecs(0) - age;
    AccessClaims {
        user_id: UserId::new(),
        session_id: SessionId::new(),
        token_id: TokenId::new(),
        issued_at,
        expires_at: issued_at + ttl,
        roles: vec![
            RoleName::parse("user").unwrap_or_else(|e| panic!("{e}")),
            RoleName::parse("admin").unwrap_or_else(|e| panic!("{e}")),
        ],
        permissions: authd_domain::authorization::Permissions::none()
            .with(authd_domain::authorization::Permission::UsersRead),
    }
}

pub(crate) fn fresh_claims() -> AccessClaims {
    claims_aged(Duration::zero(), Duration::minutes(15))
}

fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
}

fn parts(token: &str) -> (Value, Value, String) {
    let mut it = token.split('.');
    let decode =
        |s: &str| -> Value { serde_json::from_slice(&URL_SAFE_NO_PAD.decode(s).unwrap()).unwrap() };
    let header = decode(it.next().unwrap());
    let payload = decode(it.next().unwrap());
    (header, payload, it.next().unwrap().to_owned())
}

/// A payload in our format, signed by whatever the caller chooses.
pub(crate) fn payload_json(c: &AccessClaims) -> Value {
    json!({
        "iss": "https://auth.example", "aud": "example-api",
        "sub": c.user_id.to_string(), "sid": c.session_id.to_string(), "jti": c.token_id.to_string(),
        "iat": c.issued_at.timestamp(), "exp": c.expires_at.timestamp(),
        "roles": ["user"], "permissions": [],
    })
}

fn sign_rs256(header: Header, payload: &Value) -> String {
    jsonwebtoken::encode(
        &header,
        payload,
        &EncodingKey::from_rsa_pem(PKCS8_PEM.as_bytes()).unwrap(),
    )
    .unwrap()
}

fn our_rs256_header() -> Header {
    let mut h = Header::new(Algorithm::RS256);
    h.typ = Some("at+jwt".to_owned());
    h.kid = Some(fixture_key().kid().to_owned());
    h
}

#[test]
fn an_rs256_token_round_trips_to_the_same_claims() {
    let codec = rs256();
    let claims = fresh_claims();
    let token = codec.issue(&claims).unwrap();
    assert_eq!(codec.verify(&token, Utc::now()).unwrap(), claims);
}

#[test]
fn an_hs256_token_round_trips_to_the_same_claims() {
    let codec = hs256();
    let claims = fresh_claims();
    assert_eq!(
        codec
            .verify(&codec.issue(&claims).unwrap(), Utc::now())
            .unwrap(),
        claims
    );
}

#[test]
fn an_rs256_token_carries_kid_typ_and_the_standard_claims() {
    let claims = fresh_claims();
    let (header, payload, _) = parts(&rs256().issue(&claims).unwrap());
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["typ"], "at+jwt");
    assert_eq!(header["kid"], fixture_key().kid());
    assert_eq!(payload["iss"], "https://auth.example");
    assert_eq!(payload["aud"], "example-api");
    assert_eq!(payload["sub"], claims.user_id.to_string());
    assert_eq!(payload["sid"], claims.session_id.to_string());
    assert_eq!(payload["jti"], claims.token_id.to_string());
    assert_eq!(payload["iat"], claims.issued_at.timestamp());
    assert_eq!(payload["exp"], claims.expires_at.timestamp());
    assert_eq!(payload["roles"], json!(["user", "admin"]));
    assert_eq!(payload["permissions"], json!(["users.read"]));
}

#[test]
fn an_hs256_token_has_typ_at_jwt_and_an_empty_jwks() {
    let codec = hs256();
    let (header, _, _) = parts(&codec.issue(&fresh_claims()).unwrap());
    assert_eq!(header["alg"], "HS256");
    assert_eq!(header["typ"], "at+jwt");
    assert!(codec.jwks().keys.is_empty());
}

#[test]
fn a_token_expired_beyond_the_leeway_is_reported_as_expired() {
    for codec in [rs256(), hs256()] {
        let token = codec
            .issue(&claims_aged(Duration::minutes(20), Duration::minutes(15)))
            .unwrap();
        assert_eq!(
            codec.verify(&token, Utc::now()),
            Err(AccessTokenError::Expired)
        );
    }
}

#[test]
fn a_token_expired_within_the_leeway_is_still_accepted() {
    let codec = rs256();
    let claims = claims_aged(Duration::seconds(910), Duration::minutes(15));
    assert_eq!(
        codec
            .verify(&codec.issue(&claims).unwrap(), Utc::now())
            .unwrap(),
        claims
    );
}

#[test]
fn a_tampered_payload_is_invalid() {
    for codec in [rs256(), hs256()] {
        let token = codec.issue(&fresh_claims()).unwrap();
        let (_, mut payload, _) = parts(&token);
        payload["roles"] = json!(["admin"]);
        let mut pieces: Vec<String> = token.split('.').map(str::to_owned).collect();
        pieces[1] = b64(&payload);
        assert_eq!(
            codec.verify(&pieces.join("."), Utc::now()),
            Err(AccessTokenError::Invalid)
        );
    }
}

#[test]
fn an_unsigned_alg_none_token_is_invalid() {
    let codec = rs256();
    let header = json!({"alg": "none", "typ": "at+jwt", "kid": fixture_key().kid()});
    let payload = payload_json(&fresh_claims());
    for token in [
        format!("{}.{}.", b64(&header), b64(&payload)),
        format!("{}.{}", b64(&header), b64(&payload)),
    ] {
        assert_eq!(
            codec.verify(&token, Utc::now()),
            Err(AccessTokenError::Invalid)
        );
    }
}

#[test]
fn an_hs256_token_keyed_with_the_rsa_public_key_is_invalid() {
    let codec = rs256();
    let jwk = codec.jwks().keys[0].clone();
    let payload = payload_json(&fresh_claims());
    let mut header = Header::new(Algorithm::HS256);
    header.typ = Some("at+jwt".to_owned());
    header.kid = Some(jwk.kid.clone());
    for secret in [PUBLIC_PEM.as_bytes(), jwk.n.as_bytes()] {
        let token =
            jsonwebtoken::encode(&header, &payload, &EncodingKey::from_secret(secret)).unwrap();
        assert_eq!(
            codec.verify(&token, Utc::now()),
            Err(AccessTokenError::Invalid)
        );
    }
}

#[test]
fn an_rs256_token_is_invalid_for_an_hs256_codec() {
    let token = rs256().issue(&fresh_claims()).unwrap();
    assert_eq!(
        hs256().verify(&token, Utc::now()),
        Err(AccessTokenError::Invalid)
    );
}

#[test]
fn a_token_from_another_issuer_or_for_another_audience_is_invalid() {
    let claims = fresh_claims();
    let mut other_issuer = settings();
    other_issuer.issuer = "https://evil.example".to_owned();
    let mut other_audience = settings();
    other_audience.audience = "other-api".to_owned();
    for other in [other_issuer, other_audience] {
        let rs = JwtCodec::rs256(vec![fixture_key()], other.clone()).unwrap();
        assert_eq!(
            rs256().verify(&rs.issue(&claims).unwrap(), Utc::now()),
            Err(AccessTokenError::Invalid)
        );
        let hs = JwtCodec::hs256(HS_SECRET, other).unwrap();
        assert_eq!(
            hs256().verify(&hs.issue(&claims).unwrap(), Utc::now()),
            Err(AccessTokenError::Invalid)
        );
    }
}

#[test]
fn a_correctly_signed_token_with_another_typ_is_invalid() {
    let payload = payload_json(&fresh_claims());
    assert!(
        rs256()
            .verify(&sign_rs256(our_rs256_header(), &payload), Utc::now())
            .is_ok()
    );
    for typ in [Some("JWT"), None] {
        let mut header = our_rs256_header();
        header.typ = typ.map(str::to_owned);
        assert_eq!(
            rs256().verify(&sign_rs256(header, &payload), Utc::now()),
            Err(AccessTokenError::Invalid)
        );
    }
}

#[test]
fn the_spelled_out_media_type_is_accepted_as_typ() {
    let mut header = our_rs256_header();
    header.typ = Some("application/at+jwt".to_owned());
    assert!(
        rs256()
            .verify(
                &sign_rs256(header, &payload_json(&fresh_claims())),
                Utc::now()
            )
            .is_ok()
    );
}

#[test]
fn a_correctly_signed_token_missing_a_required_claim_is_invalid() {
    for claim in ["iss", "aud", "exp", "sub", "jti", "sid"] {
        let mut payload = payload_json(&fresh_claims());
        payload.as_object_mut().unwrap().remove(claim);
        assert_eq!(
            rs256().verify(&sign_rs256(our_rs256_header(), &payload), Utc::now()),
            Err(AccessTokenError::Invalid),
            "without {claim}"
        );
    }
}

#[test]
fn a_correctly_signed_token_with_a_malformed_role_or_an_unknown_permission_is_invalid() {
    for (claim, value) in [
        ("roles", json!(["user", "not a role!"])),
        ("roles", json!(["user", 7])),
        ("permissions", json!(["users.read", "users.write"])),
    ] {
        let mut payload = payload_json(&fresh_claims());
        payload[claim] = value.clone();
        assert_eq!(
            rs256().verify(&sign_rs256(our_rs256_header(), &payload), Utc::now()),
            Err(AccessTokenError::Invalid),
            "{claim}: {value}"
        );
    }
}

/// Roles are configuration: the codec reads any well-formed name back, and what a role that is
/// not configured grants (nothing) is decided where permissions are checked.
#[test]
fn a_well_formed_role_the_configuration_does_not_know_is_read_back() {
    let mut payload = payload_json(&fresh_claims());
    payload["roles"] = json!(["user", "HotelPartner"]);
    let claims = rs256()
        .verify(&sign_rs256(our_rs256_header(), &payload), Utc::now())
        .unwrap_or_else(|e| panic!("{e:?}"));
    let names: Vec<&str> = claims.roles.iter().map(|r| r.as_str()).collect();
    assert_eq!(names, ["user", "HotelPartner"]);
}

#[test]
fn a_token_with_an_unknown_or_missing_kid_is_invalid() {
    let token = JwtCodec::rs256(vec![OTHER_KEY.clone()], settings())
        .unwrap()
        .issue(&fresh_claims())
        .unwrap();
    assert_eq!(
        rs256().verify(&token, Utc::now()),
        Err(AccessTokenError::Invalid)
    );

    let mut header = our_rs256_header();
    header.kid = None;
    assert_eq!(
        rs256().verify(
            &sign_rs256(header, &payload_json(&fresh_claims())),
            Utc::now()
        ),
        Err(AccessTokenError::Invalid)
    );
}

#[test]
fn a_token_signed_by_another_key_under_our_kid_is_invalid() {
    let impostor = OTHER_KEY.clone().with_kid(fixture_key().kid());
    let token = JwtCodec::rs256(vec![impostor], settings())
        .unwrap()
        .issue(&fresh_claims())
        .unwrap();
    assert_eq!(
        rs256().verify(&token, Utc::now()),
        Err(AccessTokenError::Invalid)
    );
}

#[test]
fn key_url_headers_are_never_consulted() {
    let mut header = our_rs256_header();
    header.jku = Some("https://evil.example/jwks.json".to_owned());
    header.x5u = Some("https://evil.example/cert.pem".to_owned());
    // Signed with our key, the token stays valid: the headers were not followed.
    let ours = sign_rs256(header.clone(), &payload_json(&fresh_claims()));
    assert!(rs256().verify(&ours, Utc::now()).is_ok());
    // Signed with the key those headers would lead to, it is not.
    let impostor_token = JwtCodec::rs256(
        vec![OTHER_KEY.clone().with_kid(fixture_key().kid())],
        settings(),
    )
    .unwrap()
    .issue(&fresh_claims())
    .unwrap();
    let (_, payload, signature) = parts(&impostor_token);
    let forged = format!(
        "{}.{}.{signature}",
        b64(&serde_json::to_value(&header).unwrap()),
        b64(&payload)
    );
    assert_eq!(
        rs256().verify(&forged, Utc::now()),
        Err(AccessTokenError::Invalid)
    );
}

#[test]
fn garbage_is_invalid() {
    let codec = rs256();
    let huge = "a".repeat(100_000);
    for junk in [
        "",
        "abc",
        "a.b.c",
        "...",
        "eyJhbGciOiJIUzI1NiJ9..",
        huge.as_str(),
        "Bearer x.y.z",
    ] {
        assert_eq!(
            codec.verify(junk, Utc::now()),
            Err(AccessTokenError::Invalid),
            "{junk:.20}"
        );
    }
}

#[test]
fn during_rotation_the_first_key_signs_and_every_key_verifies() {
    let old = JwtCodec::rs256(vec![OTHER_KEY.clone()], settings()).unwrap();
    let old_token = old.issue(&fresh_claims()).unwrap();
    let rotated = JwtCodec::rs256(vec![fixture_key(), OTHER_KEY.clone()], settings()).unwrap();
    assert!(rotated.verify(&old_token, Utc::now()).is_ok());
    let (header, _, _) = parts(&rotated.issue(&fresh_claims()).unwrap());
    assert_eq!(header["kid"], fixture_key().kid());
}

#[test]
fn the_jwks_publishes_every_key_and_its_n_and_e_verify_our_tokens() {
    let codec = JwtCodec::rs256(vec![fixture_key(), OTHER_KEY.clone()], settings()).unwrap();
    let jwks = codec.jwks();
    assert_eq!(jwks.keys.len(), 2);
    assert_eq!(jwks.keys[0].kid, fixture_key().kid());
    assert_eq!(jwks.keys[1].kid, OTHER_KEY.kid());
    let token = codec.issue(&fresh_claims()).unwrap();
    for jwk in &jwks.keys {
        assert_eq!(
            (jwk.kty.as_str(), jwk.use_.as_str(), jwk.alg.as_str()),
            ("RSA", "sig", "RS256")
        );
        assert_eq!(jwk.e, "AQAB");
        assert!(!jwk.n.contains('=') && !jwk.n.contains('+') && !jwk.n.contains('/'));
    }
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&["https://auth.example"]);
    validation.set_audience(&["example-api"]);
    let rebuilt = DecodingKey::from_rsa_components(&jwks.keys[0].n, &jwks.keys[0].e).unwrap();
    jsonwebtoken::decode::<Value>(&token, &rebuilt, &validation).unwrap();
    let wrong = DecodingKey::from_rsa_components(&jwks.keys[1].n, &jwks.keys[1].e).unwrap();
    assert!(jsonwebtoken::decode::<Value>(&token, &wrong, &validation).is_err());
    // The published key is exactly the fixture's public key.
    let from_pem = DecodingKey::from_rsa_pem(PUBLIC_PEM.as_bytes()).unwrap();
    jsonwebtoken::decode::<Value>(&token, &from_pem, &validation).unwrap();
}

#[test]
fn pkcs1_and_pkcs8_forms_of_one_key_load_with_the_same_kid() {
    let pkcs1 = RsaSigningKey::from_pem(PKCS1_PEM).unwrap();
    assert_eq!(pkcs1.kid(), fixture_key().kid());
    assert_eq!(pkcs1.kid().len(), 43);
    let token = JwtCodec::rs256(vec![pkcs1], settings())
        .unwrap()
        .issue(&fresh_claims())
        .unwrap();
    assert!(rs256().verify(&token, Utc::now()).is_ok());
}

#[test]
fn ephemeral_keys_are_distinct_and_usable() {
    let a = RsaSigningKey::generate_ephemeral().unwrap();
    assert_ne!(a.kid(), OTHER_KEY.kid());
    let codec = JwtCodec::rs256(vec![a], settings()).unwrap();
    let claims = fresh_claims();
    assert_eq!(
        codec
            .verify(&codec.issue(&claims).unwrap(), Utc::now())
            .unwrap(),
        claims
    );
}

#[test]
fn a_public_key_or_junk_is_not_accepted_as_a_signing_key() {
    assert!(matches!(
        RsaSigningKey::from_pem(PUBLIC_PEM),
        Err(KeyError::Rejected | KeyError::InvalidPem)
    ));
    assert!(matches!(
        RsaSigningKey::from_pem("not a key"),
        Err(KeyError::InvalidPem)
    ));
}

#[test]
fn bad_codec_settings_are_refused() {
    assert!(matches!(
        JwtCodec::rs256(vec![], settings()),
        Err(JwtConfigError::NoKeys)
    ));
    assert!(matches!(
        JwtCodec::rs256(
            vec![fixture_key(), RsaSigningKey::from_pem(PKCS1_PEM).unwrap()],
            settings()
        ),
        Err(JwtConfigError::DuplicateKid(_))
    ));
    assert!(matches!(
        JwtCodec::hs256(&HS_SECRET[..31], settings()),
        Err(JwtConfigError::SecretTooShort(31))
    ));
    let mut lax = settings();
    lax.leeway_secs = 31;
    assert!(matches!(
        JwtCodec::hs256(HS_SECRET, lax),
        Err(JwtConfigError::LeewayTooLarge(31))
    ));
}

#[test]
fn debug_output_shows_no_key_material() {
    let key = fixture_key();
    let shown = format!("{key:?} {:?} {:?}", rs256(), hs256());
    assert!(shown.contains(key.kid()));
    assert!(!shown.contains("0123456789abcdef"));
    assert!(!shown.contains(&rs256().jwks().keys[0].n[..20]));
}
