//! Unit tests of [`super::Login`] against mocked ports and a fixed clock.

use super::{Login, LoginError, LoginInput, LoginPorts, LoginSettings};
use crate::audit::AuditKind;
use crate::error::InfraError;
use crate::ids::SessionId;
use crate::notification::Notification;
use crate::policy::lockout::FailureOutcome;
use crate::ports::{CreateSessionError, HashError, LoginName, LoginTarget, PasswordCheck};
use crate::services::AuthSettings;
use crate::services::test_support::{
    Mocks, active_user, audit_kinds, capture_audit, opaque, port_down, settings, t0,
};
use crate::session::ClientInfo;
use crate::telemetry::{LoginOutcome, NoTelemetry, Telemetry};
use crate::token::TokenHash;
use crate::user::{AccountStatus, User};
use crate::values::PasswordHash;
use chrono::Duration;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// What the service reported, for the tests of its telemetry.
#[derive(Debug, Default)]
struct Recorded {
    logins: Mutex<Vec<LoginOutcome>>,
    lockouts: AtomicUsize,
}

impl Telemetry for Recorded {
    fn login(&self, outcome: LoginOutcome) {
        self.logins.lock().unwrap().push(outcome);
    }

    fn locked_out(&self) {
        self.lockouts.fetch_add(1, Ordering::SeqCst);
    }
}

const PASSWORD: &str = "Correct-Horse-42!";

fn by_email(password: &str) -> LoginInput {
    LoginInput {
        email: Some("jane@example.com".into()),
        username: None,
        password: Some(password.into()),
        remember_me: None,
        device_token: None,
    }
}

fn login(mocks: Mocks) -> Login {
    with_settings(mocks, settings())
}

fn with_settings(m: Mocks, settings: AuthSettings) -> Login {
    reporting_to(m, settings, Arc::new(NoTelemetry))
}

fn reporting_to(mut m: Mocks, settings: AuthSettings, telemetry: Arc<dyn Telemetry>) -> Login {
    m.tokens.expect_digest().returning(digest_of);
    alerts::quiet_alerts(&mut m);
    let ports = LoginPorts {
        attempts: Arc::new(m.attempts),
        users: Arc::new(m.users),
        sessions: Arc::new(m.sessions),
        hasher: Arc::new(m.hasher),
        tokens: Arc::new(m.tokens),
        access_tokens: Arc::new(m.access_tokens),
        denylist: Arc::new(m.denylist),
        audit: Arc::new(m.audit),
        clock: Arc::new(m.clock),
        telemetry,
        mfa: Arc::new(m.mfa),
        otp: Arc::new(m.otp),
        sealer: Arc::new(m.sealer),
        rate_limiter: Arc::new(m.rate_limiter),
        outbox: Arc::new(m.outbox),
        known_devices: Arc::new(m.known_devices),
        failure_spread: Arc::new(m.failure_spread),
        device_names: Arc::new(m.device_names),
        geolocator: Arc::new(m.geolocator),
    };
    Login::new(ports, LoginSettings::from(&settings))
}

/// What the mocked digest makes of `text`: recognizable in expectations.
fn digest_of(text: &str) -> TokenHash {
    TokenHash::from_trusted(format!("sha256({text})"))
}

