//! Unit tests of [`super::Mfa`] against mocked ports and a fixed clock. The code check shared
//! with the login is exercised here through `confirm`; `verify_mfa` has its own.

use super::{Mfa, MfaError, MfaPorts, MfaSettings};
use crate::audit::AuditKind;
use crate::error::PortError;
use crate::notification::Notification;
use crate::policy::lockout::FailureOutcome;
use crate::ports::{BackupCodeUse, UnsealError};
use crate::services::test_support::{
    Mocks, TOTP_NOW, WRONG_CODE, audit_kinds, authenticator, backup_code_answers, capture_audit,
    factor_is, failure_counted, mfa_user, port_down, step_accepted, step_now, t0, totp_factor,
    verify_limit,
};
use crate::session::ClientInfo;
use crate::user::User;
use crate::values::codes;
use chrono::Duration;
use std::sync::Arc;

mod email;
mod manage;
mod setup;
mod sms;

fn service(m: Mocks) -> Mfa {
    with_settings(m, MfaSettings::default())
}

fn with_settings(m: Mocks, settings: MfaSettings) -> Mfa {
    let ports = MfaPorts {
        users: Arc::new(m.users),
        mfa: Arc::new(m.mfa),
        otp: Arc::new(m.otp),
        sealer: Arc::new(m.sealer),
        qr: Arc::new(m.qr),
        hasher: Arc::new(m.hasher),
        tokens: Arc::new(m.tokens),
        rate_limiter: Arc::new(m.rate_limiter),
        outbox: Arc::new(m.outbox),
        audit: Arc::new(m.audit),
        clock: Arc::new(m.clock),
    };
    Mfa::new(ports, settings)
}

fn user_is(m: &mut Mocks, user: &User) {
    let found = user.clone();
    m.users
        .expect_find_by_id()
        .returning(move |_| Ok(Some(found.clone())));
}

/// A confirmed-factor user whose code `code` is presented to `confirm` past the rate limit.
fn presenting(m: &mut Mocks, user: &User, confirmed: bool) -> crate::mfa::Factor {
    let factor = totp_factor(user, confirmed);
    user_is(m, user);
    factor_is(m, user, Some(factor.clone()));
    verify_limit(m, user, true);
    factor
}

async fn confirm(m: Mocks, user: &User, code: &str) -> Result<(), MfaError> {
    service(m)
        .confirm(user.id, Some(code.into()), &ClientInfo::default())
        .await
}

#[tokio::test]
async fn a_right_code_of_the_pending_authenticator_turns_mfa_on() {
    let user = crate::services::test_support::active_user();
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    let factor = presenting(&mut m, &user, false);
    authenticator(&mut m);
    step_accepted(&mut m, &factor, true);
    m.users.expect_record_login_failure().never();
    confirm(m, &user, TOTP_NOW).await.unwrap();
    assert_eq!(audit_kinds(&events), [AuditKind::MfaEnabled]);
}

#[tokio::test]
async fn a_right_code_with_mfa_already_on_is_just_a_success() {
    let user = mfa_user();
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    let factor = presenting(&mut m, &user, true);
    authenticator(&mut m);
    step_accepted(&mut m, &factor, true);
    confirm(m, &user, " 123456 ").await.unwrap();
    assert_eq!(audit_kinds(&events), [AuditKind::MfaSucceeded]);
}

#[tokio::test]
async fn a_wrong_code_is_counted_towards_the_lockout() {
    let user = mfa_user();
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    presenting(&mut m, &user, true);
    authenticator(&mut m);
    m.mfa.expect_accept_totp_step().never();
    failure_counted(
        &mut m,
        &user,
        Some(FailureOutcome::Counted { remaining: 3 }),
    );
    let err = confirm(m, &user, WRONG_CODE).await.unwrap_err();
    assert!(matches!(err, MfaError::InvalidCode), "{err:?}");
    assert_eq!(audit_kinds(&events), [AuditKind::MfaFailed]);
}

#[tokio::test]
async fn a_code_of_a_step_already_used_is_refused_as_a_replay() {
    let user = mfa_user();
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    let mut factor = totp_factor(&user, true);
    factor.last_step = Some(step_now());
    user_is(&mut m, &user);
    factor_is(&mut m, &user, Some(factor));
    verify_limit(&mut m, &user, true);
    authenticator(&mut m);
    m.mfa.expect_accept_totp_step().never();
    failure_counted(
        &mut m,
        &user,
        Some(FailureOutcome::Counted { remaining: 3 }),
    );
    let err = confirm(m, &user, TOTP_NOW).await.unwrap_err();
    assert!(matches!(err, MfaError::InvalidCode), "{err:?}");
    assert_eq!(audit_kinds(&events), [AuditKind::MfaReplayRefused]);
}

