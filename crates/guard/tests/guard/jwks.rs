//! The JWKS cache: fetched once, refetched for an unknown kid at most once per interval (and
//! once for many concurrent misses), refreshed in the background once its max-age has passed,
//! dropped once stale for too long, and fetched again soon after authd comes back.
//!
//! Waits are at least a second or two longer than what they wait for, and nothing asserts that a
//! step finished within less than 3 s: the tests must hold on two loaded cores.

use crate::support::{Authd, claims, jwks_of, keys};
use authd_guard::GuardError;
use std::time::{Duration, Instant};

/// Retries `check` until it holds or 15 s have passed (a background fetch is not awaited).
async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !check().await {
        assert!(Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

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
    let interval = Duration::from_secs(3);
    let guard = authd
        .guard()
        .min_refresh_interval(interval)
        .build()
        .unwrap();
    let old = keys()[0].token(&claims(&["Customer"], &[]));
    let new = keys()[1].token(&claims(&["Customer"], &[]));
    assert!(guard.verify(&old).await.is_ok());
    // Before the rotation, a token of the new key: one refetch, still unknown.
    tokio::time::sleep(interval + Duration::from_millis(200)).await;
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
    tokio::time::sleep(interval + Duration::from_millis(200)).await;
    assert!(guard.verify(&new).await.is_ok());
    assert!(guard.verify(&old).await.is_ok());
    assert_eq!(authd.jwks_hits(), 3);
}

#[actix_web::test]
async fn concurrent_misses_share_one_fetch() {
    let authd = Authd::start(jwks_of(&[&keys()[1], &keys()[0]]));
    authd.slow_jwks(Duration::from_millis(300));
    // A guard that knows no key yet: only coalescing can spare authd.
    let guard = authd.guard().build().unwrap();
    let tokens: Vec<String> = (0..20)
        .map(|_| keys()[1].token(&claims(&["Customer"], &[])))
        .collect();
    let results = futures_util::future::join_all(tokens.iter().map(|t| guard.verify(t))).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(authd.jwks_hits(), 1, "twenty misses, one fetch");
}

#[actix_web::test]
async fn stale_keys_are_served_at_once_while_one_refresh_runs_behind() {
    let authd = Authd::start(jwks_of(&[&keys()[1], &keys()[0]]));
    authd.cache_control("public, max-age=1");
    // The slow answer below (5 s) must not time out.
    let guard = authd
        .guard()
        .http_timeout(Duration::from_secs(15))
        .build()
        .unwrap();
    let old = keys()[0].token(&claims(&["Customer"], &[]));
    assert!(guard.verify(&old).await.is_ok());
    // authd drops the old key and answers slowly; within max-age the cached copy is used.
    authd.publish(jwks_of(&[&keys()[1]]));
    authd.cache_control("public, max-age=300");
    assert!(guard.verify(&old).await.is_ok());
    assert_eq!(authd.jwks_hits(), 1);
    authd.slow_jwks(Duration::from_secs(5));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // Stale now: every request is answered from the cache without waiting on the slow fetch.
    let started = Instant::now();
    for _ in 0..10 {
        assert!(guard.verify(&old).await.is_ok(), "stale, still served");
    }
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "requests waited for the refresh: {:?}",
        started.elapsed()
    );
    // Once the one background fetch is in, the removed key is refused.
    eventually("the removed key refused", async || {
        guard.verify(&old).await == Err(GuardError::InvalidToken)
    })
    .await;
    assert_eq!(authd.jwks_hits(), 2, "ten stale requests, one refresh");
    let new = keys()[1].token(&claims(&["Customer"], &[]));
    assert!(guard.verify(&new).await.is_ok());
}

#[actix_web::test]
async fn authd_unreachable_before_any_key_is_unavailable() {
    let guard = authd_guard::Guard::builder("http://127.0.0.1:9")
        .issuer(crate::support::ISSUER)
        .audience(crate::support::AUDIENCE)
        .build()
        .unwrap();
    let token = keys()[0].token(&claims(&["Customer"], &[]));
    assert_eq!(guard.verify(&token).await, Err(GuardError::Unavailable));
}

#[actix_web::test]
async fn stale_keys_are_kept_while_authd_fails_but_only_for_max_stale() {
    let authd = Authd::start(jwks_of(&[&keys()[0]]));
    authd.cache_control("max-age=1");
    let guard = authd
        .guard()
        .max_stale(Duration::from_secs(4))
        .build()
        .unwrap();
    let token = keys()[0].token(&claims(&["Customer"], &[]));
    assert!(guard.verify(&token).await.is_ok());
    authd.publish(serde_json::json!({ "keys": "broken" }));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // Stale, no usable answer: the known key still verifies rather than locking everyone out.
    assert!(guard.verify(&token).await.is_ok());
    eventually("a refresh attempted", async || authd.jwks_hits() >= 2).await;
    assert!(guard.verify(&token).await.is_ok());
    // 1 s of max-age and 4 s of max-stale after the fetch, the keys are dropped: 503.
    tokio::time::sleep(Duration::from_millis(4000)).await;
    assert_eq!(guard.verify(&token).await, Err(GuardError::Unavailable));
}

#[actix_web::test]
async fn a_guard_started_before_authd_gets_its_keys_within_seconds() {
    let authd = Authd::start(jwks_of(&[&keys()[0]]));
    authd.jwks_down(true);
    // The default interval is 30 s; the first retry after a failure comes after 1 s.
    let guard = authd.guard().build().unwrap();
    let token = keys()[0].token(&claims(&["Customer"], &[]));
    assert_eq!(guard.refresh_keys().await, Err(GuardError::Unavailable));
    assert_eq!(authd.jwks_hits(), 1);
    authd.jwks_down(false);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert!(guard.verify(&token).await.is_ok());
    assert_eq!(authd.jwks_hits(), 2);
}

#[actix_web::test]
async fn a_jwks_of_more_than_a_mebibyte_is_not_read() {
    let mut jwks = jwks_of(&[&keys()[0]]);
    jwks["padding"] = serde_json::json!("x".repeat(1024 * 1024 + 1));
    let authd = Authd::start(jwks);
    let guard = authd.guard().build().unwrap();
    let token = keys()[0].token(&claims(&["Customer"], &[]));
    assert_eq!(guard.verify(&token).await, Err(GuardError::Unavailable));
    assert_eq!(authd.jwks_hits(), 1);
}
