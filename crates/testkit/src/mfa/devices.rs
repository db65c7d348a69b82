//! Remembered devices: used only by their user while live, listed while live, forgotten one by
//! one or all at once when the password changes or is reset or the account is deactivated.

use crate::StorageUnderTest;
use crate::fixtures::{self, t0_plus};
use crate::support::{login, register, registered_user};
use authd_domain::mfa::RememberedDevice;
use authd_domain::user::User;
use chrono::Duration;

/// A device of `user` remembered at `t0 + 300` for 30 days.
async fn remembered(s: &StorageUnderTest, user: &User) -> RememberedDevice {
    let device = fixtures::remembered_device(user.id, t0_plus(300), Duration::days(30));
    s.mfa.remember_device(&device).await.unwrap();
    device
}

/// Whether `device` still lets its user skip the second factor, a day after it was remembered.
async fn still_remembered(s: &StorageUnderTest, device: &RememberedDevice) -> bool {
    let at = device.created_at + Duration::days(1);
    s.mfa
        .use_device(device.user_id, &device.hash, at)
        .await
        .unwrap()
        .is_some()
}

/// Using a live device returns it with `last_used_at` set (and stored); another user, an
/// unknown hash, or the moment it expires find nothing.
pub async fn a_device_is_used_only_by_its_user_while_live(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    let other = registered_user(s).await;
    let device = remembered(s, &user).await;
    let at = t0_plus(3600);

    let foreign = s.mfa.use_device(other.id, &device.hash, at).await.unwrap();
    assert_eq!(foreign, None, "a device is its user's only");
    let unknown = s
        .mfa
        .use_device(user.id, &fixtures::token_hash(), at)
        .await
        .unwrap();
    assert_eq!(unknown, None);

    let used = s.mfa.use_device(user.id, &device.hash, at).await.unwrap();
    let expected = RememberedDevice {
        last_used_at: Some(at),
        ..device.clone()
    };
    assert_eq!(used, Some(expected.clone()));
    let listed = s.mfa.overview(user.id, at).await.unwrap().devices;
    assert_eq!(listed, vec![expected]);

    let expired = s
        .mfa
        .use_device(user.id, &device.hash, device.expires_at)
        .await
        .unwrap();
    assert_eq!(expired, None);
}

/// The overview lists the user's live devices, most recently created first; an expired one is
/// not listed, nor another user's.
pub async fn the_overview_lists_live_devices_most_recently_created_first(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    let other = registered_user(s).await;
    let oldest = fixtures::remembered_device(user.id, t0_plus(100), Duration::days(2));
    let newest = fixtures::remembered_device(user.id, t0_plus(300), Duration::days(30));
    let middle = fixtures::remembered_device(user.id, t0_plus(200), Duration::days(30));
    let short = fixtures::remembered_device(user.id, t0_plus(250), Duration::hours(1));
    for device in [&oldest, &newest, &middle, &short] {
        s.mfa.remember_device(device).await.unwrap();
    }
    remembered(s, &other).await;

    let at_first = s.mfa.overview(user.id, t0_plus(400)).await.unwrap();
    assert_eq!(
        at_first.devices,
        vec![
            newest.clone(),
            short.clone(),
            middle.clone(),
            oldest.clone()
        ]
    );

    let after_a_day = s
        .mfa
        .overview(user.id, t0_plus(400) + Duration::days(1))
        .await
        .unwrap();
    assert_eq!(
        after_a_day.devices,
        vec![newest.clone(), middle.clone(), oldest]
    );

    let after_a_week = s
        .mfa
        .overview(user.id, t0_plus(400) + Duration::days(7))
        .await
        .unwrap();
    assert_eq!(after_a_week.devices, vec![newest, middle]);
}

/// A user forgets a device of their own (`true`, then it is gone); another user's device is
/// not theirs to forget (`false`, it stays).
pub async fn a_user_forgets_only_their_own_device(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    let other = registered_user(s).await;
    let device = remembered(s, &user).await;
    let kept = remembered(s, &user).await;

    assert!(!s.mfa.forget_device(other.id, device.id).await.unwrap());
    assert!(still_remembered(s, &device).await);

    assert!(s.mfa.forget_device(user.id, device.id).await.unwrap());
    assert!(!still_remembered(s, &device).await);
    assert!(!s.mfa.forget_device(user.id, device.id).await.unwrap());
    assert!(still_remembered(s, &kept).await, "one device at a time");
    let listed = s.mfa.overview(user.id, t0_plus(400)).await.unwrap().devices;
    assert_eq!(
        listed.iter().map(|d| d.id).collect::<Vec<_>>(),
        vec![kept.id]
    );
}

/// A password change forgets every device of the user, and no other user's.
pub async fn a_password_change_forgets_the_users_devices(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    let other = registered_user(s).await;
    let devices = [remembered(s, &user).await, remembered(s, &user).await];
    let others = remembered(s, &other).await;
    let kept = login(s, user.id, t0_plus(350)).await;
    let at = t0_plus(400);

    s.users
        .change_password(
            user.id,
            &fixtures::password_hash(),
            Some(kept.session.id),
            at,
            &fixtures::password_changed_mail(&user, at),
        )
        .await
        .unwrap();

    for device in &devices {
        assert!(!still_remembered(s, device).await);
    }
    assert!(still_remembered(s, &others).await);
}

/// A password reset forgets every device of the user, and no other user's.
pub async fn a_password_reset_forgets_the_users_devices(s: &StorageUnderTest) {
    let user = fixtures::user();
    register(s, &user).await;
    let other = registered_user(s).await;
    let device = remembered(s, &user).await;
    let others = remembered(s, &other).await;
    let reset = fixtures::reset_token(&user, t0_plus(350));
    s.one_time_tokens.issue(&reset).await.unwrap();
    let at = t0_plus(400);

    s.one_time_tokens
        .consume_reset(
            &reset.hash,
            &fixtures::password_hash(),
            at,
            &fixtures::password_changed_mail(&user, at),
        )
        .await
        .unwrap();

    assert!(!still_remembered(s, &device).await);
    assert!(still_remembered(s, &others).await);
}

/// Deactivation forgets every device of the user, and no other user's.
pub async fn deactivation_forgets_the_users_devices(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    let other = registered_user(s).await;
    let device = remembered(s, &user).await;
    let others = remembered(s, &other).await;

    s.users.deactivate(user.id, t0_plus(400)).await.unwrap();

    assert!(!still_remembered(s, &device).await);
    assert!(still_remembered(s, &others).await);
}
