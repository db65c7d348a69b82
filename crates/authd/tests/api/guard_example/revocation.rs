//! Local verification cannot see a logout; introspection can, at the price of a call to authd
//! per request. Both ways of authenticating to it (a client with HTTP Basic, a token with
//! Bearer), and wrong credentials failing closed.

use super::support::{
    Authd, Hotel, INTROSPECTION_CLIENT, INTROSPECTION_SECRET, INTROSPECTION_TOKEN, Scratch,
};
use authd_guard::IntrospectionCredentials;
use secrecy::SecretString;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_introspection_a_token_is_refused_right_after_logout() {
    let scratch = Scratch::new();
    let key = scratch.key("signing.pem").await;
    let authd = Authd::start(&scratch, &[&key]).await;
    let basic = IntrospectionCredentials::Basic {
        client_id: INTROSPECTION_CLIENT.to_owned(),
        client_secret: SecretString::from(INTROSPECTION_SECRET),
    };
    let bearer = IntrospectionCredentials::Bearer(SecretString::from(INTROSPECTION_TOKEN));
    let instant = Hotel::start(
        authd
            .guard()
            .introspection(&authd.url, basic)
            .build()
            .unwrap(),
    );
    let instant_too = Hotel::start(
        authd
            .guard()
            .introspection(&authd.url, bearer)
            .build()
            .unwrap(),
    );
    let local = Hotel::start(authd.guard().build().unwrap());
    let token = authd.user_with_role("HotelPartner").await;
    for hotel in [&instant, &instant_too, &local] {
        let reply = hotel.get("/partner/reports", Some(&token)).await;
        assert_eq!(reply.status, 200, "{reply:?}");
    }

    authd.logout(&token).await;

    for hotel in [&instant, &instant_too] {
        let reply = hotel.get("/partner/reports", Some(&token)).await;
        assert_eq!(reply.status, 401, "{reply:?}");
        assert_eq!(reply.code(), "TOKEN_REVOKED");
    }
    let reply = instant.get("/bookings", Some(&token)).await;
    assert_eq!(reply.code(), "TOKEN_REVOKED");
    // The guard without introspection still accepts it until it expires: the trade-off.
    assert_eq!(
        local.get("/partner/reports", Some(&token)).await.status,
        200
    );
    // Another session of the same kind is unaffected.
    let other = authd.user_with_role("HotelPartner").await;
    for hotel in [&instant, &instant_too] {
        let reply = hotel.get("/partner/reports", Some(&other)).await;
        assert_eq!(reply.status, 200, "{reply:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_introspection_credentials_fail_closed() {
    let scratch = Scratch::new();
    let key = scratch.key("signing.pem").await;
    let authd = Authd::start(&scratch, &[&key]).await;
    let wrong_secret = IntrospectionCredentials::Basic {
        client_id: INTROSPECTION_CLIENT.to_owned(),
        client_secret: SecretString::from("not-the-secret-of-the-hotel-service!!"),
    };
    let wrong_token = IntrospectionCredentials::Bearer(SecretString::from(
        "not-the-introspection-token-of-anyone",
    ));
    let token = authd.user_with_role("Customer").await;
    for credentials in [wrong_secret, wrong_token] {
        let hotel = Hotel::start(
            authd
                .guard()
                .introspection(&authd.url, credentials)
                .build()
                .unwrap(),
        );
        let reply = hotel.get("/bookings", Some(&token)).await;
        assert_eq!(reply.status, 503, "{reply:?}");
        assert_eq!(reply.code(), "SERVICE_UNAVAILABLE");
    }
}
