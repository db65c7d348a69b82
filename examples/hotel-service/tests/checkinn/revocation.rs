//! Local verification cannot see a logout; introspection can, at the price of a call to authd
//! per request.

use crate::support::{
    Authd, Hotel, INTROSPECTION_CLIENT, INTROSPECTION_SECRET, INTROSPECTION_TOKEN, free_port,
    generate_key, key_dir,
};
use authd_guard::IntrospectionCredentials;
use secrecy::SecretString;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_introspection_a_token_is_refused_right_after_logout() {
    let dir = key_dir();
    let key = generate_key(&dir, "signing.pem");
    let authd = Authd::start(free_port(), &[&key]).await;
    let credentials = IntrospectionCredentials::Basic {
        client_id: INTROSPECTION_CLIENT.to_owned(),
        client_secret: SecretString::from(INTROSPECTION_SECRET),
    };
    let instant = Hotel::start(
        authd
            .guard()
            .introspection(&authd.url, credentials)
            .build()
            .unwrap(),
    );
    // The same with INTROSPECTION_TOKEN instead of client credentials.
    let bearer = IntrospectionCredentials::Bearer(SecretString::from(INTROSPECTION_TOKEN));
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
        assert_eq!(
            hotel.get("/partner/reports", Some(&token)).await.status,
            200
        );
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
    assert_eq!(
        instant.get("/partner/reports", Some(&other)).await.status,
        200
    );
    authd.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_introspection_credentials_fail_closed() {
    let dir = key_dir();
    let key = generate_key(&dir, "signing.pem");
    let authd = Authd::start(free_port(), &[&key]).await;
    let wrong = IntrospectionCredentials::Basic {
        client_id: INTROSPECTION_CLIENT.to_owned(),
        client_secret: SecretString::from("not-the-secret-of-the-hotel-service!!"),
    };
    let hotel = Hotel::start(
        authd
            .guard()
            .introspection(&authd.url, wrong)
            .build()
            .unwrap(),
    );
    let token = authd.user_with_role("Customer").await;
    let reply = hotel.get("/bookings", Some(&token)).await;
    assert_eq!(reply.status, 503, "{reply:?}");
    assert_eq!(reply.code(), "SERVICE_UNAVAILABLE");
    authd.stop().await;
}
