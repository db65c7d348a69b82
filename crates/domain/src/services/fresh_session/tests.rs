//! Unit tests of [`super::FreshSession`]: the registration or the change, then the session,
//! through the real services over one set of mocked ports.

use super::FreshSession;
use crate::audit::AuditKind;
use crate::ids::SessionId;
use crate::policy::lockout::FailureOutcome;
use crate::ports::{
    ChangePasswordStoreError, CreateSessionError, PasswordCheck, Sighting, UserRepository,
};
use crate::services::test_support::{
    Mocks, STRONG, active_user, capture_audit, claims_for, opaque, settings, t0,
};
use crate::services::{
    ChangePasswordError, Login, LoginPorts, LoginSettings, PasswordChange, PasswordChangePorts,
    Registration, RegistrationPorts,
};
use crate::session::ClientInfo;
use crate::telemetry::NoTelemetry;
use crate::values::PasswordHash;
use chrono::Duration;
use std::sync::Arc;

mod register;

const CURRENT: &str = "Old-Battery-Staple-7";

fn fresh(m: Mocks) -> FreshSession {
    fresh_verifying(m, false)
}

/// Signing in through a login that requires (or not) a verified email.
fn fresh_verifying(mut m: Mocks, require_email_verification: bool) -> FreshSession {
    m.known_devices
        .expect_observe()
        .returning(|_, _, _| Ok(Sighting::First));
    m.device_names
        .expect_describe()
        .returning(|_| crate::ports::DeviceDescription {
            browser: "Chrome".into(),
            os: "Windows".into(),
            device: "Desktop",
        });
    m.tokens.expect_digest().returning(|raw| opaque(raw).hash);
    let s = settings();
    let users: Arc<dyn UserRepository> = Arc::new(m.users);
    let hasher = Arc::new(m.hasher);
    let tokens = Arc::new(m.tokens);
    let denylist = Arc::new(m.denylist);
    let audit = Arc::new(m.audit);
    let clock = Arc::new(m.clock);
    let registration = Registration::new(
        RegistrationPorts {
            users: users.clone(),
            hasher: hasher.clone(),
            rate_limiter: Arc::new(m.rate_limiter),
            tokens: tokens.clone(),
            audit: audit.clone(),
            clock: clock.clone(),
        },
        s.roles.clone(),
        s.password_policy,
        s.email_domains,
        Duration::zero(),
    );
    let password_change = PasswordChange::new(
        PasswordChangePorts {
            users: users.clone(),
            hasher: hasher.clone(),
            denylist: denylist.clone(),
            audit: audit.clone(),
            clock: clock.clone(),
        },
        s.password_policy,
        s.lockout,
        s.access_ttl,
    );
    let login = Login::new(
        LoginPorts {
            attempts: Arc::new(m.attempts),
            users,
            sessions: Arc::new(m.sessions),
            hasher,
            tokens,
            access_tokens: Arc::new(m.access_tokens),
            denylist,
            audit,
            clock,
            telemetry: Arc::new(NoTelemetry),
            mfa: Arc::new(m.mfa),
            otp: Arc::new(m.otp),
            sealer: Arc::new(m.sealer),
            rate_limiter: Arc::new(crate::ports::MockRateLimiter::new()),
            outbox: Arc::new(m.outbox),
            known_devices: Arc::new(m.known_devices),
            failure_spread: Arc::new(m.failure_spread),
            device_names: Arc::new(m.device_names),
            geolocator: Arc::new(m.geolocator),
        },
        LoginSettings {
            require_email_verification,
            ..LoginSettings::from(&s)
        },
    );
    FreshSession::new(registration, password_change, login)
}

/// A session starts whose first refresh token is `first-refresh`, checked against `hash`.
fn session_starts_with(m: &mut Mocks, hash: &'static str) {
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
        .withf(move |session, _, max, verified| {
            session.remember_me && *max == 5 && verified.as_str() == hash
        })
        .returning(|_, _, _, _| Ok(vec![]));
    m.access_tokens
        .expect_issue()
        .times(1)
        .withf(|claims| claims.issued_at == t0())
        .returning(|_| Ok("signed.jwt".into()));
}

fn no_session(m: &mut Mocks) {
    m.users.expect_record_login_success().never();
    m.sessions.expect_create().never();
    m.access_tokens.expect_issue().never();
}

fn new_password_hash(m: &mut Mocks) {
    m.hasher
        .expect_hash()
        .times(1)
        .returning(|_| Ok(PasswordHash::from_trusted("$2b$12$new".into())));
}

// --- change_password ------------------------------------------------------------------------

fn account_is_jane(m: &mut Mocks) -> crate::user::User {
    let user = active_user();
    let found = user.clone();
    m.users
        .expect_find_by_id()
        .times(1)
        .returning(move |_| Ok(Some(found.clone())));
    user
}

fn current_password_is(m: &mut Mocks, check: PasswordCheck) {
    m.hasher
        .expect_verify()
        .times(1)
        .withf(|p, _| p.expose() == CURRENT)
        .returning(move |_, _| Ok(check));
}

