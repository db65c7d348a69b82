//! `status`, `regenerate_backup_codes`, `disable` and `forget_device`.

use super::{service, user_is};
use crate::audit::AuditKind;
use crate::ids::DeviceId;
use crate::mfa::{BackupCode, RememberedDevice};
use crate::notification::Notification;
use crate::policy::lockout::FailureOutcome;
use crate::ports::{BackupCodeUse, MfaOverview, PasswordCheck};
use crate::services::mfa::MfaError;
use crate::services::test_support::{
    Mocks, TOTP_NOW, WRONG_CODE, active_user, audit_kinds, authenticator, backup_code_answers,
    capture_audit, factor_is, failure_counted, mfa_user, step_accepted, t0, totp_factor,
    verify_limit,
};
use crate::session::ClientInfo;
use crate::token::TokenHash;
use crate::user::User;
use crate::values::codes;
use chrono::Duration;
use secrecy::SecretString;

fn password(s: &str) -> Option<SecretString> {
    Some(SecretString::from(s))
}

fn password_is(m: &mut Mocks, check: PasswordCheck) {
    m.hasher
        .expect_verify()
        .times(1)
        .returning(move |_, _| Ok(check));
}

const RIGHT: PasswordCheck = PasswordCheck::Match {
    needs_rehash: false,
};

fn fresh_codes(m: &mut Mocks) {
    m.otp.expect_backup_codes().times(1).returning(|n| {
        (0..n)
            .map(|i| BackupCode::from_number(u32::try_from(i).unwrap()).unwrap())
            .collect()
    });
    m.otp
        .expect_digest_backup_code()
        .returning(|c| TokenHash::from_trusted(format!("d-{}", c.as_str())));
}

#[tokio::test]
async fn status_lists_factors_devices_and_codes_left_without_secrets() {
    let user = mfa_user();
    let pending_only = active_user();
    let factor = totp_factor(&user, true);
    let device = RememberedDevice {
        id: DeviceId::new(),
        hash: TokenHash::from_trusted("device-hash".into()),
        user_id: user.id,
        user_agent: Some("Firefox".into()),
        ip: Some("203.0.113.7".into()),
        created_at: t0() - Duration::days(1),
        expires_at: t0() + Duration::days(29),
        last_used_at: None,
    };
    let mut m = Mocks::new();
    let (f, d, uid) = (factor.clone(), device.clone(), user.id);
    let pending = totp_factor(&pending_only, false);
    m.mfa.expect_overview().returning(move |id, now| {
        assert_eq!(now, t0());
        Ok(if id == uid {
            MfaOverview {
                factors: vec![f.clone()],
                backup_codes_left: 7,
                devices: vec![d.clone()],
            }
        } else {
            MfaOverview {
                factors: vec![pending.clone()],
                ..MfaOverview::default()
            }
        })
    });
    let mfa = service(m);
    let status = mfa.status(user.id).await.unwrap();
    assert!(status.enabled);
    assert_eq!(status.backup_codes_left, 7);
    assert_eq!(status.factors.len(), 1);
    assert!(status.factors[0].confirmed);
    assert_eq!(status.factors[0].id, factor.id);
    assert_eq!(status.devices[0].id, device.id);
    assert_eq!(status.devices[0].user_agent.as_deref(), Some("Firefox"));
    let pending = mfa.status(pending_only.id).await.unwrap();
    assert!(!pending.enabled);
    assert!(!pending.factors[0].confirmed);
}

#[tokio::test]
async fn regenerating_replaces_the_codes_after_the_password() {
    let user = mfa_user();
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    user_is(&mut m, &user);
    password_is(&mut m, RIGHT);
    fresh_codes(&mut m);
    let uid = user.id;
    m.mfa
        .expect_replace_backup_codes()
        .withf(move |id, digests, now| *id == uid && digests.len() == 10 && *now == t0())
        .times(1)
        .returning(|_, _, _| Ok(true));
    let codes = service(m)
        .regenerate_backup_codes(user.id, password("pw"), &ClientInfo::default())
        .await
        .unwrap();
    assert_eq!(codes.len(), 10);
    assert_eq!(audit_kinds(&events), [AuditKind::BackupCodesRegenerated]);
}