fn account_found(m: &mut Mocks, user: &User) {
    let found = user.clone();
    m.attempts
        .expect_find_for_login()
        .returning(move |_, _| Ok(LoginTarget::Account(Box::new(found.clone()))));
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

/// The calls of a login that gets past every check; the session limit evicts `evicted`.
fn session_starts(m: &mut Mocks, evicted: Vec<SessionId>) {
    m.users
        .expect_record_login_success()
        .times(1)
        .returning(|_, _, _| Ok(()));
    m.tokens
        .expect_generate()
        .times(1)
        .returning(|| opaque("first-refresh"));
    m.sessions
        .expect_create()
        .times(1)
        .returning(move |_, _, _, _| Ok(evicted.clone()));
    m.access_tokens
        .expect_issue()
        .times(1)
        .returning(|_| Ok("signed.jwt".into()));
}

fn nothing_is_counted(m: &mut Mocks) {
    m.users.expect_record_login_failure().never();
    m.users.expect_record_login_success().never();
    m.sessions.expect_create().never();
}

#[tokio::test]
async fn a_missing_password_is_missing_credentials_without_any_lookup() {
    let input = LoginInput {
        password: None,
        ..by_email("")
    };
    let err = login(Mocks::new())
        .login(input, &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(matches!(err, LoginError::MissingCredentials));
}

#[tokio::test]
async fn an_empty_password_is_missing_credentials() {
    let err = login(Mocks::new())
        .login(by_email(""), &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(matches!(err, LoginError::MissingCredentials));
}

#[tokio::test]
async fn no_email_and_no_username_is_missing_credentials() {
    let input = LoginInput {
        email: Some("  ".into()),
        username: None,
        ..by_email(PASSWORD)
    };
    let err = login(Mocks::new())
        .login(input, &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(matches!(err, LoginError::MissingCredentials));
}

#[tokio::test]
async fn a_username_login_looks_the_account_up_by_username() {
    let user = active_user();
    let mut m = Mocks::new();
    let found = user.clone();
    m.attempts
        .expect_find_for_login()
        .withf(|name, key| {
            matches!(name, LoginName::Username(u) if u.as_str() == "jane")
                && *key == digest_of("username:jane")
        })
        .times(1)
        .returning(move |_, _| Ok(LoginTarget::Account(Box::new(found.clone()))));
    password_is(&mut m, RIGHT);
    session_starts(&mut m, vec![]);
    let input = LoginInput {
        email: None,
        username: Some("jane".into()),
        ..by_email(PASSWORD)
    };
    let ok = login(m).login(input, &ClientInfo::default()).await.unwrap();
    assert_eq!(ok.user.id, user.id);
}

#[tokio::test]
async fn a_locked_account_answers_account_locked_without_checking_the_password() {
    let mut user = active_user();
    user.lockout.failed_attempts = 5;
    user.lockout.locked_until = Some(t0() + Duration::milliseconds(90_500));
    let mut m = Mocks::new();
    account_found(&mut m, &user);
    m.hasher.expect_verify().never();
    m.hasher.expect_verify_dummy().never();
    nothing_is_counted(&mut m);
    let err = login(m)
        .login(by_email(PASSWORD), &ClientInfo::default())
        .await
        .unwrap_err();
    // 90.5 s rounds up: a client waiting that long is not refused by the same lock.
    assert!(matches!(err, LoginError::AccountLocked { retry_after: 91 }));
}

#[tokio::test]
async fn an_expired_lock_no_longer_blocks_a_login() {
    let mut user = active_user();
    user.lockout.locked_until = Some(t0() - Duration::seconds(1));
    let mut m = Mocks::new();
    account_found(&mut m, &user);
    password_is(&mut m, RIGHT);
    session_starts(&mut m, vec![]);
    let ok = login(m)
        .login(by_email(PASSWORD), &ClientInfo::default())
        .await
        .unwrap();
    assert_eq!(ok.user.lockout.locked_until, None);
}

#[tokio::test]
async fn a_wrong_password_is_counted_and_answers_invalid_credentials() {
    let user = active_user();
    let id = user.id;
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    account_found(&mut m, &user);
    password_is(&mut m, PasswordCheck::Mismatch);
    m.users
        .expect_record_login_failure()
        .withf(move |uid, now, _, mail| {
            *uid == id
                && *now == t0()
                && matches!(mail, Notification::AccountLocked { user_id, until, .. }
                    if *user_id == Some(id) && *until == t0() + Duration::minutes(30))
        })
        .times(1)
        .returning(|_, _, _, _| Ok(Some(FailureOutcome::Counted { remaining: 4 })));
    m.users.expect_record_login_success().never();
    m.sessions.expect_create().never();
    let err = login(m)
        .login(by_email("wrong-password"), &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(matches!(err, LoginError::InvalidCredentials));
    assert_eq!(audit_kinds(&events), vec![AuditKind::LoginFailed]);
}

#[tokio::test]
async fn the_failure_that_reaches_the_limit_locks_the_account_once() {
    let user = active_user();
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    account_found(&mut m, &user);
    password_is(&mut m, PasswordCheck::Mismatch);
    m.users
        .expect_record_login_failure()
        .times(1)
        .returning(|_, _, _, _| {
            Ok(Some(FailureOutcome::NewlyLocked {
                until: t0() + Duration::minutes(30),
            }))
        });
    let err = login(m)
        .login(by_email("wrong-password"), &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        LoginError::AccountLocked { retry_after: 1800 }
    ));
    let kinds = audit_kinds(&events);
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == AuditKind::AccountLocked)
            .count(),
        1
    );
}

#[tokio::test]
async fn a_failure_on_an_account_locked_meanwhile_does_not_lock_it_again() {
    let user = active_user();
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    account_found(&mut m, &user);
    password_is(&mut m, PasswordCheck::Mismatch);
    m.users
        .expect_record_login_failure()
        .times(1)
        .returning(|_, _, _, _| {
            Ok(Some(FailureOutcome::AlreadyLocked {
                until: t0() + Duration::seconds(10),
            }))
        });
    let err = login(m)
        .login(by_email("wrong-password"), &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(matches!(err, LoginError::AccountLocked { retry_after: 10 }));
    assert!(!audit_kinds(&events).contains(&AuditKind::AccountLocked));
}

#[tokio::test]
async fn a_wrong_password_on_a_deleted_account_does_not_reveal_its_status() {
    let mut user = active_user();
    user.status = AccountStatus::Deleted;
    let mut m = Mocks::new();
    account_found(&mut m, &user);
    password_is(&mut m, PasswordCheck::Mismatch);
    m.users
        .expect_record_login_failure()
        .returning(|_, _, _, _| Ok(Some(FailureOutcome::Counted { remaining: 3 })));
    let err = login(m)
        .login(by_email("wrong-password"), &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(matches!(err, LoginError::InvalidCredentials));
}

async fn login_with_status(status: AccountStatus, verified: bool) -> LoginError {
    let mut user = active_user();
    user.status = status;
    user.email_verified = verified;
    let mut m = Mocks::new();
    account_found(&mut m, &user);
    password_is(&mut m, RIGHT);
    nothing_is_counted(&mut m);
    login(m)
        .login(by_email(PASSWORD), &ClientInfo::default())
        .await
        .unwrap_err()
}

#[tokio::test]
async fn a_deleted_account_with_the_right_password_answers_account_deleted() {
    let err = login_with_status(AccountStatus::Deleted, true).await;
    assert!(matches!(err, LoginError::AccountDeleted));
}

#[tokio::test]
async fn a_suspended_account_with_the_right_password_answers_account_suspended() {
    let err = login_with_status(AccountStatus::Suspended, true).await;
    assert!(matches!(err, LoginError::AccountSuspended));
}

#[tokio::test]
async fn an_unverified_account_answers_email_not_verified() {
    let err = login_with_status(AccountStatus::Pending, false).await;
    assert!(matches!(err, LoginError::EmailNotVerified));
}

#[tokio::test]
async fn an_unverified_account_may_log_in_when_verification_is_not_required() {
    let mut user = active_user();
    user.status = AccountStatus::Pending;
    user.email_verified = false;
    let mut m = Mocks::new();
    account_found(&mut m, &user);
    password_is(&mut m, RIGHT);
    session_starts(&mut m, vec![]);
    let service = with_settings(
        m,
        AuthSettings {
            require_email_verification: false,
            ..AuthSettings::default()
        },
    );
    assert!(
        service
            .login(by_email(PASSWORD), &ClientInfo::default())
            .await
            .is_ok()
    );
}

mod alerts;
mod email;
mod lock_bypass;
mod mfa_step;
mod open_session;
mod session;
mod sms;
mod unknown;
mod verify;

#[tokio::test]
async fn the_failure_that_sets_a_lock_is_reported_as_one_lockout_and_a_locked_login() {
    for (outcome, lockouts) in [
        (
            FailureOutcome::NewlyLocked {
                until: t0() + Duration::minutes(30),
            },
            1,
        ),
        (
            FailureOutcome::AlreadyLocked {
                until: t0() + Duration::minutes(30),
            },
            0,
        ),
        (FailureOutcome::Counted { remaining: 2 }, 0),
    ] {
        let user = active_user();
        let mut m = Mocks::new();
        capture_audit(&mut m);
        account_found(&mut m, &user);
        password_is(&mut m, PasswordCheck::Mismatch);
        m.users
            .expect_record_login_failure()
            .returning(move |_, _, _, _| Ok(Some(outcome)));
        let recorded = Arc::new(Recorded::default());
        let login = reporting_to(m, settings(), recorded.clone());

        let _ = login
            .login(by_email("wrong-password"), &ClientInfo::default())
            .await;

        let expected = if matches!(outcome, FailureOutcome::Counted { .. }) {
            LoginOutcome::InvalidCredentials
        } else {
            LoginOutcome::Locked
        };
        assert_eq!(
            *recorded.logins.lock().unwrap(),
            vec![expected],
            "{outcome:?}"
        );
        assert_eq!(
            recorded.lockouts.load(Ordering::SeqCst),
            lockouts,
            "{outcome:?}"
        );
    }
}

#[tokio::test]
async fn a_login_without_credentials_is_reported_as_such() {
    let recorded = Arc::new(Recorded::default());
    let login = reporting_to(Mocks::new(), settings(), recorded.clone());
    let _ = login
        .login(LoginInput::default(), &ClientInfo::default())
        .await;
    assert_eq!(
        *recorded.logins.lock().unwrap(),
        vec![LoginOutcome::MissingCredentials]
    );
}
