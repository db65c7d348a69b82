//! Unit tests of [`super::PasswordChange`] against mocked ports and a fixed clock.

use super::{ChangePasswordError, PasswordChange, PasswordChangePorts};
use crate::audit::AuditKind;
use crate::error::InfraError;
use crate::ids::SessionId;
use crate::notification::Notification;
use crate::policy::lockout::FailureOutcome;
use crate::ports::{HashError, PasswordCheck};
use crate::services::test_support::{
    Mocks, STRONG, active_user, audit_kinds, capture_audit, claims_for, port_down, settings, t0,
};
use crate::session::ClientInfo;
use crate::token::AccessClaims;
use crate::user::{AccountStatus, User};
use crate::values::PasswordHash;
use chrono::Duration;
use std::sync::Arc;

mod raced;
mod revoking_all;

const CURRENT: &str = "Old-Battery-Staple-7";

fn service(mocks: Mocks) -> PasswordChange {
    let ports = PasswordChangePorts {
        users: Arc::new(mocks.users),
        hasher: Arc::new(mocks.hasher),
        denylist: Arc::new(mocks.denylist),
        audit: Arc::new(mocks.audit),
        clock: Arc::new(mocks.clock),
    };
    let settings = settings();
    PasswordChange::new(
        ports,
        settings.password_policy,
        settings.lockout,
        settings.access_ttl,
    )
}

async fn change(
    m: Mocks,
    principal: &AccessClaims,
    current: &str,
    new: &str,
) -> Result<(), ChangePasswordError> {
    service(m)
        .change(
            principal,
            current.into(),
            new.into(),
            &ClientInfo::default(),
        )
        .await
}

fn account_is(m: &mut Mocks, user: Option<User>) {
    m.users
        .expect_find_by_id()
        .times(1)
        .returning(move |_| Ok(user.clone()));
}

fn current_password_is(m: &mut Mocks, check: PasswordCheck) {
    m.hasher
        .expect_verify()
        .times(1)
        .withf(|p, h| p.expose() == CURRENT && h.as_str() == "$2b$04$stored")
        .returning(move |_, _| Ok(check));
}

const RIGHT: PasswordCheck = PasswordCheck::Match {
    needs_rehash: false,
};

fn nothing_changes(m: &mut Mocks) {
    m.hasher.expect_hash().never();
    m.users.expect_change_password().never();
    m.denylist.expect_deny_sessions().never();
}

fn failure_outcome(m: &mut Mocks, outcome: FailureOutcome) {
    let email = active_user().email;
    m.users
        .expect_record_login_failure()
        .times(1)
        .withf(move |_, now, policy, mail| {
            *now == t0()
                && policy.max_attempts == 5
                && matches!(mail, Notification::AccountLocked { to, until, .. }
                    if *to == email && *until == t0() + Duration::minutes(30))
        })
        .returning(move |_, _, _, _| Ok(Some(outcome)));
}

fn validation_fields(err: ChangePasswordError) -> Vec<(String, String)> {
    let ChangePasswordError::Validation(errors) = err else {
        panic!("expected a validation error, got {err:?}");
    };
    errors.0.into_iter().map(|e| (e.field, e.message)).collect()
}

#[tokio::test]
async fn a_password_change_keeps_the_current_session_and_cuts_off_the_others() {
    let user = active_user();
    let principal = claims_for(&user);
    let mut m = Mocks::new();
    let audit = capture_audit(&mut m);
    account_is(&mut m, Some(user.clone()));
    current_password_is(&mut m, RIGHT);
    m.hasher
        .expect_hash()
        .times(1)
        .withf(|p| p.expose() == STRONG)
        .returning(|_| Ok(PasswordHash::from_trusted("$2b$12$new".into())));
    let others = vec![SessionId::new(), SessionId::new()];
    let revoked = others.clone();
    let (id, keep, email) = (user.id, principal.session_id, user.email.clone());
    // The write holds only over the hash the current password was checked against.
    let checked = user.password_hash.clone();
    m.users
        .expect_change_password()
        .times(1)
        .withf(move |user_id, expected, hash, kept, now, mail| {
            *user_id == id
                && *expected == checked
                && hash.as_str() == "$2b$12$new"
                && *kept == Some(keep)
                && *now == t0()
                && matches!(mail, Notification::PasswordChanged { to, .. } if *to == email)
        })
        .returning(move |_, _, _, _, _, _| Ok(revoked.clone()));
    m.denylist
        .expect_deny_sessions()
        .times(1)
        .withf(move |uid, ids, until| {
            *uid == id
                && ids == others.as_slice()
                && *until == t0() + Duration::minutes(15) + Duration::seconds(30)
        })
        .returning(|_, _, _| Ok(()));

    change(m, &principal, CURRENT, STRONG).await.unwrap();
    assert_eq!(audit_kinds(&audit), [AuditKind::PasswordChanged]);
}

