//! A lock that failures from elsewhere caused does not refuse the owner's remembered device: its
//! login goes on to the password and, when that is right, always to the second factor. Every
//! other login of a locked account is refused as before, without a password check.

use super::mfa_step::{overview_is, with_device};
use super::verify::{
    attempt_taken, challenge_of, consumed, finishes, input, no_login, user_found, verify,
};
use super::{
    PASSWORD, RIGHT, account_found, by_email, digest_of, login, password_is, with_settings,
};
use crate::audit::AuditKind;
use crate::ids::DeviceId;
use crate::mfa::{MfaChallenge, RememberedDevice};
use crate::policy::lockout::FailureOutcome;
use crate::ports::PasswordCheck;
use crate::services::login::{LoginError, MfaLoginError};
use crate::services::test_support::{
    Mocks, TOTP_NOW, WRONG_CODE, active_user, audit_kinds, authenticator, capture_audit, factor_is,
    failure_counted, mfa_user, opaque, settings, t0, totp_factor, verify_limit,
};
use crate::session::ClientInfo;
use crate::user::User;
use chrono::Duration;

/// `user` locked for another 10 minutes by failures from elsewhere.
fn locked(user: User) -> User {
    let mut user = user;
    user.lockout.failed_attempts = 5;
    user.lockout.last_failed_at = Some(t0() - Duration::minutes(20));
    user.lockout.locked_until = Some(t0() + Duration::minutes(10));
    user
}

/// `dev-token` is a live remembered device of `user` (its use recorded once).
fn device_is_live(m: &mut Mocks, user: &User) {
    let uid = user.id;
    m.mfa
        .expect_use_device()
        .withf(move |id, hash, now| *id == uid && *hash == digest_of("dev-token") && *now == t0())
        .times(1)
        .returning(move |_, hash, now| {
            Ok(Some(RememberedDevice {
                id: DeviceId::new(),
                hash: hash.clone(),
                user_id: uid,
                user_agent: None,
                ip: None,
                created_at: now - Duration::days(1),
                expires_at: now + Duration::days(29),
                last_used_at: Some(now),
            }))
        });
}

/// The lock refuses before anything about the password is learnt.
fn refused_unchecked(m: &mut Mocks) {
    m.hasher.expect_verify().never();
    m.users.expect_record_login_failure().never();
    m.mfa.expect_create_challenge().never();
    m.sessions.expect_create().never();
}

#[tokio::test]
async fn a_remembered_device_with_the_right_password_gets_a_challenge_that_bypasses_the_lock() {
    let user = locked(mfa_user());
    let mut m = Mocks::new();
    account_found(&mut m, &user);
    device_is_live(&mut m, &user);
    password_is(&mut m, RIGHT);
    overview_is(&mut m, &user, 2);
    m.tokens
        .expect_generate()
        .times(1)
        .returning(|| opaque("mfa-token"));
    let uid = user.id;
    m.mfa
        .expect_create_challenge()
        .withf(move |c: &MfaChallenge| c.user_id == uid && c.lock_bypass && c.attempts == 0)
        .times(1)
        .returning(|_| Ok(()));
    // The lock stays until the second factor is through; the device never skips that factor.
    m.users.expect_record_login_success().never();
    m.users.expect_record_login_failure().never();
    m.sessions.expect_create().never();
    let err = login(m)
        .login(with_device("dev-token"), &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(matches!(err, LoginError::MfaRequired { .. }), "{err:?}");
}

#[tokio::test]
async fn a_remembered_device_with_a_wrong_password_is_counted_refused_and_forgotten() {
    let user = locked(mfa_user());
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    account_found(&mut m, &user);
    device_is_live(&mut m, &user);
    password_is(&mut m, PasswordCheck::Mismatch);
    let until = user.lockout.locked_until.unwrap();
    failure_counted(&mut m, &user, Some(FailureOutcome::AlreadyLocked { until }));
    // A stolen device token must not become a guess oracle while the account is locked.
    let uid = user.id;
    m.mfa
        .expect_forget_device()
        .withf(move |id, _| *id == uid)
        .times(1)
        .returning(|_, _| Ok(true));
    m.mfa.expect_create_challenge().never();
    m.sessions.expect_create().never();
    let err = login(m)
        .login(with_device("dev-token"), &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, LoginError::AccountLocked { retry_after: 600 }),
        "{err:?}"
    );
    assert_eq!(
        audit_kinds(&events),
        [AuditKind::LoginFailed, AuditKind::DeviceForgotten]
    );
    let detail = events.lock().unwrap()[0].detail.clone();
    assert_eq!(detail.as_deref(), Some("wrong password"));
}

