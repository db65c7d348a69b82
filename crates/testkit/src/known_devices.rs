//! Conformance checks for [`authd_domain::ports::KnownDevices`]: an account's first device,
//! devices seen again, new ones, per account, and one answer per device under concurrency.

use crate::StorageUnderTest;
use crate::fixtures::{t0_plus, unique};
use crate::support::{concurrently, registered_user};
use authd_domain::Timestamp;
use authd_domain::ids::UserId;
use authd_domain::ports::{DeviceFingerprint, Sighting};
use std::sync::Arc;

/// Every check of this module, each registered as a test on a fresh `$storage` (see
/// [`crate::conformance`]): listing a check here runs it on every adapter of the port.
#[macro_export]
macro_rules! known_devices_conformance {
    ($storage:expr) => {
        $crate::__register_checks! { known_devices, $storage;
            an_accounts_first_device_is_first_then_known_and_others_new
            devices_are_known_per_account
            concurrent_logins_from_one_new_device_see_it_new_once
            concurrent_first_logins_see_exactly_one_first_device
        }
    };
}

/// A fingerprint no other check uses, shaped as the SHA-256 hex the service computes.
fn device() -> DeviceFingerprint {
    DeviceFingerprint::from_digest(format!("{:0>64}", unique() + &unique()))
}

async fn observe(
    s: &StorageUnderTest,
    user_id: UserId,
    device: &DeviceFingerprint,
    at: Timestamp,
) -> Sighting {
    s.known_devices
        .observe(user_id, device, at)
        .await
        .unwrap_or_else(|e| panic!("observing a device: {e}"))
}

/// The first device an account logs in from is `First` (nothing to compare with); it is
/// `Known` from then on, another device is `New` once and `Known` after, and seeing a device
/// again at an earlier time changes nothing.
pub async fn an_accounts_first_device_is_first_then_known_and_others_new(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    let (laptop, phone, tablet) = (device(), device(), device());

    let sightings = [
        (&laptop, 10, Sighting::First),
        (&laptop, 20, Sighting::Known),
        (&phone, 30, Sighting::New),
        (&phone, 40, Sighting::Known),
        (&laptop, 50, Sighting::Known),
        (&tablet, 60, Sighting::New),
        (&phone, 5, Sighting::Known),
    ];
    for (n, (device, at, expected)) in sightings.into_iter().enumerate() {
        let seen = observe(s, user.id, device, t0_plus(at)).await;
        assert_eq!(seen, expected, "sighting {n}: {device:?} at +{at}s");
    }
}

/// One account's devices tell nothing about another's: the same device is each account's
/// first, and a device new to one account is new even if another account knows it.
pub async fn devices_are_known_per_account(s: &StorageUnderTest) {
    let alice = registered_user(s).await;
    let bob = registered_user(s).await;
    let (shared, own) = (device(), device());

    assert_eq!(
        observe(s, alice.id, &shared, t0_plus(10)).await,
        Sighting::First
    );
    assert_eq!(observe(s, bob.id, &own, t0_plus(10)).await, Sighting::First);
    assert_eq!(
        observe(s, bob.id, &shared, t0_plus(20)).await,
        Sighting::New
    );
    assert_eq!(observe(s, alice.id, &own, t0_plus(30)).await, Sighting::New);
    assert_eq!(
        observe(s, alice.id, &shared, t0_plus(40)).await,
        Sighting::Known
    );
}

/// Twenty logins at once from one device the account has not used: exactly one sees it `New`
/// (one alert), the other nineteen `Known`.
pub async fn concurrent_logins_from_one_new_device_see_it_new_once(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    observe(s, user.id, &device(), t0_plus(10)).await;
    let new = Arc::new(device());

    let seen = concurrently(20, |i| {
        let known_devices = Arc::clone(&s.known_devices);
        let new = Arc::clone(&new);
        let at = t0_plus(100 + i64::try_from(i).unwrap_or(0));
        async move { known_devices.observe(user.id, &new, at).await.unwrap() }
    })
    .await;

    let count = |kind| seen.iter().filter(|s| **s == kind).count();
    assert_eq!(
        (count(Sighting::New), count(Sighting::Known)),
        (1, 19),
        "{seen:?}"
    );
}

/// A fresh account's first logins, at once: from one device, exactly one `First` and the rest
/// `Known`; from ten devices, exactly one `First` and nine `New`.
pub async fn concurrent_first_logins_see_exactly_one_first_device(s: &StorageUnderTest) {
    for distinct in [false, true] {
        let user = registered_user(s).await;
        let devices: Arc<Vec<DeviceFingerprint>> = Arc::new((0..10).map(|_| device()).collect());

        let seen = concurrently(10, |i| {
            let known_devices = Arc::clone(&s.known_devices);
            let devices = Arc::clone(&devices);
            let n = if distinct { i } else { 0 };
            async move {
                known_devices
                    .observe(user.id, &devices[n], t0_plus(100))
                    .await
                    .unwrap()
            }
        })
        .await;

        let count = |kind| seen.iter().filter(|s| **s == kind).count();
        let others = if distinct {
            Sighting::New
        } else {
            Sighting::Known
        };
        assert_eq!(
            (count(Sighting::First), count(others)),
            (1, 9),
            "distinct devices: {distinct}, {seen:?}"
        );
    }
}
