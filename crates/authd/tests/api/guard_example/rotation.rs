//! Rotating authd's signing key as docs/operations.md tells an operator to, with hotel-service
//! verifying tokens throughout: a new key listed first (old one still listed), authd restarted —
//! tokens of both keys accepted, the new kid costing exactly one JWKS fetch; then authd
//! restarted without the old key — its tokens refused once the guard has fetched the keys again.

use super::support::{Authd, Hotel, Scratch};
use std::time::{Duration, Instant};

/// How often the guard fetches the keys anyway (authd's own max-age is 5 min). Nothing below
/// has to finish within it but ten local verifications.
const MAX_KEY_AGE: Duration = Duration::from_secs(8);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_of_both_keys_pass_during_a_rotation_and_the_old_key_dies_after_it() {
    let scratch = Scratch::new();
    let old = scratch.key("old.pem").await;
    let new = scratch.key("new.pem").await;
    let authd = Authd::start(&scratch, &[&old]).await;
    // An unknown kid may be fetched every second (the floor), not every 30 s.
    let guard = authd
        .guard()
        .min_refresh_interval(Duration::from_secs(1))
        .max_key_age(MAX_KEY_AGE)
        .build()
        .unwrap();
    let hotel = Hotel::start(guard.clone());
    let old_token = authd.user_with_role("HotelPartner").await;
    let reply = hotel.get("/partner/reports", Some(&old_token)).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(guard.jwks_fetches(), 1);
    let first_fetch = Instant::now();

    // Steps 1 and 2 of the rotation at once: the new key signs, the old one still verifies.
    let authd = authd.restart(&[&new, &old]).await;
    tokio::time::sleep_until((first_fetch + Duration::from_millis(1200)).into()).await;
    let new_token = authd.user_with_role("HotelPartner").await;
    let reply = hotel.get("/partner/reports", Some(&new_token)).await;
    assert_eq!(
        reply.status, 200,
        "a token of the new key {}: {reply:?}",
        new.kid
    );
    assert_eq!(guard.jwks_fetches(), 2, "the new kid was fetched once");
    for _ in 0..5 {
        for token in [&new_token, &old_token] {
            let reply = hotel.get("/partner/reports", Some(token)).await;
            assert_eq!(reply.status, 200, "{reply:?}");
        }
    }
    assert_eq!(
        guard.jwks_fetches(),
        2,
        "both kids known now: no more fetches"
    );

    // Step 3: the old key is removed. Until the guard fetches again it still trusts it (the
    // trade-off of local verification); after its max key age, it does not.
    let authd = authd.restart(&[&new]).await;
    let fresh_token = authd.user_with_role("Customer").await;
    assert_eq!(hotel.get("/bookings", Some(&fresh_token)).await.status, 200);
    let deadline = Instant::now() + MAX_KEY_AGE + Duration::from_secs(20);
    let refused = loop {
        let reply = hotel.get("/partner/reports", Some(&old_token)).await;
        if reply.status != 200 || Instant::now() > deadline {
            break reply;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(
        refused.status, 401,
        "a token of the removed key {}: {refused:?}",
        old.kid
    );
    assert_eq!(refused.code(), "INVALID_TOKEN");
    assert!(
        guard.jwks_fetches() >= 3,
        "refused after a fetch of the keys"
    );
    let reply = hotel.get("/partner/reports", Some(&new_token)).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(hotel.get("/bookings", Some(&fresh_token)).await.status, 200);
}
