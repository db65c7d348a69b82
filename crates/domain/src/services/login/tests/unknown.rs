//! A login naming no account: locked, counted and answered exactly like a wrong password on an
//! account, without an account, a mail or the address in the audit trail.

use super::{PASSWORD, account_found, by_email, digest_of, login};
use crate::audit::AuditKind;
use crate::error::InfraError;
use crate::policy::lockout::{FailureOutcome, LockoutState};
use crate::ports::{HashError, LoginName, LoginTarget, PasswordCheck};
use crate::services::login::{LoginError, LoginInput};
use crate::services::test_support::{
    Mocks, active_user, audit_kinds, capture_audit, port_down, t0,
};
use crate::session::ClientInfo;
use chrono::Duration;

fn nobody_found(m: &mut Mocks, lockout: LockoutState) {
    m.attempts
        .expect_find_for_login()
        .times(1)
        .returning(move |_, _| Ok(LoginTarget::Unknown(lockout)));
}

fn locked_for(ms: i64) -> LockoutState {
    LockoutState {
        failed_attempts: 5,
        last_failed_at: Some(t0() - Duration::seconds(1)),
        locked_until: Some(t0() + Duration::milliseconds(ms)),
    }
}

fn unknown_failure_counts(m: &mut Mocks, outcome: FailureOutcome) {
    m.hasher
        .expect_verify_dummy()
        .times(1)
        .returning(|_| Ok(()));
    m.attempts
        .expect_record_unknown_failure()
        .times(1)
        .returning(move |_, _, _| Ok(outcome));
}

/// Nothing an account has is touched: no account is counted, so no lock mail is queued.
fn no_account_is_touched(m: &mut Mocks) {
    m.hasher.expect_verify().never();
    m.users.expect_record_login_failure().never();
    m.users.expect_record_login_success().never();
    m.sessions.expect_create().never();
}

#[tokio::test]
async fn an_unknown_email_is_checked_in_vain_counted_under_its_digest_and_refused() {
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    m.attempts
        .expect_find_for_login()
        .withf(|name, key| {
            matches!(name, LoginName::Email(e) if e.as_str() == "Jane@Example.com")
                && *key == digest_of("email:jane@example.com")
        })
        .times(1)
        .returning(|_, _| Ok(LoginTarget::Unknown(LockoutState::default())));
    m.hasher
        .expect_verify_dummy()
        .times(1)
        .returning(|_| Ok(()));
    m.attempts
        .expect_record_unknown_failure()
        .withf(|key, now, policy| {
            *key == digest_of("email:jane@example.com")
                && *now == t0()
                && policy.max_attempts == 5
                && policy.duration == Duration::minutes(30)
        })
        .times(1)
        .returning(|_, _, _| Ok(FailureOutcome::Counted { remaining: 4 }));
    no_account_is_touched(&mut m);
    let input = LoginInput {
        email: Some(" Jane@Example.com ".into()),
        ..by_email(PASSWORD)
    };

    let err = login(m)
        .login(input, &ClientInfo::default())
        .await
        .unwrap_err();

    assert!(matches!(err, LoginError::InvalidCredentials), "{err:?}");
    let events = events.lock().unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, AuditKind::LoginFailed);
    assert_eq!(events[0].user_id, None);
    assert_eq!(events[0].detail.as_deref(), Some("unknown user"));
    assert!(
        !format!("{:?}", events[0]).to_lowercase().contains("jane"),
        "the audit trail names no address: {:?}",
        events[0]
    );
}

#[tokio::test]
async fn a_locked_unknown_identifier_is_refused_before_any_check_with_the_time_left() {
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    nobody_found(&mut m, locked_for(90_500));
    m.hasher.expect_verify_dummy().never();
    m.attempts.expect_record_unknown_failure().never();
    no_account_is_touched(&mut m);

    let err = login(m)
        .login(by_email(PASSWORD), &ClientInfo::default())
        .await
        .unwrap_err();

    assert!(
        matches!(err, LoginError::AccountLocked { retry_after: 91 }),
        "{err:?}"
    );
    assert_eq!(audit_kinds(&events), [AuditKind::LoginFailed]);
}

#[tokio::test]
async fn an_expired_lock_of_an_unknown_identifier_lets_the_next_failure_count_again() {
    let mut m = Mocks::new();
    nobody_found(&mut m, locked_for(-1_000));
    unknown_failure_counts(&mut m, FailureOutcome::Counted { remaining: 4 });
    no_account_is_touched(&mut m);

    let err = login(m)
        .login(by_email(PASSWORD), &ClientInfo::default())
        .await
        .unwrap_err();

    assert!(matches!(err, LoginError::InvalidCredentials), "{err:?}");
}

#[tokio::test]
async fn the_failure_that_reaches_the_limit_locks_the_unknown_identifier() {
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    nobody_found(&mut m, LockoutState::default());
    unknown_failure_counts(
        &mut m,
        FailureOutcome::NewlyLocked {
            until: t0() + Duration::minutes(30),
        },
    );
    no_account_is_touched(&mut m);

    let err = login(m)
        .login(by_email(PASSWORD), &ClientInfo::default())
        .await
        .unwrap_err();

    assert!(
        matches!(err, LoginError::AccountLocked { retry_after: 1800 }),
        "{err:?}"
    );
    // The events an account's lock writes, in the same order, naming nobody.
    assert_eq!(
        audit_kinds(&events),
        [AuditKind::LoginFailed, AuditKind::AccountLocked]
    );
    assert!(events.lock().unwrap().iter().all(|e| e.user_id.is_none()));
}

