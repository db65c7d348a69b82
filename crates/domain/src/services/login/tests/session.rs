//! Logins that pass every check: the session, its tokens, re-hashing, the session limit.

use super::*;
#[tokio::test]
async fn a_successful_login_starts_a_short_session_and_issues_both_tokens() {
    let mut user = active_user();
    user.roles =
        vec![crate::authorization::RoleName::parse("moderator").unwrap_or_else(|e| panic!("{e}"))];
    let id = user.id;
    let stored = user.password_hash.clone();
    let client = ClientInfo {
        ip: Some("203.0.113.7".into()),
        user_agent: Some("curl/8".into()),
    };
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    account_found(&mut m, &user);
    password_is(&mut m, RIGHT);
    m.users
        .expect_record_login_success()
        .withf(move |uid, now, rehash| *uid == id && *now == t0() && rehash.is_none())
        .times(1)
        .returning(|_, _, _| Ok(()));
    m.tokens
        .expect_generate()
        .times(1)
        .returning(|| opaque("first-refresh"));
    let expected_client = client.clone();
    m.sessions
        .expect_create()
        .withf(move |session, token, max, verified| {
            session.user_id == id
                && *verified == stored
                && !session.remember_me
                && session.client == expected_client
                && session.created_at == t0()
                && token.session_id == session.id
                && token.hash.as_str() == "hash-first-refresh"
                && token.expires_at == t0() + Duration::hours(24)
                && *max == 5
        })
        .times(1)
        .returning(|_, _, _, _| Ok(vec![]));
    m.access_tokens
        .expect_issue()
        .withf(move |claims| {
            claims.user_id == id
                && claims.issued_at == t0()
                && claims.expires_at == t0() + Duration::minutes(15)
                && claims.permissions
                    == crate::authorization::RoleCatalog::default().permissions_of(&claims.roles)
                && claims
                    .permissions
                    .contains(crate::authorization::Permission::AuditRead)
        })
        .times(1)
        .returning(|_| Ok("signed.jwt".into()));
    m.denylist.expect_deny_sessions().never();

    let ok = login(m).login(by_email(PASSWORD), &client).await.unwrap();

    assert_eq!(ok.tokens.access_token, "signed.jwt");
    assert_eq!(ok.tokens.expires_in, 900);
    assert_eq!(
        ok.tokens.refresh_token.as_ref().map(|t| t.expose()),
        Some("first-refresh")
    );
    assert_eq!(ok.tokens.refresh_expires_in, 24 * 3600);
    assert!(!ok.tokens.remember_me);
    assert_eq!(ok.user.last_login, Some(t0()));
    assert_eq!(
        ok.permissions
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>(),
        ["users.read", "admin.users.read", "audit.read"]
    );
    let events = events.lock().unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, AuditKind::LoginSucceeded);
    assert_eq!(events[0].session_id, Some(ok.session_id));
}

#[tokio::test]
async fn remember_me_gives_the_long_refresh_lifetime() {
    let user = active_user();
    let mut m = Mocks::new();
    account_found(&mut m, &user);
    password_is(&mut m, RIGHT);
    m.users
        .expect_record_login_success()
        .returning(|_, _, _| Ok(()));
    m.tokens.expect_generate().returning(|| opaque("r"));
    m.sessions
        .expect_create()
        .withf(|session, token, _, _| {
            session.remember_me && token.expires_at == t0() + Duration::days(7)
        })
        .times(1)
        .returning(|_, _, _, _| Ok(vec![]));
    m.access_tokens
        .expect_issue()
        .returning(|_| Ok("signed.jwt".into()));
    let input = LoginInput {
        remember_me: Some(true),
        ..by_email(PASSWORD)
    };
    let ok = login(m).login(input, &ClientInfo::default()).await.unwrap();
    assert!(ok.tokens.remember_me);
    assert_eq!(ok.tokens.refresh_expires_in, 7 * 24 * 3600);
}

#[tokio::test]
async fn a_weak_stored_hash_is_replaced_on_login() {
    let user = active_user();
    let mut m = Mocks::new();
    account_found(&mut m, &user);
    password_is(&mut m, PasswordCheck::Match { needs_rehash: true });
    m.hasher
        .expect_hash()
        .times(1)
        .returning(|_| Ok(PasswordHash::from_trusted("$2b$12$stronger".into())));
    let verified = user.password_hash.clone();
    m.users
        .expect_record_login_success()
        .withf(move |_, _, rehash| {
            rehash.as_ref().is_some_and(|r| {
                r.verified == verified && r.replacement.as_str() == "$2b$12$stronger"
            })
        })
        .times(1)
        .returning(|_, _, _| Ok(()));
    m.tokens.expect_generate().returning(|| opaque("r"));
    // The session is checked against the hash stored after the re-hash, not the old one.
    m.sessions
        .expect_create()
        .withf(|_, _, _, verified| verified.as_str() == "$2b$12$stronger")
        .times(1)
        .returning(|_, _, _, _| Ok(vec![]));
    m.access_tokens
        .expect_issue()
        .returning(|_| Ok("signed.jwt".into()));
    let ok = login(m)
        .login(by_email(PASSWORD), &ClientInfo::default())
        .await
        .unwrap();
    assert_eq!(ok.user.password_hash.as_str(), "$2b$12$stronger");
}