#[tokio::test]
async fn a_code_that_lost_the_race_for_its_step_is_refused_as_a_replay() {
    let user = mfa_user();
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    let factor = presenting(&mut m, &user, true);
    authenticator(&mut m);
    step_accepted(&mut m, &factor, false);
    failure_counted(
        &mut m,
        &user,
        Some(FailureOutcome::Counted { remaining: 3 }),
    );
    let err = confirm(m, &user, TOTP_NOW).await.unwrap_err();
    assert!(matches!(err, MfaError::InvalidCode), "{err:?}");
    assert_eq!(audit_kinds(&events), [AuditKind::MfaReplayRefused]);
}

#[tokio::test]
async fn the_wrong_code_that_reaches_the_limit_locks_the_account() {
    let user = mfa_user();
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    presenting(&mut m, &user, true);
    authenticator(&mut m);
    let until = t0() + Duration::minutes(15);
    failure_counted(&mut m, &user, Some(FailureOutcome::NewlyLocked { until }));
    let err = confirm(m, &user, WRONG_CODE).await.unwrap_err();
    assert!(
        matches!(err, MfaError::AccountLocked { retry_after: 900 }),
        "{err:?}"
    );
    assert_eq!(
        audit_kinds(&events),
        [AuditKind::MfaFailed, AuditKind::AccountLocked]
    );
}

#[tokio::test]
async fn a_locked_account_is_refused_before_its_code_is_checked() {
    let mut user = mfa_user();
    user.lockout.locked_until = Some(t0() + Duration::seconds(30));
    let mut m = Mocks::new();
    user_is(&mut m, &user);
    factor_is(&mut m, &user, Some(totp_factor(&user, true)));
    m.rate_limiter.expect_hit().never();
    m.sealer.expect_open().never();
    m.users.expect_record_login_failure().never();
    let err = confirm(m, &user, TOTP_NOW).await.unwrap_err();
    assert!(
        matches!(err, MfaError::AccountLocked { retry_after: 30 }),
        "{err:?}"
    );
}

#[tokio::test]
async fn too_many_codes_from_one_user_are_refused_unchecked() {
    let user = mfa_user();
    let mut m = Mocks::new();
    user_is(&mut m, &user);
    factor_is(&mut m, &user, Some(totp_factor(&user, true)));
    verify_limit(&mut m, &user, false);
    m.sealer.expect_open().never();
    m.users.expect_record_login_failure().never();
    let err = confirm(m, &user, TOTP_NOW).await.unwrap_err();
    let MfaError::RateLimited(decision) = err else {
        panic!("{err:?}")
    };
    assert!(!decision.allowed);
    assert_eq!(decision.resets_in, Duration::seconds(42));
}

