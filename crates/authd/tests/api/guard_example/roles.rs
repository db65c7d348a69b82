//! `restrict_to` in the example service: `HotelPartner` and `Admin` reach the partner reports,
//! a `Customer` gets 403, no token 401; only `Admin` reaches the audit; a token for another
//! audience is refused.

use super::support::{AUDIENCE, Authd, Hotel, ISSUER, Scratch};
use authd_guard::Guard;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_route_lets_in_exactly_the_roles_it_names() {
    let scratch = Scratch::new();
    let key = scratch.key("signing.pem").await;
    let authd = Authd::start(&scratch, &[&key]).await;
    let hotel = Hotel::start(authd.guard().build().unwrap());
    let customer = authd.user_with_role("Customer").await;
    let partner = authd.user_with_role("HotelPartner").await;
    let admin = authd.admin().await;

    for (who, token) in [
        ("Customer", &customer),
        ("HotelPartner", &partner),
        ("Admin", &admin),
    ] {
        let reply = hotel.get("/bookings", Some(token)).await;
        assert_eq!(reply.status, 200, "{who} on /bookings: {reply:?}");
    }
    for (who, token) in [("HotelPartner", &partner), ("Admin", &admin)] {
        let reply = hotel.get("/partner/reports", Some(token)).await;
        assert_eq!(reply.status, 200, "{who} on /partner/reports: {reply:?}");
        assert_eq!(reply.body["data"]["roles"][0], who);
    }
    let reply = hotel.get("/partner/reports", Some(&customer)).await;
    assert_eq!(reply.status, 403, "{reply:?}");
    assert_eq!(reply.code(), "INSUFFICIENT_PERMISSIONS");
    assert_eq!(reply.body["success"], false);

    let reply = hotel.get("/admin/audit", Some(&admin)).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    for token in [&customer, &partner] {
        let reply = hotel.get("/admin/audit", Some(token)).await;
        assert_eq!(reply.status, 403, "{reply:?}");
        assert_eq!(reply.code(), "INSUFFICIENT_PERMISSIONS");
    }

    for path in ["/bookings", "/partner/reports", "/admin/audit"] {
        let reply = hotel.get(path, None).await;
        assert_eq!(reply.status, 401, "{path}: {reply:?}");
        assert_eq!(reply.code(), "MISSING_AUTH_HEADER");
        let reply = hotel.get(path, Some("not-a-token")).await;
        assert_eq!(reply.status, 401, "{path}: {reply:?}");
        assert_eq!(reply.code(), "INVALID_TOKEN");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_for_another_audience_is_refused() {
    let scratch = Scratch::new();
    let key = scratch.key("signing.pem").await;
    let authd = Authd::start(&scratch, &[&key]).await;
    let ours = Hotel::start(authd.guard().build().unwrap());
    let elsewhere = Hotel::start(
        Guard::builder(&authd.url)
            .issuer(ISSUER)
            .audience("another-api")
            .build()
            .unwrap(),
    );
    let partner = authd.user_with_role("HotelPartner").await;
    assert_eq!(ours.get("/bookings", Some(&partner)).await.status, 200);
    let reply = elsewhere.get("/bookings", Some(&partner)).await;
    assert_eq!(
        reply.status, 401,
        "a token for {AUDIENCE} elsewhere: {reply:?}"
    );
    assert_eq!(reply.code(), "INVALID_TOKEN");
}