#[tokio::test]
async fn regenerating_needs_a_password() {
    for pw in [None, password("")] {
        let err = service(Mocks::new())
            .regenerate_backup_codes(mfa_user().id, pw, &ClientInfo::default())
            .await
            .unwrap_err();
        let MfaError::Validation(errors) = err else {
            panic!("{err:?}")
        };
        assert_eq!(
            (errors.0[0].field.as_str(), errors.0[0].code),
            ("password", codes::REQUIRED)
        );
    }
}

#[tokio::test]
async fn regenerating_with_a_wrong_password_is_counted() {
    let user = mfa_user();
    let mut m = Mocks::new();
    user_is(&mut m, &user);
    password_is(&mut m, PasswordCheck::Mismatch);
    failure_counted(
        &mut m,
        &user,
        Some(FailureOutcome::Counted { remaining: 2 }),
    );
    m.mfa.expect_replace_backup_codes().never();
    let err = service(m)
        .regenerate_backup_codes(user.id, password("wrong"), &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(matches!(err, MfaError::InvalidCredentials), "{err:?}");
}

#[tokio::test]
async fn a_locked_account_cannot_regenerate_and_its_password_is_not_checked() {
    let mut user = mfa_user();
    user.lockout.locked_until = Some(t0() + Duration::seconds(60));
    let mut m = Mocks::new();
    user_is(&mut m, &user);
    m.hasher.expect_verify().never();
    let err = service(m)
        .regenerate_backup_codes(user.id, password("pw"), &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, MfaError::AccountLocked { retry_after: 60 }),
        "{err:?}"
    );
}

