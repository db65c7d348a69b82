//! Rotating authd's signing key as docs/operations.md tells an operator to, with hotel-service
//! verifying tokens throughout: a new key listed first (old one still listed) — tokens of both
//! keys accepted, the new kid fetched once; then the old key removed — its tokens refused once
//! the guard has fetched the keys again.

use crate::support::{Authd, Hotel, free_port, generate_key, key_dir};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_of_both_keys_pass_during_a_rotation_and_the_old_key_dies_after_it() {
    let dir = key_dir();
    let old = generate_key(&dir, "old.pem");
    let new = generate_key(&dir, "new.pem");
    let port = free_port();

    let authd = Authd::start(port, &[&old]).await;
    // Short intervals so the test need not wait authd's five-minute max-age: keys are kept at
    // most 2 s, an unknown kid may be fetched every 200 ms.
    let guard = authd
        .guard()
        .min_refresh_interval(Duration::from_millis(200))
        .max_key_age(Duration::from_secs(2))
        .build()
        .unwrap();
    let hotel = Hotel::start(guard.clone());
    let old_token = authd.user_with_role("HotelPartner").await;
    assert_eq!(
        hotel.get("/partner/reports", Some(&old_token)).await.status,
        200
    );
    assert_eq!(guard.jwks_fetches(), 1);

    // Step 1 and 2 of the rotation at once: the new key signs, the old one still verifies.
    authd.stop().await;
    let authd = Authd::start(port, &[&new, &old]).await;
    tokio::time::sleep(Duration::from_millis(250)).await;
    let new_token = authd.user_with_role("HotelPartner").await;
    let reply = hotel.get("/partner/reports", Some(&new_token)).await;
    assert_eq!(
        reply.status, 200,
        "a token of the new key {}: {reply:?}",
        new.kid
    );
    assert_eq!(guard.jwks_fetches(), 2, "the new kid was fetched once");
    for _ in 0..5 {
        assert_eq!(
            hotel.get("/partner/reports", Some(&new_token)).await.status,
            200
        );
        assert_eq!(
            hotel.get("/partner/reports", Some(&old_token)).await.status,
            200
        );
    }
    assert_eq!(
        guard.jwks_fetches(),
        2,
        "both kids known now: no more fetches"
    );

    // Step 3: the old key is removed. Until the guard fetches again it still trusts it (the
    // trade-off of local verification); after its max key age, it does not.
    authd.stop().await;
    let authd = Authd::start(port, &[&new]).await;
    let fresh_token = authd.user_with_role("Customer").await;
    assert_eq!(hotel.get("/bookings", Some(&fresh_token)).await.status, 200);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let reply = hotel.get("/partner/reports", Some(&old_token)).await;
    assert_eq!(
        reply.status, 401,
        "a token of the removed key {}: {reply:?}",
        old.kid
    );
    assert_eq!(reply.code(), "INVALID_TOKEN");
    assert_eq!(
        hotel.get("/partner/reports", Some(&new_token)).await.status,
        200
    );
    assert_eq!(hotel.get("/bookings", Some(&fresh_token)).await.status, 200);
    authd.stop().await;
}
