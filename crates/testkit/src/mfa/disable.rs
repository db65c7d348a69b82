//! Turning MFA off: everything of the user goes, all at once, and nothing of anyone else.

use super::{Enrolled, begin_setup, enrolled, mfa_enabled, stored_factor};
use crate::StorageUnderTest;
use crate::fixtures::{self, t0_plus};
use crate::support::{count_mail, registered_user};
use authd_domain::mfa::{MfaChallenge, RememberedDevice};
use authd_domain::ports::{BackupCodeUse, MfaOverview};
use authd_domain::user::User;
use chrono::Duration;

/// A challenge and a remembered device of `user`, stored at `t0 + 300`.
async fn challenge_and_device(
    s: &StorageUnderTest,
    user: &User,
) -> (MfaChallenge, RememberedDevice) {
    let challenge = fixtures::mfa_challenge(user, t0_plus(300));
    s.mfa.create_challenge(&challenge).await.unwrap();
    let device = fixtures::remembered_device(user.id, t0_plus(300), Duration::days(30));
    let stored = s.mfa.remember_device(&device, &user.password_hash).await;
    assert!(stored.unwrap(), "MFA is on");
    (challenge, device)
}

/// Everything `e` has is still there, at `t0 + 400`.
async fn assert_untouched(
    s: &StorageUnderTest,
    e: &Enrolled,
    challenge: &MfaChallenge,
    device: &RememberedDevice,
) {
    assert!(mfa_enabled(s, &e.user).await);
    assert_eq!(stored_factor(s, &e.user).await, Some(e.factor.clone()));
    let found = s.mfa.find_challenge(&challenge.hash).await.unwrap();
    assert_eq!(found.as_ref(), Some(challenge));
    let overview = s.mfa.overview(e.user.id, t0_plus(400)).await.unwrap();
    assert_eq!(overview.backup_codes_left, 10);
    assert_eq!(overview.devices, vec![device.clone()]);
}

/// Disabling deletes every factor, backup code, challenge and remembered device of the user,
/// turns `mfa_enabled` off (as a login reads it) and queues the mail; another user's MFA is
/// untouched. A new setup is then possible.
pub async fn disable_forgets_everything_of_the_user_and_turns_mfa_off(s: &StorageUnderTest) {
    let e = enrolled(s).await;
    let (challenge, device) = challenge_and_device(s, &e.user).await;
    let other = enrolled(s).await;
    let (other_challenge, other_device) = challenge_and_device(s, &other.user).await;
    let at = t0_plus(400);

    let disabled = s
        .mfa
        .disable(e.user.id, at, &fixtures::mfa_disabled_mail(&e.user, at))
        .await
        .unwrap();

    assert!(disabled);
    assert!(!mfa_enabled(s, &e.user).await);
    assert_eq!(stored_factor(s, &e.user).await, None);
    assert_eq!(
        s.mfa.overview(e.user.id, at).await.unwrap(),
        MfaOverview::default()
    );
    let code = s
        .mfa
        .use_backup_code(e.user.id, &e.codes[..1], at)
        .await
        .unwrap();
    assert_eq!(code, BackupCodeUse::Unknown);
    assert_eq!(s.mfa.find_challenge(&challenge.hash).await.unwrap(), None);
    assert_eq!(
        s.mfa.consume_challenge(&challenge.hash, at).await.unwrap(),
        None
    );
    let used = s.mfa.use_device(e.user.id, &device.hash, at).await.unwrap();
    assert_eq!(used, None);
    assert_eq!(count_mail(s, "mfa_disabled", &e.user.email).await, 1);

    assert_untouched(s, &other, &other_challenge, &other_device).await;
    assert_eq!(count_mail(s, "mfa_disabled", &other.user.email).await, 0);

    let again = fixtures::totp_factor(e.user.id, t0_plus(500));
    s.mfa
        .begin_setup(&again, &fixtures::backup_code_digests())
        .await
        .expect("a new setup after MFA was turned off");
}

/// Without a confirmed factor there is nothing to turn off: `false`, no mail, and a pending
/// factor stays.
pub async fn disable_without_a_confirmed_factor_changes_nothing(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    let at = t0_plus(400);
    let mail = fixtures::mfa_disabled_mail(&user, at);

    assert!(!s.mfa.disable(user.id, at, &mail).await.unwrap());

    let (pending, _codes) = begin_setup(s, &user).await;

    assert!(!s.mfa.disable(user.id, at, &mail).await.unwrap());

    assert_eq!(stored_factor(s, &user).await, Some(pending));
    assert!(!mfa_enabled(s, &user).await);
    assert_eq!(count_mail(s, "mfa_disabled", &user.email).await, 0);
}
