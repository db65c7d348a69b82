//! The JWKS cache: fetched once, refetched for an unknown kid at most once per interval (and
//! once for many concurrent misses), refreshed once its max-age has passed.

use crate::support::{Authd, claims, jwks_of, keys};
use authd_guard::GuardError;
use std::time::Duration;

#[actix_web::test]
async fn keys_are_fetched_once_and_reused() {
    let authd = Authd::start(jwks_of(&[&keys()[0]]));
    let guard = authd.guard().build().unwrap();
    for _ in 0..5 {
        let token = keys()[0].token(&claims(&["Customer"], &[]));
        assert!(guard.verify(&token).await.is_ok());
    }
    assert_eq!(authd.jwks_hits(), 1);
}

#[actix_web::test]
async fn a_new_kid_is_fetched_once_then_unknown_kids_wait_for_the_interval() {
    let authd = Authd::start(jwks_of(&[&keys()[0]]));
    let guard = authd
        .guard()
        .min_refresh_interval(Duration::from_millis(600))
        .build()
        .unwrap();
    let old = keys()[0].token(&claims(&["Customer"], &[]));
    let new = keys()[1].token(&claims(&["Customer"], &[]));
    assert!(guard.verify(&old).await.is_ok());
    // Before the rotation, a token of the new key: one refetch, still unknown.
    tokio::time::sleep(Duration::from_millis(650)).await;
    assert_eq!(guard.verify(&new).await, Err(GuardError::InvalidToken));
    assert_eq!(authd.jwks_hits(), 2);
    // authd rotates the new key in; within the interval the guard does not ask again.
    authd.publish(jwks_of(&[&keys()[1], &keys()[0]]));
    for _ in 0..10 {
        assert_eq!(guard.verify(&new).await, Err(GuardError::InvalidToken));
    }
    assert_eq!(
        authd.jwks_hits(),
        2,
        "unknown kids cannot make the guard hammer authd"
    );
    assert!(
        guard.verify(&old).await.is_ok(),
        "known keys keep working meanwhile"
    );
    // Once the interval has passed, the next miss fetches and finds it.
    tokio::time::sleep(Duration::from_millis(650)).await;
    assert!(guard.verify(&new).await.is_ok());
    assert!(guard.verify(&old).await.is_ok());
    assert_eq!(authd.jwks_hits(), 3);
}

#[actix_web::test]
async fn concurrent_misses_share_one_fetch() {
    let authd = Authd::start(jwks_of(&[&keys()[0]]));
    let guard = authd.guard().build().unwrap();
    assert!(guard.refresh_keys().await.is_ok());
    assert_eq!(authd.jwks_hits(), 1);
    authd.publish(jwks_of(&[&keys()[1], &keys()[0]]));
    authd.slow_jwks(Duration::from_millis(300));
    // A guard that knows no key yet; no interval, so only coalescing can spare authd.
    let guard = authd
        .guard()
        .min_refresh_interval(Duration::ZERO)
        .build()
        .unwrap();
    let hits_before = authd.jwks_hits();
    let tokens: Vec<String> = (0..20)
        .map(|_| keys()[1].token(&claims(&["Customer"], &[])))
        .collect();
    let results = futures_util::future::join_all(tokens.iter().map(|t| guard.verify(t))).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(
        authd.jwks_hits() - hits_before,
        1,
        "twenty misses, one fetch"
    );
}

#[actix_web::test]
async fn keys_are_refreshed_once_their_max_age_has_passed() {
    let authd = Authd::start(jwks_of(&[&keys()[1], &keys()[0]]));
    authd.cache_control("public, max-age=1");
    let guard = authd
        .guard()
        .min_refresh_interval(Duration::ZERO)
        .build()
        .unwrap();
    let old = keys()[0].token(&claims(&["Customer"], &[]));
    assert!(guard.verify(&old).await.is_ok());
    // authd drops the old key: within max-age the cached copy still accepts its tokens...
    authd.publish(jwks_of(&[&keys()[1]]));
    assert!(guard.verify(&old).await.is_ok());
    assert_eq!(authd.jwks_hits(), 1);
    // ...after it, the refreshed set does not.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(guard.verify(&old).await, Err(GuardError::InvalidToken));
    assert_eq!(authd.jwks_hits(), 2);
    let new = keys()[1].token(&claims(&["Customer"], &[]));
    assert!(guard.verify(&new).await.is_ok());
}

#[actix_web::test]
async fn authd_unreachable_before_any_key_is_unavailable_and_later_keeps_the_keys() {
    let guard = authd_guard::Guard::builder("http://127.0.0.1:9")
        .issuer(crate::support::ISSUER)
        .audience(crate::support::AUDIENCE)
        .build()
        .unwrap();
    let token = keys()[0].token(&claims(&["Customer"], &[]));
    assert_eq!(guard.verify(&token).await, Err(GuardError::Unavailable));

    let authd = Authd::start(jwks_of(&[&keys()[0]]));
    authd.cache_control("max-age=0");
    let guard = authd
        .guard()
        .min_refresh_interval(Duration::ZERO)
        .build()
        .unwrap();
    assert!(guard.verify(&token).await.is_ok());
    authd.publish(serde_json::json!({ "keys": "broken" }));
    // Stale keys, no usable answer: the known key still verifies rather than locking everyone
    // out.
    assert!(guard.verify(&token).await.is_ok());
    assert_eq!(authd.jwks_hits(), 2, "it did try");
}