#[tokio::test]
async fn without_a_verify_limit_no_limiter_is_asked() {
    let user = mfa_user();
    let mut m = Mocks::new();
    let factor = totp_factor(&user, true);
    user_is(&mut m, &user);
    factor_is(&mut m, &user, Some(factor.clone()));
    m.rate_limiter.expect_hit().never();
    authenticator(&mut m);
    step_accepted(&mut m, &factor, true);
    let settings = MfaSettings {
        verify_limit: None,
        ..MfaSettings::default()
    };
    with_settings(m, settings)
        .confirm(user.id, Some(TOTP_NOW.into()), &ClientInfo::default())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_limiter_outage_lets_the_code_be_checked() {
    let user = mfa_user();
    let mut m = Mocks::new();
    let factor = totp_factor(&user, true);
    user_is(&mut m, &user);
    factor_is(&mut m, &user, Some(factor.clone()));
    m.rate_limiter
        .expect_hit()
        .times(1)
        .returning(|_, _| Err(port_down()));
    authenticator(&mut m);
    step_accepted(&mut m, &factor, true);
    confirm(m, &user, TOTP_NOW).await.unwrap();
}

#[tokio::test]
async fn a_secret_no_key_opens_is_an_internal_error_not_a_wrong_code() {
    let user = mfa_user();
    let mut m = Mocks::new();
    presenting(&mut m, &user, true);
    m.sealer
        .expect_open()
        .times(1)
        .returning(|_| Err(UnsealError::NoKey));
    m.users.expect_record_login_failure().never();
    let err = confirm(m, &user, TOTP_NOW).await.unwrap_err();
    assert!(
        matches!(err, MfaError::Infra(crate::error::InfraError::Internal(_))),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_backup_code_does_not_confirm_a_pending_authenticator() {
    let user = crate::services::test_support::active_user();
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    presenting(&mut m, &user, false);
    m.mfa.expect_use_backup_code().never();
    failure_counted(
        &mut m,
        &user,
        Some(FailureOutcome::Counted { remaining: 3 }),
    );
    let err = confirm(m, &user, "1234-5678").await.unwrap_err();
    assert!(matches!(err, MfaError::InvalidCode), "{err:?}");
    assert_eq!(audit_kinds(&events), [AuditKind::MfaFailed]);
}

#[tokio::test]
async fn an_unused_backup_code_is_spent_audited_and_mailed_with_the_count_left() {
    let user = mfa_user();
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    presenting(&mut m, &user, true);
    backup_code_answers(&mut m, &user, BackupCodeUse::Accepted { remaining: 3 });
    m.outbox
        .expect_enqueue()
        .withf(|mail, now| {
            matches!(mail, Notification::BackupCodeUsed { remaining: 3, at, .. } if *at == t0())
                && *now == t0()
        })
        .times(1)
        .returning(|_, _| Ok(crate::ids::MessageId::new()));
    m.users.expect_record_login_failure().never();
    confirm(m, &user, "12345678").await.unwrap();
    assert_eq!(
        audit_kinds(&events),
        [AuditKind::BackupCodeUsed, AuditKind::MfaSucceeded]
    );
}

#[tokio::test]
async fn a_spent_backup_code_still_works_when_its_mail_cannot_be_queued() {
    let user = mfa_user();
    let mut m = Mocks::new();
    presenting(&mut m, &user, true);
    backup_code_answers(&mut m, &user, BackupCodeUse::Accepted { remaining: 0 });
    m.outbox
        .expect_enqueue()
        .times(1)
        .returning(|_, _| Err(port_down()));
    confirm(m, &user, "12345678").await.unwrap();
}

#[tokio::test]
async fn a_backup_code_used_before_answers_backup_code_used_uncounted() {
    let user = mfa_user();
    let mut m = Mocks::new();
    presenting(&mut m, &user, true);
    backup_code_answers(&mut m, &user, BackupCodeUse::AlreadyUsed);
    m.outbox.expect_enqueue().never();
    m.users.expect_record_login_failure().never();
    let err = confirm(m, &user, "12345678").await.unwrap_err();
    assert!(matches!(err, MfaError::BackupCodeUsed), "{err:?}");
}

#[tokio::test]
async fn an_unknown_backup_code_is_a_wrong_code() {
    let user = mfa_user();
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    presenting(&mut m, &user, true);
    backup_code_answers(&mut m, &user, BackupCodeUse::Unknown);
    failure_counted(
        &mut m,
        &user,
        Some(FailureOutcome::Counted { remaining: 3 }),
    );
    let err = confirm(m, &user, "12345678").await.unwrap_err();
    assert!(matches!(err, MfaError::InvalidCode), "{err:?}");
    assert_eq!(audit_kinds(&events), [AuditKind::MfaFailed]);
}

#[tokio::test]
async fn a_missing_or_malformed_code_changes_nothing() {
    for (code, expected) in [
        (None, codes::REQUIRED),
        (Some("  "), codes::REQUIRED),
        (Some("12345"), codes::INVALID_FORMAT),
        (Some("12345a"), codes::INVALID_FORMAT),
    ] {
        let err = service(Mocks::new())
            .confirm(mfa_user().id, code.map(Into::into), &ClientInfo::default())
            .await
            .unwrap_err();
        let MfaError::Validation(errors) = err else {
            panic!("{err:?}")
        };
        assert_eq!(errors.0.len(), 1);
        assert_eq!(
            (errors.0[0].field.as_str(), errors.0[0].code),
            ("code", expected)
        );
    }
}

#[tokio::test]
async fn confirming_without_any_setup_answers_not_enabled() {
    let user = crate::services::test_support::active_user();
    let mut m = Mocks::new();
    user_is(&mut m, &user);
    factor_is(&mut m, &user, None);
    m.rate_limiter.expect_hit().never();
    let err = confirm(m, &user, TOTP_NOW).await.unwrap_err();
    assert!(matches!(err, MfaError::NotEnabled), "{err:?}");
}

#[tokio::test]
async fn a_vanished_account_answers_user_not_found() {
    let mut m = Mocks::new();
    m.users.expect_find_by_id().returning(|_| Ok(None));
    let err = confirm(m, &mfa_user(), TOTP_NOW).await.unwrap_err();
    assert!(matches!(err, MfaError::UserNotFound), "{err:?}");
}

#[tokio::test]
async fn a_storage_outage_is_an_infrastructure_error() {
    let user = mfa_user();
    let mut m = Mocks::new();
    user_is(&mut m, &user);
    m.mfa
        .expect_find_factor()
        .returning(|_, _| Err(PortError::unavailable("down")));
    let err = confirm(m, &user, TOTP_NOW).await.unwrap_err();
    assert!(matches!(err, MfaError::Infra(_)), "{err:?}");
}