#[tokio::test]
async fn a_failure_on_an_identifier_locked_meanwhile_answers_locked() {
    let mut m = Mocks::new();
    nobody_found(&mut m, LockoutState::default());
    unknown_failure_counts(
        &mut m,
        FailureOutcome::AlreadyLocked {
            until: t0() + Duration::seconds(10),
        },
    );

    let err = login(m)
        .login(by_email(PASSWORD), &ClientInfo::default())
        .await
        .unwrap_err();

    assert!(
        matches!(err, LoginError::AccountLocked { retry_after: 10 }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_malformed_email_is_an_unknown_identifier_counted_under_its_trimmed_lowercase_text() {
    let mut m = Mocks::new();
    m.attempts
        .expect_find_for_login()
        .withf(|name, key| *name == LoginName::Malformed && *key == digest_of("email:not an email"))
        .times(1)
        .returning(|_, _| Ok(LoginTarget::Unknown(LockoutState::default())));
    m.hasher
        .expect_verify_dummy()
        .times(1)
        .returning(|_| Ok(()));
    m.attempts
        .expect_record_unknown_failure()
        .withf(|key, _, _| *key == digest_of("email:not an email"))
        .times(1)
        .returning(|_, _, _| Ok(FailureOutcome::Counted { remaining: 4 }));
    let input = LoginInput {
        email: Some("  Not An Email ".into()),
        ..by_email(PASSWORD)
    };

    let err = login(m)
        .login(input, &ClientInfo::default())
        .await
        .unwrap_err();

    assert!(matches!(err, LoginError::InvalidCredentials), "{err:?}");
}

#[tokio::test]
async fn an_unknown_user_during_a_login_storm_answers_busy_and_counts_nothing() {
    let mut m = Mocks::new();
    nobody_found(&mut m, LockoutState::default());
    m.hasher
        .expect_verify_dummy()
        .returning(|_| Err(HashError::Busy));
    m.attempts.expect_record_unknown_failure().never();

    let err = login(m)
        .login(by_email(PASSWORD), &ClientInfo::default())
        .await
        .unwrap_err();

    assert!(
        matches!(err, LoginError::Infra(InfraError::Busy)),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_storage_outage_while_counting_an_unknown_failure_is_an_infrastructure_error() {
    let mut m = Mocks::new();
    nobody_found(&mut m, LockoutState::default());
    m.hasher.expect_verify_dummy().returning(|_| Ok(()));
    m.attempts
        .expect_record_unknown_failure()
        .returning(|_, _, _| Err(port_down()));

    let err = login(m)
        .login(by_email(PASSWORD), &ClientInfo::default())
        .await
        .unwrap_err();

    assert!(
        matches!(err, LoginError::Infra(InfraError::Unavailable(_))),
        "{err:?}"
    );
}

/// The answer a wrong password gets on an account in `lockout` whose failure has `outcome`, and
/// the one an unknown identifier in the same state gets.
async fn both_answers(lockout: LockoutState, outcome: FailureOutcome) -> (String, String) {
    let mut user = active_user();
    user.lockout = lockout;
    let mut m = Mocks::new();
    account_found(&mut m, &user);
    m.hasher
        .expect_verify()
        .returning(|_, _| Ok(PasswordCheck::Mismatch));
    m.users
        .expect_record_login_failure()
        .returning(move |_, _, _, _| Ok(Some(outcome)));
    let known = login(m)
        .login(by_email("wrong-password"), &ClientInfo::default())
        .await
        .unwrap_err();

    let mut m = Mocks::new();
    nobody_found(&mut m, lockout);
    m.hasher.expect_verify_dummy().returning(|_| Ok(()));
    m.attempts
        .expect_record_unknown_failure()
        .returning(move |_, _, _| Ok(outcome));
    let unknown = login(m)
        .login(by_email("wrong-password"), &ClientInfo::default())
        .await
        .unwrap_err();
    (format!("{known:?}"), format!("{unknown:?}"))
}

#[tokio::test]
async fn every_answer_to_an_unknown_identifier_is_the_answer_an_account_gets() {
    let until = t0() + Duration::milliseconds(1_200);
    let cases = [
        (
            LockoutState::default(),
            FailureOutcome::Counted { remaining: 3 },
        ),
        (
            LockoutState::default(),
            FailureOutcome::NewlyLocked { until },
        ),
        (
            LockoutState::default(),
            FailureOutcome::AlreadyLocked { until },
        ),
        (locked_for(1_200), FailureOutcome::AlreadyLocked { until }),
        (locked_for(-1), FailureOutcome::Counted { remaining: 4 }),
    ];
    for (lockout, outcome) in cases {
        let (known, unknown) = both_answers(lockout, outcome).await;
        assert_eq!(known, unknown, "{lockout:?} then {outcome:?}");
    }
}
