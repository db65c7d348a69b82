//! Remembered devices: stored only while their user has MFA on and the password the login
//! verified, used only by their user while live, listed while live, forgotten one by one or all
//! at once when the password changes or is reset or the account is deactivated.

use super::{enrolled, turn_mfa_on};
use crate::StorageUnderTest;
use crate::fixtures::{self, t0_plus};
use crate::support::{concurrently, login, register, registered_user};
use authd_domain::directory::{AccountChange, LastAdminGuard};
use authd_domain::mfa::RememberedDevice;
use authd_domain::user::{AccountStatus, User};
use chrono::Duration;
use std::sync::Arc;

/// A fresh account with MFA on.
async fn mfa_user(s: &StorageUnderTest) -> User {
    enrolled(s).await.user
}

/// Stores `device` of `user` under the password hash the account was created with.
async fn remember(s: &StorageUnderTest, user: &User, device: &RememberedDevice) -> bool {
    s.mfa
        .remember_device(device, &user.password_hash)
        .await
        .unwrap()
}

/// A device of `user` (MFA on) remembered at `t0 + 300` for 30 days.
async fn remembered(s: &StorageUnderTest, user: &User) -> RememberedDevice {
    let device = fixtures::remembered_device(user.id, t0_plus(300), Duration::days(30));
    assert!(
        remember(s, user, &device).await,
        "MFA on, password unchanged"
    );
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

/// While the user has MFA on and the stored password hash is the one given, the device is
/// stored (`true`) and lets its user skip the second factor.
pub async fn a_device_is_remembered_while_mfa_is_on_and_the_password_unchanged(
    s: &StorageUnderTest,
) {
    let user = mfa_user(s).await;
    let device = fixtures::remembered_device(user.id, t0_plus(300), Duration::days(30));

    assert!(remember(s, &user, &device).await);

    let listed = s.mfa.overview(user.id, t0_plus(400)).await.unwrap().devices;
    assert_eq!(listed, vec![device.clone()]);
    assert!(still_remembered(s, &device).await);
}

/// Once MFA is off (turned off, or never on) no device is stored: `false`, and nothing to use
/// or list. This settles a `disable` that commits between a login's session and its device.
pub async fn a_device_is_not_remembered_after_mfa_was_turned_off(s: &StorageUnderTest) {
    let user = mfa_user(s).await;
    let at = t0_plus(250);
    let off = fixtures::mfa_disabled_mail(&user, at);
    assert!(s.mfa.disable(user.id, at, &off).await.unwrap());
    let never = registered_user(s).await;

    for u in [&user, &never] {
        let device = fixtures::remembered_device(u.id, t0_plus(300), Duration::days(30));
        assert!(!remember(s, u, &device).await, "MFA is off");
        assert!(!still_remembered(s, &device).await);
        let listed = s.mfa.overview(u.id, t0_plus(400)).await.unwrap().devices;
        assert_eq!(listed, vec![]);
    }
}

/// A suspended or deleted account stores no device (`false`): suspension forgets the
/// remembered devices, and a login that raced it must not bring one back for the day the
/// account is reactivated.
pub async fn a_device_is_not_remembered_for_a_suspended_or_deleted_account(s: &StorageUnderTest) {
    for status in [AccountStatus::Suspended, AccountStatus::Deleted] {
        let user = mfa_user(s).await;
        let change = AccountChange {
            status: Some(status),
            ..AccountChange::default()
        };
        s.directory
            .apply_change(user.id, &change, &LastAdminGuard::default(), t0_plus(250))
            .await
            .unwrap();
        let device = fixtures::remembered_device(user.id, t0_plus(300), Duration::days(30));
        assert!(!remember(s, &user, &device).await, "{status:?}");
        assert!(!still_remembered(s, &device).await, "{status:?}");
    }
}

/// A hash other than the stored one (the password changed or was reset since the login
/// verified it) stores nothing; the account's current hash does.
pub async fn a_device_is_not_remembered_once_the_password_hash_differs(s: &StorageUnderTest) {
    let user = mfa_user(s).await;
    let stale = fixtures::remembered_device(user.id, t0_plus(300), Duration::days(30));
    let refused = s
        .mfa
        .remember_device(&stale, &fixtures::password_hash())
        .await
        .unwrap();
    assert!(!refused, "not the stored hash");
    assert!(!still_remembered(s, &stale).await);

    let at = t0_plus(350);
    let changed = fixtures::password_hash();
    s.users
        .change_password(
            user.id,
            &user.password_hash,
            &changed,
            None,
            at,
            &fixtures::password_changed_mail(&user, at),
        )
        .await
        .unwrap();
    let after = fixtures::remembered_device(user.id, t0_plus(400), Duration::days(30));
    assert!(
        !remember(s, &user, &after).await,
        "the login verified the old hash"
    );
    assert!(!still_remembered(s, &after).await);
    let current = s.mfa.remember_device(&after, &changed).await.unwrap();
    assert!(current, "the account's current hash");
    assert!(still_remembered(s, &after).await);
}

/// What races a device being remembered, on its own task.
#[derive(Debug, Clone, Copy)]
enum Rival {
    MfaOff,
    PasswordChange,
}

/// A device being remembered while MFA is turned off or the password changes never outlives
/// the change, whichever commits first: 10 rounds of each race, each on a fresh account, and
/// after every round the device lets nobody skip the second factor.
pub async fn a_device_racing_mfa_off_or_a_password_change_never_outlives_it(s: &StorageUnderTest) {
    for rival in [Rival::MfaOff, Rival::PasswordChange] {
        for round in 0..10 {
            let user = mfa_user(s).await;
            let device = fixtures::remembered_device(user.id, t0_plus(300), Duration::days(30));
            let at = t0_plus(300);
            let outcomes = concurrently(2, |i| {
                let (mfa, users) = (Arc::clone(&s.mfa), Arc::clone(&s.users));
                let (user, device) = (user.clone(), device.clone());
                async move {
                    if i == 0 {
                        return mfa
                            .remember_device(&device, &user.password_hash)
                            .await
                            .unwrap();
                    }
                    match rival {
                        Rival::MfaOff => {
                            let off = fixtures::mfa_disabled_mail(&user, at);
                            assert!(mfa.disable(user.id, at, &off).await.unwrap());
                        }
                        Rival::PasswordChange => {
                            let mail = fixtures::password_changed_mail(&user, at);
                            let hash = fixtures::password_hash();
                            users
                                .change_password(
                                    user.id,
                                    &user.password_hash,
                                    &hash,
                                    None,
                                    at,
                                    &mail,
                                )
                                .await
                                .unwrap();
                        }
                    }
                    false
                }
            })
            .await;
            assert!(
                !still_remembered(s, &device).await,
                "{rival:?}, round {round}: remembered {}",
                outcomes[0]
            );
        }
    }
}

/// Using a live device returns it with `last_used_at` set (and stored); another user, an
/// unknown hash, or the moment it expires find nothing.
pub async fn a_device_is_used_only_by_its_user_while_live(s: &StorageUnderTest) {
    let user = mfa_user(s).await;
    let other = mfa_user(s).await;
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
    let user = mfa_user(s).await;
    let other = mfa_user(s).await;
    let oldest = fixtures::remembered_device(user.id, t0_plus(100), Duration::days(2));
    let newest = fixtures::remembered_device(user.id, t0_plus(300), Duration::days(30));
    let middle = fixtures::remembered_device(user.id, t0_plus(200), Duration::days(30));
    let short = fixtures::remembered_device(user.id, t0_plus(250), Duration::hours(1));
    for device in [&oldest, &newest, &middle, &short] {
        assert!(remember(s, &user, device).await);
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
    let user = mfa_user(s).await;
    let other = mfa_user(s).await;
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
    let user = mfa_user(s).await;
    let other = mfa_user(s).await;
    let devices = [remembered(s, &user).await, remembered(s, &user).await];
    let others = remembered(s, &other).await;
    let kept = login(s, user.id, t0_plus(350)).await;
    let at = t0_plus(400);

    s.users
        .change_password(
            user.id,
            &user.password_hash,
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
    turn_mfa_on(s, &user).await;
    let other = mfa_user(s).await;
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
    let user = mfa_user(s).await;
    let other = mfa_user(s).await;
    let device = remembered(s, &user).await;
    let others = remembered(s, &other).await;

    s.users.deactivate(user.id, t0_plus(400)).await.unwrap();

    assert!(!still_remembered(s, &device).await);
    assert!(still_remembered(s, &others).await);
}
