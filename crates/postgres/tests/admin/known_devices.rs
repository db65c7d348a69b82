//! `KnownDevices::observe`: first, known and new devices, and concurrent logins.

use super::common::{active, db};
use authd_domain::ports::{DeviceFingerprint, KnownDevices, Sighting};
use authd_testkit::fixtures::t0_plus;
use authd_testkit::support;

fn device(name: &str) -> DeviceFingerprint {
    DeviceFingerprint::from_digest(format!("{name:0>64}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_device_is_first_then_known_and_another_is_new() {
    let db = db().await;
    let user = active(&db, &["user"]).await;
    let other = active(&db, &["user"]).await;
    let s = &db.store;
    assert_eq!(
        s.observe(user.id, &device("a"), t0_plus(1)).await.unwrap(),
        Sighting::First
    );
    assert_eq!(
        s.observe(user.id, &device("a"), t0_plus(2)).await.unwrap(),
        Sighting::Known
    );
    assert_eq!(
        s.observe(user.id, &device("b"), t0_plus(3)).await.unwrap(),
        Sighting::New
    );
    assert_eq!(
        s.observe(user.id, &device("b"), t0_plus(4)).await.unwrap(),
        Sighting::Known
    );
    // Devices belong to their account.
    assert_eq!(
        s.observe(other.id, &device("a"), t0_plus(5)).await.unwrap(),
        Sighting::First
    );
    let uid = user.id.as_uuid();
    let sql = format!(
        "SELECT count(*) FROM known_devices WHERE user_id = '{uid}' \
         AND first_seen = '{}' AND last_seen = '{}'",
        t0_plus(1).to_rfc3339(),
        t0_plus(2).to_rfc3339()
    );
    assert_eq!(
        db.count(&sql).await,
        1,
        "first and last sighting of device a"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_concurrent_logins_from_one_new_device_exactly_one_finds_it_new() {
    let db = db().await;
    for round in 0..10 {
        let user = active(&db, &["user"]).await;
        db.store
            .observe(user.id, &device("home"), t0_plus(0))
            .await
            .unwrap();
        let store = db.store.clone();
        let seen = support::concurrently(6, |_| {
            let store = store.clone();
            async move {
                store
                    .observe(user.id, &device("cafe"), t0_plus(1))
                    .await
                    .unwrap()
            }
        })
        .await;
        let new = seen.iter().filter(|s| **s == Sighting::New).count();
        let known = seen.iter().filter(|s| **s == Sighting::Known).count();
        assert_eq!((new, known), (1, 5), "round {round}: {seen:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_concurrent_first_logins_from_different_devices_exactly_one_is_the_first() {
    let db = db().await;
    for round in 0..10 {
        let user = active(&db, &["user"]).await;
        let store = db.store.clone();
        let seen = support::concurrently(4, |i| {
            let store = store.clone();
            let d = device(&format!("d{i}"));
            async move { store.observe(user.id, &d, t0_plus(1)).await.unwrap() }
        })
        .await;
        let first = seen.iter().filter(|s| **s == Sighting::First).count();
        let new = seen.iter().filter(|s| **s == Sighting::New).count();
        assert_eq!((first, new), (1, 3), "round {round}: {seen:?}");
    }
}
