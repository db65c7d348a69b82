//! What a token must be: signed by a published key with the pinned algorithm, `typ` `at+jwt`,
//! the pinned issuer and audience, not expired, with authd's claims.

use crate::support::{AUDIENCE, Authd, ISSUER, claims, jwks_of, keys};
use authd_domain::authorization::Permission;
use authd_guard::{Guard, GuardError};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use secrecy::SecretString;
use serde_json::{Value, json};

/// A payload as authd writes it, for forging variants of.
fn payload() -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({
        "iss": ISSUER, "aud": AUDIENCE,
        "sub": uuid::Uuid::new_v4(), "sid": uuid::Uuid::new_v4(), "jti": uuid::Uuid::new_v4(),
        "iat": now, "exp": now + 900, "roles": ["Customer"], "permissions": ["users.read"],
    })
}

fn rs256(kid: &str, typ: Option<&str>, payload: &Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_owned());
    header.typ = typ.map(str::to_owned);
    let key = EncodingKey::from_rsa_pem(keys()[0].pem.as_bytes()).unwrap();
    jsonwebtoken::encode(&header, payload, &key).unwrap()
}

const SECRET: &str = "a-shared-secret-of-at-least-32-bytes-for-hs256";

fn hs256(typ: Option<&str>, payload: &Value, secret: &str) -> String {
    let mut header = Header::new(Algorithm::HS256);
    header.typ = typ.map(str::to_owned);
    jsonwebtoken::encode(
        &header,
        payload,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

#[actix_web::test]
async fn a_genuine_token_gives_its_principal() {
    let authd = Authd::start(jwks_of(&[&keys()[0]]));
    let guard = authd.guard().build().unwrap();
    let claims = claims(&["HotelPartner"], &[Permission::UsersRead]);
    let principal = guard.verify(&keys()[0].token(&claims)).await.unwrap();
    assert_eq!(principal.user_id, *claims.user_id.as_uuid());
    assert_eq!(principal.session_id, *claims.session_id.as_uuid());
    assert_eq!(principal.token_id, *claims.token_id.as_uuid());
    assert_eq!(principal.roles, ["HotelPartner"]);
    assert_eq!(principal.permissions, ["users.read"]);
    assert_eq!(
        principal.expires_at.timestamp(),
        claims.expires_at.timestamp()
    );
}

#[actix_web::test]
async fn another_issuer_audience_type_or_algorithm_is_refused() {
    let authd = Authd::start(jwks_of(&[&keys()[0]]));
    let guard = authd.guard().build().unwrap();
    let kid = &keys()[0].kid;
    let good = payload();
    assert!(
        guard
            .verify(&rs256(kid, Some("at+jwt"), &good))
            .await
            .is_ok()
    );
    assert!(
        guard
            .verify(&rs256(kid, Some("application/at+jwt"), &good))
            .await
            .is_ok()
    );

    let mut other_issuer = good.clone();
    other_issuer["iss"] = json!("https://evil.example");
    let mut other_audience = good.clone();
    other_audience["aud"] = json!("another-api");
    let mut no_session = good.clone();
    no_session.as_object_mut().unwrap().remove("sid");
    let mut no_audience = good.clone();
    no_audience.as_object_mut().unwrap().remove("aud");
    let refused = [
        ("issuer", rs256(kid, Some("at+jwt"), &other_issuer)),
        ("audience", rs256(kid, Some("at+jwt"), &other_audience)),
        ("no aud", rs256(kid, Some("at+jwt"), &no_audience)),
        ("no sid", rs256(kid, Some("at+jwt"), &no_session)),
        ("typ JWT (an ID token, say)", rs256(kid, Some("JWT"), &good)),
        ("no typ", rs256(kid, None, &good)),
        // HS256 "signed" with a secret: RS256 is pinned, the token's alg is never trusted.
        ("alg HS256", hs256(Some("at+jwt"), &good, SECRET)),
        ("no kid", {
            let mut header = Header::new(Algorithm::RS256);
            header.typ = Some("at+jwt".into());
            let key = EncodingKey::from_rsa_pem(keys()[0].pem.as_bytes()).unwrap();
            jsonwebtoken::encode(&header, &good, &key).unwrap()
        }),
        ("alg none", {
            let mut parts: Vec<String> = rs256(kid, Some("at+jwt"), &good)
                .split('.')
                .map(str::to_owned)
                .collect();
            parts[0] = "eyJhbGciOiJub25lIiwidHlwIjoiYXQrand0In0".to_owned();
            format!("{}.{}.", parts[0], parts[1])
        }),
        ("garbage", "not.a.token".to_owned()),
        ("huge", "a".repeat(20_000)),
    ];
    for (what, token) in refused {
        assert_eq!(
            guard.verify(&token).await,
            Err(GuardError::InvalidToken),
            "{what}"
        );
    }
}

#[actix_web::test]
async fn a_token_signed_by_another_key_under_a_published_kid_is_refused() {
    let authd = Authd::start(jwks_of(&[&keys()[0]]));
    let guard = authd.guard().build().unwrap();
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(keys()[0].kid.clone());
    header.typ = Some("at+jwt".into());
    let other = EncodingKey::from_rsa_pem(keys()[1].pem.as_bytes()).unwrap();
    let forged = jsonwebtoken::encode(&header, &payload(), &other).unwrap();
    assert_eq!(guard.verify(&forged).await, Err(GuardError::InvalidToken));
}

#[actix_web::test]
async fn an_expired_token_is_expired_beyond_the_leeway() {
    let authd = Authd::start(jwks_of(&[&keys()[0]]));
    let guard = authd.guard().build().unwrap();
    let kid = &keys()[0].kid;
    let now = chrono::Utc::now().timestamp();
    let mut p = payload();
    p["exp"] = json!(now - 31);
    assert_eq!(
        guard.verify(&rs256(kid, Some("at+jwt"), &p)).await,
        Err(GuardError::TokenExpired)
    );
    p["exp"] = json!(now - 10);
    assert!(
        guard.verify(&rs256(kid, Some("at+jwt"), &p)).await.is_ok(),
        "within 30 s"
    );
    p["nbf"] = json!(now + 120);
    p["exp"] = json!(now + 900);
    assert_eq!(
        guard.verify(&rs256(kid, Some("at+jwt"), &p)).await,
        Err(GuardError::InvalidToken),
        "not valid before two minutes from now"
    );
}

#[actix_web::test]
async fn hs256_with_the_shared_secret_accepts_only_hs256() {
    let guard = Guard::builder("http://127.0.0.1:9")
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .hs256_secret(SecretString::from(SECRET))
        .build()
        .unwrap();
    let good = payload();
    assert!(
        guard
            .verify(&hs256(Some("at+jwt"), &good, SECRET))
            .await
            .is_ok()
    );
    let wrong_secret = hs256(
        Some("at+jwt"),
        &good,
        "another-secret-of-at-least-32-bytes-long",
    );
    assert_eq!(
        guard.verify(&wrong_secret).await,
        Err(GuardError::InvalidToken)
    );
    assert_eq!(
        guard
            .verify(&rs256(&keys()[0].kid, Some("at+jwt"), &good))
            .await,
        Err(GuardError::InvalidToken)
    );
    assert_eq!(guard.jwks_fetches(), 0, "no JWKS with a shared secret");
    let short = Guard::builder("http://127.0.0.1:9")
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .hs256_secret(SecretString::from("short"))
        .build();
    assert!(short.is_err());
}

#[actix_web::test]
async fn issuer_and_audience_must_be_configured() {
    assert!(
        Guard::builder("http://127.0.0.1:9")
            .audience(AUDIENCE)
            .build()
            .is_err()
    );
    assert!(
        Guard::builder("http://127.0.0.1:9")
            .issuer(ISSUER)
            .build()
            .is_err()
    );
}