#[tokio::test]
async fn a_failed_rehash_does_not_fail_the_login() {
    let user = active_user();
    let mut m = Mocks::new();
    account_found(&mut m, &user);
    password_is(&mut m, PasswordCheck::Match { needs_rehash: true });
    m.hasher
        .expect_hash()
        .times(1)
        .returning(|_| Err(HashError::Busy));
    m.users
        .expect_record_login_success()
        .withf(|_, _, rehash| rehash.is_none())
        .times(1)
        .returning(|_, _, _| Ok(()));
    m.tokens.expect_generate().returning(|| opaque("r"));
    m.sessions
        .expect_create()
        .returning(|_, _, _, _| Ok(vec![]));
    m.access_tokens
        .expect_issue()
        .returning(|_| Ok("signed.jwt".into()));
    assert!(
        login(m)
            .login(by_email(PASSWORD), &ClientInfo::default())
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn sessions_evicted_by_the_limit_lose_their_access_tokens_at_once() {
    let user = active_user();
    let evicted = vec![SessionId::new(), SessionId::new()];
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    account_found(&mut m, &user);
    password_is(&mut m, RIGHT);
    session_starts(&mut m, evicted.clone());
    let (expected, id) = (evicted.clone(), user.id);
    m.denylist
        .expect_deny_sessions()
        .withf(move |owner, ids, until| {
            *owner == id
                && ids == expected.as_slice()
                && *until == t0() + Duration::minutes(15) + Duration::seconds(30)
        })
        .times(1)
        .returning(|_, _, _| Ok(()));
    login(m)
        .login(by_email(PASSWORD), &ClientInfo::default())
        .await
        .unwrap();
    let revoked: Vec<_> = events
        .lock()
        .unwrap()
        .iter()
        .filter(|e| e.kind == AuditKind::SessionRevoked)
        .filter_map(|e| e.session_id)
        .collect();
    assert_eq!(revoked, evicted);
}

#[tokio::test]
async fn a_denylist_outage_after_an_eviction_does_not_lose_the_login() {
    let user = active_user();
    let mut m = Mocks::new();
    account_found(&mut m, &user);
    password_is(&mut m, RIGHT);
    session_starts(&mut m, vec![SessionId::new()]);
    m.denylist
        .expect_deny_sessions()
        .times(1)
        .returning(|_, _, _| Err(port_down()));
    assert!(
        login(m)
            .login(by_email(PASSWORD), &ClientInfo::default())
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_full_hashing_queue_answers_busy() {
    let user = active_user();
    let mut m = Mocks::new();
    account_found(&mut m, &user);
    m.hasher
        .expect_verify()
        .returning(|_, _| Err(HashError::Busy));
    nothing_is_counted(&mut m);
    let err = login(m)
        .login(by_email(PASSWORD), &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(matches!(err, LoginError::Infra(InfraError::Busy)));
}

#[tokio::test]
async fn a_storage_outage_during_lookup_is_an_infrastructure_error() {
    let mut m = Mocks::new();
    m.attempts
        .expect_find_for_login()
        .returning(|_, _| Err(port_down()));
    m.hasher.expect_verify_dummy().never();
    let err = login(m)
        .login(by_email(PASSWORD), &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(matches!(err, LoginError::Infra(InfraError::Unavailable(_))));
}

#[tokio::test]
async fn a_login_that_raced_a_password_change_gets_no_session() {
    let user = active_user();
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    account_found(&mut m, &user);
    password_is(&mut m, RIGHT);
    m.users
        .expect_record_login_success()
        .returning(|_, _, _| Ok(()));
    m.tokens.expect_generate().returning(|| opaque("r"));
    m.sessions
        .expect_create()
        .times(1)
        .returning(|_, _, _, _| Err(CreateSessionError::CredentialsChanged));
    m.access_tokens.expect_issue().never();
    let err = login(m)
        .login(by_email(PASSWORD), &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(matches!(err, LoginError::InvalidCredentials));
    assert_eq!(audit_kinds(&events), [AuditKind::LoginFailed]);
}