#[tokio::test]
async fn without_a_device_token_a_locked_account_is_refused_unchecked() {
    let user = locked(mfa_user());
    let mut m = Mocks::new();
    account_found(&mut m, &user);
    m.mfa.expect_use_device().never();
    refused_unchecked(&mut m);
    let err = login(m)
        .login(by_email(PASSWORD), &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, LoginError::AccountLocked { retry_after: 600 }),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_unknown_or_expired_device_is_refused_by_the_lock_unchecked() {
    let user = locked(mfa_user());
    let mut m = Mocks::new();
    account_found(&mut m, &user);
    m.mfa
        .expect_use_device()
        .times(1)
        .returning(|_, _, _| Ok(None));
    refused_unchecked(&mut m);
    let err = login(m)
        .login(with_device("stolen-or-stale"), &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, LoginError::AccountLocked { retry_after: 600 }),
        "{err:?}"
    );
}

#[tokio::test]
async fn without_mfa_a_device_token_does_not_pass_the_lock() {
    // MFA off for the user, then off for the service: the device is not even looked up.
    for (user, mfa_on) in [(locked(active_user()), true), (locked(mfa_user()), false)] {
        let mut m = Mocks::new();
        account_found(&mut m, &user);
        m.mfa.expect_use_device().never();
        refused_unchecked(&mut m);
        let mut settings = settings();
        settings.mfa.enabled = mfa_on;
        let err = with_settings(m, settings)
            .login(with_device("dev-token"), &ClientInfo::default())
            .await
            .unwrap_err();
        assert!(
            matches!(err, LoginError::AccountLocked { retry_after: 600 }),
            "{err:?}"
        );
    }
}

/// The challenge of a remembered device's password step on a locked account.
fn bypass_challenge(user: &User) -> MfaChallenge {
    MfaChallenge {
        lock_bypass: true,
        ..challenge_of(user)
    }
}

/// A live bypass challenge, the limit open, the locked account found, its TOTP factor confirmed.
fn up_to_the_code_while_locked(m: &mut Mocks, user: &User) {
    attempt_taken(m, Some(bypass_challenge(user)));
    verify_limit(m, user, true);
    user_found(m, user);
    factor_is(m, user, Some(totp_factor(user, true)));
    authenticator(m);
}

#[tokio::test]
async fn a_right_code_on_a_bypass_challenge_logs_in_and_clears_the_lock() {
    let user = locked(mfa_user());
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    up_to_the_code_while_locked(&mut m, &user);
    m.mfa
        .expect_accept_totp_step()
        .times(1)
        .returning(|_, _, _, _| Ok(true));
    consumed(&mut m, Some(bypass_challenge(&user)));
    m.sessions
        .expect_create()
        .times(1)
        .returning(|_, _, _, _| Ok(vec![]));
    // The success is recorded, which clears the failure count and the lock.
    finishes(&mut m, &["first-refresh"]);
    let ok = verify(m, input(TOTP_NOW)).await.unwrap();
    assert_eq!(ok.login.user.lockout, Default::default());
    assert_eq!(
        audit_kinds(&events),
        [AuditKind::MfaSucceeded, AuditKind::LoginSucceeded]
    );
    let detail = events.lock().unwrap()[1].detail.clone();
    assert_eq!(detail.as_deref(), Some("locked; remembered device"));
}

#[tokio::test]
async fn a_wrong_code_on_a_bypass_challenge_counts_against_the_lock_but_answers_a_wrong_code() {
    let user = locked(mfa_user());
    let until = user.lockout.locked_until.unwrap();
    let mut m = Mocks::new();
    up_to_the_code_while_locked(&mut m, &user);
    // The challenge's own count was taken before the check (see `attempt_taken`).
    failure_counted(&mut m, &user, Some(FailureOutcome::AlreadyLocked { until }));
    no_login(&mut m);
    let err = verify(m, input(WRONG_CODE)).await.unwrap_err();
    // 423 would tell the owner to wait, while this token still takes the right code.
    assert!(matches!(err, MfaLoginError::InvalidCode), "{err:?}");
}

#[tokio::test]
async fn a_challenge_without_the_bypass_is_refused_by_a_lock_that_fell_since() {
    let user = locked(mfa_user());
    let mut m = Mocks::new();
    attempt_taken(&mut m, Some(challenge_of(&user)));
    verify_limit(&mut m, &user, true);
    user_found(&mut m, &user);
    m.mfa.expect_find_factor().never();
    m.users.expect_record_login_failure().never();
    no_login(&mut m);
    let err = verify(m, input(TOTP_NOW)).await.unwrap_err();
    assert!(
        matches!(err, MfaLoginError::AccountLocked { retry_after: 600 }),
        "{err:?}"
    );
}