#[tokio::test]
async fn with_no_other_session_nothing_is_denied() {
    let user = active_user();
    let mut m = Mocks::new();
    account_is(&mut m, Some(user.clone()));
    current_password_is(&mut m, RIGHT);
    m.hasher
        .expect_hash()
        .returning(|_| Ok(PasswordHash::from_trusted("$2b$12$new".into())));
    m.users
        .expect_change_password()
        .times(1)
        .returning(|_, _, _, _, _, _| Ok(vec![]));
    m.denylist.expect_deny_sessions().never();
    change(m, &claims_for(&user), CURRENT, STRONG)
        .await
        .unwrap();
}

#[tokio::test]
async fn an_empty_current_password_is_a_validation_error_on_current_password() {
    let user = active_user();
    let mut m = Mocks::new();
    m.users.expect_find_by_id().never();
    m.hasher.expect_verify().never();
    nothing_changes(&mut m);
    let err = change(m, &claims_for(&user), "", STRONG).await.unwrap_err();
    let fields = validation_fields(err);
    assert_eq!(fields.len(), 1);
    assert_eq!(fields[0].0, "currentPassword");
}

#[tokio::test]
async fn a_vanished_or_deactivated_account_is_gone() {
    for stored in [
        None,
        Some(User {
            status: AccountStatus::Deleted,
            ..active_user()
        }),
    ] {
        let principal = claims_for(&active_user());
        let mut m = Mocks::new();
        account_is(&mut m, stored);
        m.hasher.expect_verify().never();
        nothing_changes(&mut m);
        let err = change(m, &principal, CURRENT, STRONG).await.unwrap_err();
        assert!(matches!(err, ChangePasswordError::AccountGone));
    }
}

#[tokio::test]
async fn a_locked_account_is_refused_before_its_password_is_checked() {
    let mut user = active_user();
    user.lockout.failed_attempts = 5;
    user.lockout.locked_until = Some(t0() + Duration::milliseconds(90_500));
    let mut m = Mocks::new();
    account_is(&mut m, Some(user.clone()));
    m.hasher.expect_verify().never();
    m.users.expect_record_login_failure().never();
    nothing_changes(&mut m);
    let err = change(m, &claims_for(&user), CURRENT, STRONG)
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        ChangePasswordError::AccountLocked { retry_after: 91 }
    ));
}

#[tokio::test]
async fn a_new_password_equal_to_the_current_one_is_rejected_on_new_password() {
    let user = active_user();
    let mut m = Mocks::new();
    account_is(&mut m, Some(user.clone()));
    m.hasher.expect_verify().never();
    nothing_changes(&mut m);
    let err = change(m, &claims_for(&user), STRONG, STRONG)
        .await
        .unwrap_err();
    assert_eq!(
        validation_fields(err),
        [(
            "newPassword".to_owned(),
            "New password must differ from the current password".to_owned()
        )]
    );
}

#[tokio::test]
async fn a_new_password_equal_to_a_weak_current_one_lists_every_problem() {
    let user = active_user();
    let mut m = Mocks::new();
    account_is(&mut m, Some(user.clone()));
    m.hasher.expect_verify().never();
    nothing_changes(&mut m);
    let err = change(m, &claims_for(&user), "Password123!", "Password123!")
        .await
        .unwrap_err();
    let messages: Vec<_> = validation_fields(err).into_iter().map(|f| f.1).collect();
    assert_eq!(
        messages,
        [
            "New password must differ from the current password",
            "Password is too common"
        ]
    );
}

#[tokio::test]
async fn a_weak_new_password_is_rejected_before_the_current_one_is_checked() {
    let user = active_user();
    let mut m = Mocks::new();
    account_is(&mut m, Some(user.clone()));
    m.hasher.expect_verify().never();
    nothing_changes(&mut m);
    let err = change(m, &claims_for(&user), CURRENT, "Password123!")
        .await
        .unwrap_err();
    assert_eq!(
        validation_fields(err),
        [(
            "newPassword".to_owned(),
            "Password is too common".to_owned()
        )]
    );
}

#[tokio::test]
async fn a_wrong_current_password_counts_towards_the_lockout() {
    let user = active_user();
    let mut m = Mocks::new();
    let audit = capture_audit(&mut m);
    account_is(&mut m, Some(user.clone()));
    current_password_is(&mut m, PasswordCheck::Mismatch);
    failure_outcome(&mut m, FailureOutcome::Counted { remaining: 3 });
    nothing_changes(&mut m);
    let err = change(m, &claims_for(&user), CURRENT, STRONG)
        .await
        .unwrap_err();
    assert!(matches!(err, ChangePasswordError::InvalidCredentials));
    assert_eq!(audit_kinds(&audit), [AuditKind::LoginFailed]);
}