#[tokio::test]
async fn without_mfa_there_are_no_codes_to_regenerate() {
    // Before the password is checked (and a wrong one counted) ...
    let mut m = Mocks::new();
    user_is(&mut m, &active_user());
    m.hasher.expect_verify().never();
    let err = service(m)
        .regenerate_backup_codes(active_user().id, password("pw"), &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(matches!(err, MfaError::NotEnabled), "{err:?}");
    // ... and when MFA was turned off meanwhile.
    let user = mfa_user();
    let mut m = Mocks::new();
    user_is(&mut m, &user);
    password_is(&mut m, RIGHT);
    fresh_codes(&mut m);
    m.mfa
        .expect_replace_backup_codes()
        .returning(|_, _, _| Ok(false));
    let err = service(m)
        .regenerate_backup_codes(user.id, password("pw"), &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(matches!(err, MfaError::NotEnabled), "{err:?}");
}

async fn disable(m: Mocks, user: &User, code: &str) -> Result<(), MfaError> {
    service(m)
        .disable(
            user.id,
            password("pw"),
            Some(code.into()),
            &ClientInfo::default(),
        )
        .await
}

/// Password right, code checked against the confirmed factor past the limit.
fn disabling(m: &mut Mocks, user: &User) -> crate::mfa::Factor {
    user_is(m, user);
    password_is(m, RIGHT);
    verify_limit(m, user, true);
    totp_factor(user, true)
}

#[tokio::test]
async fn disabling_with_password_and_code_turns_mfa_off_with_a_mail() {
    let user = mfa_user();
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    let factor = disabling(&mut m, &user);
    factor_is(&mut m, &user, Some(factor.clone()));
    authenticator(&mut m);
    step_accepted(&mut m, &factor, true);
    let uid = user.id;
    m.mfa
        .expect_disable()
        .withf(move |id, now, mail| {
            *id == uid && *now == t0() && matches!(mail, Notification::MfaDisabled { .. })
        })
        .times(1)
        .returning(|_, _, _| Ok(true));
    disable(m, &user, TOTP_NOW).await.unwrap();
    assert_eq!(audit_kinds(&events), [AuditKind::MfaDisabled]);
}

#[tokio::test]
async fn a_backup_code_may_turn_mfa_off() {
    let user = mfa_user();
    let mut m = Mocks::new();
    disabling(&mut m, &user);
    backup_code_answers(&mut m, &user, BackupCodeUse::Accepted { remaining: 9 });
    m.outbox
        .expect_enqueue()
        .returning(|_, _| Ok(crate::ids::MessageId::new()));
    m.mfa
        .expect_disable()
        .times(1)
        .returning(|_, _, _| Ok(true));
    disable(m, &user, "12345678").await.unwrap();
}

#[tokio::test]
async fn disabling_needs_both_password_and_code() {
    let err = service(Mocks::new())
        .disable(mfa_user().id, None, None, &ClientInfo::default())
        .await
        .unwrap_err();
    let MfaError::Validation(errors) = err else {
        panic!("{err:?}")
    };
    let found: Vec<_> = errors
        .0
        .iter()
        .map(|e| (e.field.as_str(), e.code))
        .collect();
    assert_eq!(
        found,
        [("password", codes::REQUIRED), ("code", codes::REQUIRED)]
    );
}

#[tokio::test]
async fn a_wrong_password_stops_the_disable_before_the_code() {
    let user = mfa_user();
    let mut m = Mocks::new();
    user_is(&mut m, &user);
    password_is(&mut m, PasswordCheck::Mismatch);
    failure_counted(
        &mut m,
        &user,
        Some(FailureOutcome::Counted { remaining: 2 }),
    );
    m.rate_limiter.expect_hit().never();
    m.mfa.expect_disable().never();
    let err = disable(m, &user, TOTP_NOW).await.unwrap_err();
    assert!(matches!(err, MfaError::InvalidCredentials), "{err:?}");
}

#[tokio::test]
async fn a_wrong_code_keeps_mfa_on_and_is_counted() {
    let user = mfa_user();
    let mut m = Mocks::new();
    let factor = disabling(&mut m, &user);
    factor_is(&mut m, &user, Some(factor));
    authenticator(&mut m);
    failure_counted(
        &mut m,
        &user,
        Some(FailureOutcome::Counted { remaining: 2 }),
    );
    m.mfa.expect_disable().never();
    let err = disable(m, &user, WRONG_CODE).await.unwrap_err();
    assert!(matches!(err, MfaError::InvalidCode), "{err:?}");
}

#[tokio::test]
async fn disabling_without_mfa_answers_not_enabled() {
    let mut m = Mocks::new();
    user_is(&mut m, &active_user());
    m.hasher.expect_verify().never();
    let err = disable(m, &active_user(), TOTP_NOW).await.unwrap_err();
    assert!(matches!(err, MfaError::NotEnabled), "{err:?}");
    // Turned off by a concurrent request after the checks.
    let user = mfa_user();
    let mut m = Mocks::new();
    let factor = disabling(&mut m, &user);
    factor_is(&mut m, &user, Some(factor.clone()));
    authenticator(&mut m);
    step_accepted(&mut m, &factor, true);
    m.mfa.expect_disable().returning(|_, _, _| Ok(false));
    let err = disable(m, &user, TOTP_NOW).await.unwrap_err();
    assert!(matches!(err, MfaError::NotEnabled), "{err:?}");
}

#[tokio::test]
async fn forgetting_a_device_is_audited_and_an_unknown_one_is_not_found() {
    let user = mfa_user();
    let known = DeviceId::new();
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    let uid = user.id;
    m.mfa
        .expect_forget_device()
        .withf(move |id, _| *id == uid)
        .returning(move |_, device| Ok(device == known));
    let mfa = service(m);
    mfa.forget_device(user.id, known, &ClientInfo::default())
        .await
        .unwrap();
    let err = mfa
        .forget_device(user.id, DeviceId::new(), &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(matches!(err, MfaError::DeviceNotFound), "{err:?}");
    assert_eq!(audit_kinds(&events), [AuditKind::DeviceForgotten]);
}

#[tokio::test]
async fn a_totp_code_with_no_confirmed_authenticator_is_a_wrong_code() {
    let user = mfa_user();
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    disabling(&mut m, &user);
    factor_is(&mut m, &user, Some(totp_factor(&user, false)));
    m.sealer.expect_open().never();
    failure_counted(
        &mut m,
        &user,
        Some(FailureOutcome::Counted { remaining: 2 }),
    );
    m.mfa.expect_disable().never();
    let err = disable(m, &user, TOTP_NOW).await.unwrap_err();
    assert!(matches!(err, MfaError::InvalidCode), "{err:?}");
    assert_eq!(audit_kinds(&events), [AuditKind::MfaFailed]);
}
