//! Instant revocation: with introspection on, a token that verifies locally is also checked
//! with authd, and refused once authd says it is no longer active.

use crate::support::{Authd, claims, jwks_of, keys};
use authd_guard::{GuardError, IntrospectionCredentials};
use secrecy::SecretString;
use std::time::Duration;

fn credentials() -> IntrospectionCredentials {
    IntrospectionCredentials::Basic {
        client_id: "hotel-service".into(),
        client_secret: SecretString::from("hotel-s3cret"),
    }
}

#[actix_web::test]
async fn an_inactive_token_is_refused_as_revoked() {
    let authd = Authd::start(jwks_of(&[&keys()[0]]));
    let guard = authd
        .guard()
        .introspection(&authd.url, credentials())
        .build()
        .unwrap();
    let token = keys()[0].token(&claims(&["Customer"], &[]));
    assert!(guard.verify(&token).await.is_ok());
    assert_eq!(authd.introspections(), 1);
    let sent = authd.state.introspected_by.lock().unwrap().clone();
    assert_eq!(
        sent.as_deref(),
        Some("Basic aG90ZWwtc2VydmljZTpob3RlbC1zM2NyZXQ=")
    );
    authd.set_active(false);
    assert_eq!(guard.verify(&token).await, Err(GuardError::TokenRevoked));
}

#[actix_web::test]
async fn a_locally_invalid_token_is_not_sent_to_authd() {
    let authd = Authd::start(jwks_of(&[&keys()[0]]));
    let guard = authd
        .guard()
        .introspection(
            &authd.url,
            IntrospectionCredentials::Bearer(SecretString::from("t")),
        )
        .build()
        .unwrap();
    assert_eq!(guard.verify("garbage").await, Err(GuardError::InvalidToken));
    assert_eq!(authd.introspections(), 0);
}

#[actix_web::test]
async fn authd_unable_to_answer_fails_closed() {
    let authd = Authd::start(jwks_of(&[&keys()[0]]));
    let guard = authd
        .guard()
        .introspection(&authd.url, credentials())
        .build()
        .unwrap();
    authd.introspection_down();
    let token = keys()[0].token(&claims(&["Customer"], &[]));
    assert_eq!(guard.verify(&token).await, Err(GuardError::Unavailable));
}

#[actix_web::test]
async fn an_active_answer_about_another_token_fails_closed() {
    let authd = Authd::start(jwks_of(&[&keys()[0]]));
    let guard = authd
        .guard()
        .introspection(&authd.url, credentials())
        .build()
        .unwrap();
    authd.introspection_confused();
    let token = keys()[0].token(&claims(&["Customer"], &[]));
    assert_eq!(guard.verify(&token).await, Err(GuardError::Unavailable));
    assert_eq!(authd.introspections(), 1);
}

#[actix_web::test]
async fn basic_credentials_are_form_encoded_as_rfc_6749_asks() {
    let authd = Authd::start(jwks_of(&[&keys()[0]]));
    let odd = IntrospectionCredentials::Basic {
        client_id: "hotel:eu".into(),
        client_secret: SecretString::from("s3cret with+symbols"),
    };
    let guard = authd
        .guard()
        .introspection(&authd.url, odd)
        .build()
        .unwrap();
    let token = keys()[0].token(&claims(&["Customer"], &[]));
    assert!(guard.verify(&token).await.is_ok());
    let sent = authd.state.introspected_by.lock().unwrap().clone().unwrap();
    let encoded = sent.strip_prefix("Basic ").unwrap();
    use base64::Engine;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .unwrap();
    assert_eq!(
        String::from_utf8(decoded).unwrap(),
        "hotel%3Aeu:s3cret+with%2Bsymbols"
    );
}

#[actix_web::test]
async fn the_positive_cache_reuses_an_active_answer_for_its_ttl_only() {
    let authd = Authd::start(jwks_of(&[&keys()[0]]));
    let guard = authd
        .guard()
        .introspection(&authd.url, credentials())
        .introspection_cache(Duration::from_secs(3))
        .build()
        .unwrap();
    let token = keys()[0].token(&claims(&["Customer"], &[]));
    assert!(guard.verify(&token).await.is_ok());
    authd.set_active(false);
    assert!(
        guard.verify(&token).await.is_ok(),
        "within the cache's few seconds"
    );
    assert_eq!(authd.introspections(), 1);
    tokio::time::sleep(Duration::from_millis(3200)).await;
    assert_eq!(guard.verify(&token).await, Err(GuardError::TokenRevoked));
    assert_eq!(authd.introspections(), 2);
}

#[actix_web::test]
async fn without_a_cache_every_request_asks() {
    let authd = Authd::start(jwks_of(&[&keys()[0]]));
    let guard = authd
        .guard()
        .introspection(format!("{}/v1/auth/introspect", authd.url), credentials())
        .build()
        .unwrap();
    let token = keys()[0].token(&claims(&["Customer"], &[]));
    for _ in 0..3 {
        assert!(guard.verify(&token).await.is_ok());
    }
    assert_eq!(authd.introspections(), 3);
}