#[tokio::test]
async fn the_wrong_current_password_that_reaches_the_limit_locks_the_account() {
    let user = active_user();
    let mut m = Mocks::new();
    let audit = capture_audit(&mut m);
    account_is(&mut m, Some(user.clone()));
    current_password_is(&mut m, PasswordCheck::Mismatch);
    failure_outcome(
        &mut m,
        FailureOutcome::NewlyLocked {
            until: t0() + Duration::minutes(30),
        },
    );
    nothing_changes(&mut m);
    let err = change(m, &claims_for(&user), CURRENT, STRONG)
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        ChangePasswordError::AccountLocked { retry_after: 1800 }
    ));
    assert_eq!(
        audit_kinds(&audit),
        [AuditKind::LoginFailed, AuditKind::AccountLocked]
    );
}

#[tokio::test]
async fn a_wrong_current_password_after_a_concurrent_lock_answers_locked_without_a_second_lock_event()
 {
    let user = active_user();
    let mut m = Mocks::new();
    let audit = capture_audit(&mut m);
    account_is(&mut m, Some(user.clone()));
    current_password_is(&mut m, PasswordCheck::Mismatch);
    failure_outcome(
        &mut m,
        FailureOutcome::AlreadyLocked {
            until: t0() + Duration::minutes(10),
        },
    );
    nothing_changes(&mut m);
    let err = change(m, &claims_for(&user), CURRENT, STRONG)
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        ChangePasswordError::AccountLocked { retry_after: 600 }
    ));
    assert_eq!(audit_kinds(&audit), [AuditKind::LoginFailed]);
}

#[tokio::test]
async fn a_full_hashing_queue_answers_busy_without_counting_a_failure() {
    let user = active_user();
    let mut m = Mocks::new();
    account_is(&mut m, Some(user.clone()));
    m.hasher
        .expect_verify()
        .returning(|_, _| Err(HashError::Busy));
    m.users.expect_record_login_failure().never();
    nothing_changes(&mut m);
    let err = change(m, &claims_for(&user), CURRENT, STRONG)
        .await
        .unwrap_err();
    assert!(matches!(err, ChangePasswordError::Infra(InfraError::Busy)));
}

#[tokio::test]
async fn a_storage_failure_while_changing_is_reported_and_nothing_is_denied() {
    let user = active_user();
    let mut m = Mocks::new();
    account_is(&mut m, Some(user.clone()));
    current_password_is(&mut m, RIGHT);
    m.hasher
        .expect_hash()
        .returning(|_| Ok(PasswordHash::from_trusted("$2b$12$new".into())));
    m.users
        .expect_change_password()
        .returning(|_, _, _, _, _, _| Err(port_down().into()));
    m.denylist.expect_deny_sessions().never();
    let err = change(m, &claims_for(&user), CURRENT, STRONG)
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        ChangePasswordError::Infra(InfraError::Unavailable(_))
    ));
}

/// NIST SP 800-63B as API.md reads it: 15 characters alone, 8 behind a second factor.
#[tokio::test]
async fn under_the_nist_policy_an_mfa_account_may_choose_a_shorter_password() {
    const TEN: &str = "zq8vk2mwxt";
    for mfa_enabled in [false, true] {
        let user = User {
            mfa_enabled,
            ..active_user()
        };
        let mut m = Mocks::new();
        account_is(&mut m, Some(user.clone()));
        // A new password that fails the policy is refused before the current one is checked.
        m.hasher.expect_verify().returning(|_, _| Ok(RIGHT));
        m.hasher
            .expect_hash()
            .returning(|_| Ok(PasswordHash::from_trusted("$2b$12$new".into())));
        m.users
            .expect_change_password()
            .times(usize::from(mfa_enabled))
            .returning(|_, _, _, _, _, _| Ok(vec![]));
        m.audit.expect_record().returning(|_| Ok(()));
        let ports = PasswordChangePorts {
            users: Arc::new(m.users),
            hasher: Arc::new(m.hasher),
            denylist: Arc::new(m.denylist),
            audit: Arc::new(m.audit),
            clock: Arc::new(m.clock),
        };
        let settings = settings();
        let service = PasswordChange::new(
            ports,
            crate::policy::password::PasswordPolicy::nist(),
            settings.lockout,
            settings.access_ttl,
        );
        let result = service
            .change(
                &claims_for(&user),
                CURRENT.into(),
                TEN.into(),
                &ClientInfo::default(),
            )
            .await;
        assert_eq!(
            result.is_ok(),
            mfa_enabled,
            "mfa_enabled = {mfa_enabled}: {result:?}"
        );
    }
}