#[tokio::test]
async fn a_password_change_replaces_every_session_with_a_new_one() {
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    let user = account_is_jane(&mut m);
    let principal = claims_for(&user);
    current_password_is(
        &mut m,
        PasswordCheck::Match {
            needs_rehash: false,
        },
    );
    new_password_hash(&mut m);
    let all = vec![principal.session_id, SessionId::new()];
    let revoked = all.clone();
    let uid = user.id;
    m.users
        .expect_change_password()
        .times(1)
        .withf(|_, _, _, kept, _, _| kept.is_none())
        .returning(move |_, _, _, _, _, _| Ok(revoked.clone()));
    m.denylist
        .expect_deny_sessions()
        .times(1)
        .withf(move |owner, ids, _| *owner == uid && ids == all.as_slice())
        .returning(|_, _, _| Ok(()));
    // The new session's token (issued at t0, see `session_starts_with`) is not before the cut-off.
    m.denylist
        .expect_deny_user_before()
        .times(1)
        .withf(|_, cutoff, _| cutoff.timestamp() <= t0().timestamp())
        .returning(|_, _, _| Ok(()));
    // The new session is checked against the new hash: it starts only if no other change won.
    session_starts_with(&mut m, "$2b$12$new");

    let ok = fresh(m)
        .change_password(
            &principal,
            CURRENT.into(),
            STRONG.into(),
            &ClientInfo::default(),
        )
        .await
        .unwrap();

    assert_ne!(ok.session_id, principal.session_id);
    assert_eq!(ok.user.password_hash.as_str(), "$2b$12$new");
    assert_eq!(ok.tokens.access_token, "signed.jwt");
    let events = events.lock().unwrap();
    let kinds: Vec<_> = events.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [AuditKind::PasswordChanged, AuditKind::LoginSucceeded]
    );
    assert_eq!(events[1].detail.as_deref(), Some("password changed"));
}

#[tokio::test]
async fn a_wrong_current_password_revokes_nothing_and_opens_nothing() {
    let mut m = Mocks::new();
    let user = account_is_jane(&mut m);
    current_password_is(&mut m, PasswordCheck::Mismatch);
    m.users
        .expect_record_login_failure()
        .times(1)
        .returning(|_, _, _, _| Ok(Some(FailureOutcome::Counted { remaining: 4 })));
    m.hasher.expect_hash().never();
    m.users.expect_change_password().never();
    m.denylist.expect_deny_sessions().never();
    m.denylist.expect_deny_user_before().never();
    no_session(&mut m);
    let err = fresh(m)
        .change_password(
            &claims_for(&user),
            CURRENT.into(),
            STRONG.into(),
            &ClientInfo::default(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, ChangePasswordError::InvalidCredentials),
        "{err:?}"
    );
}

/// Another change or a reset won the race between the change and the new session: every
/// session is gone, and the caller has to log in again.
#[tokio::test]
async fn a_session_refused_after_the_change_answers_account_gone() {
    let mut m = Mocks::new();
    let user = account_is_jane(&mut m);
    current_password_is(
        &mut m,
        PasswordCheck::Match {
            needs_rehash: false,
        },
    );
    new_password_hash(&mut m);
    m.users
        .expect_change_password()
        .returning(|_, _, _, _, _, _| Ok(vec![]));
    m.denylist
        .expect_deny_user_before()
        .returning(|_, _, _| Ok(()));
    m.users
        .expect_record_login_success()
        .returning(|_, _, _| Ok(()));
    m.tokens.expect_generate().returning(|| opaque("r"));
    m.sessions
        .expect_create()
        .times(1)
        .returning(|_, _, _, _| Err(CreateSessionError::CredentialsChanged));
    m.access_tokens.expect_issue().never();
    let err = fresh(m)
        .change_password(
            &claims_for(&user),
            CURRENT.into(),
            STRONG.into(),
            &ClientInfo::default(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ChangePasswordError::AccountGone), "{err:?}");
}

/// A reset replaced the password after the current one was checked: the store writes nothing,
/// and no session opens on the password the caller knew before the reset.
#[tokio::test]
async fn a_change_raced_by_a_reset_opens_no_session() {
    let mut m = Mocks::new();
    let user = account_is_jane(&mut m);
    current_password_is(
        &mut m,
        PasswordCheck::Match {
            needs_rehash: false,
        },
    );
    new_password_hash(&mut m);
    let checked = user.password_hash.clone();
    m.users
        .expect_change_password()
        .times(1)
        .withf(move |_, expected, _, _, _, _| *expected == checked)
        .returning(|_, _, _, _, _, _| Err(ChangePasswordStoreError::CredentialsChanged));
    m.denylist.expect_deny_sessions().never();
    m.denylist.expect_deny_user_before().never();
    no_session(&mut m);
    let err = fresh(m)
        .change_password(
            &claims_for(&user),
            CURRENT.into(),
            STRONG.into(),
            &ClientInfo::default(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ChangePasswordError::AccountGone), "{err:?}");
}
