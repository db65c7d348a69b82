//! `Login::open_session`: a session for credentials another use case has just proven.

use super::*;
use crate::services::login::OpenSessionError;
use crate::services::test_support::mfa_user;

const DETAIL: &str = "registration";

async fn open(m: Mocks, user: User) -> Result<super::super::LoginSuccess, OpenSessionError> {
    login(m)
        .open_session(user, DETAIL, &ClientInfo::default())
        .await
}

fn no_password_check(m: &mut Mocks) {
    m.attempts.expect_find_for_login().never();
    m.hasher.expect_verify().never();
    m.hasher.expect_hash().never();
}

/// A `pending` account (verification required by default) with MFA on: neither is asked for.
#[tokio::test]
async fn a_session_opens_remembered_without_password_verification_or_second_factor() {
    let user = User {
        status: AccountStatus::Pending,
        email_verified: false,
        ..mfa_user()
    };
    let (id, stored) = (user.id, user.password_hash.clone());
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    no_password_check(&mut m);
    m.mfa.expect_find_factor().never();
    m.users
        .expect_record_login_success()
        .withf(move |uid, now, rehash| *uid == id && *now == t0() && rehash.is_none())
        .times(1)
        .returning(|_, _, _| Ok(()));
    m.tokens
        .expect_generate()
        .times(1)
        .returning(|| opaque("first-refresh"));
    m.sessions
        .expect_create()
        .withf(move |session, token, max, verified| {
            session.user_id == id
                && session.remember_me
                && token.expires_at == t0() + Duration::days(7)
                && *max == 5
                && *verified == stored
        })
        .times(1)
        .returning(|_, _, _, _| Ok(vec![]));
    m.access_tokens
        .expect_issue()
        .withf(move |claims| claims.user_id == id && claims.issued_at == t0())
        .times(1)
        .returning(|_| Ok("signed.jwt".into()));
    m.denylist.expect_deny_sessions().never();

    let ok = open(m, user).await.unwrap();

    assert_eq!(ok.tokens.access_token, "signed.jwt");
    assert!(ok.tokens.remember_me);
    assert_eq!(
        ok.tokens.refresh_token.as_ref().map(|t| t.expose()),
        Some("first-refresh")
    );
    assert_eq!(ok.user.last_login, Some(t0()));
    let events = events.lock().unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, AuditKind::LoginSucceeded);
    assert_eq!(events[0].session_id, Some(ok.session_id));
    assert_eq!(events[0].detail.as_deref(), Some(DETAIL));
}

#[tokio::test]
async fn the_session_limit_evicts_and_denies_as_at_any_login() {
    let evicted = vec![SessionId::new()];
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    no_password_check(&mut m);
    session_starts(&mut m, evicted.clone());
    let expected = evicted.clone();
    let user = active_user();
    let id = user.id;
    m.denylist
        .expect_deny_sessions()
        .withf(move |uid, ids, until| {
            *uid == id
                && ids == expected.as_slice()
                && *until == t0() + Duration::minutes(15) + Duration::seconds(30)
        })
        .times(1)
        .returning(|_, _, _| Ok(()));
    open(m, user).await.unwrap();
    assert_eq!(
        audit_kinds(&events),
        [AuditKind::SessionRevoked, AuditKind::LoginSucceeded]
    );
}

#[tokio::test]
async fn a_suspended_or_deleted_account_gets_no_session() {
    for status in [AccountStatus::Suspended, AccountStatus::Deleted] {
        let user = User {
            status,
            ..active_user()
        };
        let mut m = Mocks::new();
        let events = capture_audit(&mut m);
        no_password_check(&mut m);
        nothing_is_counted(&mut m);
        m.access_tokens.expect_issue().never();
        let err = open(m, user).await.unwrap_err();
        assert!(
            matches!(err, OpenSessionError::Refused),
            "{status:?}: {err:?}"
        );
        assert_eq!(audit_kinds(&events), [AuditKind::LoginFailed]);
    }
}

#[tokio::test]
async fn a_password_changed_meanwhile_gets_no_session() {
    let mut m = Mocks::new();
    no_password_check(&mut m);
    m.users
        .expect_record_login_success()
        .returning(|_, _, _| Ok(()));
    m.tokens.expect_generate().returning(|| opaque("r"));
    m.sessions
        .expect_create()
        .times(1)
        .returning(|_, _, _, _| Err(CreateSessionError::CredentialsChanged));
    m.access_tokens.expect_issue().never();
    let err = open(m, active_user()).await.unwrap_err();
    assert!(matches!(err, OpenSessionError::Refused), "{err:?}");
}

#[tokio::test]
async fn a_storage_failure_is_infra() {
    let mut m = Mocks::new();
    no_password_check(&mut m);
    m.users
        .expect_record_login_success()
        .returning(|_, _, _| Err(port_down()));
    m.sessions.expect_create().never();
    let err = open(m, active_user()).await.unwrap_err();
    assert!(
        matches!(err, OpenSessionError::Infra(InfraError::Unavailable(_))),
        "{err:?}"
    );
}
