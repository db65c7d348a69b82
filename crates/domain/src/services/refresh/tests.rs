//! Unit tests of [`super::Refresh`] against mocked ports and a fixed clock.

use super::{Refresh, RefreshError, RefreshPorts, RefreshSettings};
use crate::audit::AuditKind;
use crate::error::InfraError;
use crate::notification::Notification;
use crate::ports::RotateOutcome;
use crate::services::AuthSettings;
use crate::services::test_support::{
    Mocks, active_user, audit_kinds, capture_audit, opaque, port_down, session_of, settings, t0,
};
use crate::session::{ClientInfo, Session};
use crate::user::{AccountStatus, User};
use chrono::Duration;
use std::sync::Arc;

/// 43 base64url characters, as the generator makes them.
const PRESENTED: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA-_";

fn refresh(mocks: Mocks) -> Refresh {
    with_settings(mocks, &settings())
}

fn with_settings(m: Mocks, settings: &AuthSettings) -> Refresh {
    let ports = RefreshPorts {
        sessions: Arc::new(m.sessions),
        tokens: Arc::new(m.tokens),
        access_tokens: Arc::new(m.access_tokens),
        denylist: Arc::new(m.denylist),
        users: Arc::new(m.users),
        outbox: Arc::new(m.outbox),
        audit: Arc::new(m.audit),
        clock: Arc::new(m.clock),
        telemetry: Arc::new(crate::telemetry::NoTelemetry),
    };
    Refresh::new(ports, RefreshSettings::from(settings))
}

/// Digest and successor of [`PRESENTED`].
fn token_maths(m: &mut Mocks) {
    m.tokens
        .expect_digest()
        .withf(|raw| raw == PRESENTED)
        .returning(|raw| opaque(raw).hash);
    m.tokens
        .expect_successor_of()
        .withf(|raw| raw == PRESENTED)
        .returning(|_| opaque("successor"));
}

fn rotation_answers(m: &mut Mocks, outcome: RotateOutcome) {
    m.sessions
        .expect_rotate()
        .times(1)
        .returning(move |_, _, _, _| Ok(outcome.clone()));
}

fn issues_access_token(m: &mut Mocks, session: &Session) {
    let sid = session.id;
    let uid = session.user_id;
    m.access_tokens
        .expect_issue()
        .withf(move |c| {
            c.session_id == sid
                && c.user_id == uid
                && c.issued_at == t0()
                && c.expires_at == t0() + Duration::minutes(15)
        })
        .times(1)
        .returning(|_| Ok("signed.jwt".into()));
}

fn reuse_mocks(user: &User, session: &Session) -> Mocks {
    let mut m = Mocks::new();
    token_maths(&mut m);
    rotation_answers(
        &mut m,
        RotateOutcome::ReuseDetected {
            session: session.clone(),
        },
    );
    // The owner is read to be warned by email.
    let owner = user.clone();
    m.users
        .expect_find_by_id()
        .returning(move |_| Ok(Some(owner.clone())));
    m.access_tokens.expect_issue().never();
    m
}

#[tokio::test]
async fn malformed_tokens_are_refused_without_touching_storage() {
    let too_long = format!("{PRESENTED}A");
    let padded = format!("{}=", &PRESENTED[..42]);
    let standard_alphabet = format!("{}+", &PRESENTED[..42]);
    for bad in ["", "short", too_long.as_str(), &padded, &standard_alphabet] {
        let err = refresh(Mocks::new())
            .refresh(&bad.into(), &ClientInfo::default())
            .await
            .unwrap_err();
        assert!(matches!(err, RefreshError::InvalidRefreshToken), "{bad}");
    }
}

#[tokio::test]
async fn a_current_token_is_exchanged_for_its_successor_and_a_new_access_token() {
    let user = active_user();
    let session = session_of(&user, true);
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    token_maths(&mut m);
    m.sessions
        .expect_rotate()
        .withf(|presented, successor, now, policy| {
            presented.as_str() == format!("hash-{PRESENTED}")
                && successor.as_str() == "hash-successor"
                && *now == t0()
                && policy.grace == Duration::seconds(10)
                && policy.ttl_remembered == Duration::days(7)
                && policy.ttl_short == Duration::hours(24)
        })
        .times(1)
        .returning({
            let (session, account) = (session.clone(), user.clone());
            move |_, _, _, _| {
                Ok(RotateOutcome::Rotated {
                    session: session.clone(),
                    account: account.clone(),
                    expires_at: t0() + Duration::days(7),
                })
            }
        });
    issues_access_token(&mut m, &session);
    m.sessions.expect_touch().never();
    // The account comes with the rotation: no second read.
    m.users.expect_find_by_id().never();

    let tokens = refresh(m)
        .refresh(&PRESENTED.into(), &ClientInfo::default())
        .await
        .unwrap();

    assert_eq!(tokens.access_token, "signed.jwt");
    assert_eq!(tokens.expires_in, 900);
    assert_eq!(
        tokens.refresh_token.as_ref().map(|t| t.expose()),
        Some("successor")
    );
    assert_eq!(tokens.refresh_expires_in, 7 * 24 * 3600);
    assert!(tokens.remember_me);
    assert_eq!(audit_kinds(&events), vec![AuditKind::TokenRefreshed]);
}

#[tokio::test]
async fn a_replay_inside_the_grace_window_returns_the_same_successor() {
    let user = active_user();
    let session = session_of(&user, false);
    let mut m = Mocks::new();
    token_maths(&mut m);
    rotation_answers(
        &mut m,
        RotateOutcome::Replayed {
            session: session.clone(),
            account: user.clone(),
            expires_at: t0() + Duration::hours(24),
        },
    );
    issues_access_token(&mut m, &session);
    m.denylist.expect_deny_sessions().never();

    let tokens = refresh(m)
        .refresh(&PRESENTED.into(), &ClientInfo::default())
        .await
        .unwrap();

    assert_eq!(
        tokens.refresh_token.as_ref().map(|t| t.expose()),
        Some("successor")
    );
    assert!(!tokens.remember_me);
    assert_eq!(tokens.refresh_expires_in, 24 * 3600);
}

#[tokio::test]
async fn reused_refresh_token_after_grace_revokes_the_family_and_warns_the_owner() {
    let user = active_user();
    let session = session_of(&user, true);
    let mut m = reuse_mocks(&user, &session);
    let events = capture_audit(&mut m);
    let (sid, uid) = (session.id, session.user_id);
    m.denylist
        .expect_deny_sessions()
        .withf(move |user, ids, until| {
            *user == uid
                && ids == [sid]
                && *until == t0() + Duration::minutes(15) + Duration::seconds(30)
        })
        .times(1)
        .returning(|_, _, _| Ok(()));
    m.outbox
        .expect_enqueue()
        .withf(|mail, now| {
            *now == t0()
                && matches!(mail, Notification::RefreshTokenReuse { to, at, ip, .. }
                    if to.as_str() == "jane@example.com"
                        && *at == t0()
                        && ip.as_deref() == Some("198.51.100.9"))
        })
        .times(1)
        .returning(|_, _| Ok(crate::ids::MessageId::new()));
    let client = ClientInfo {
        ip: Some("198.51.100.9".into()),
        user_agent: None,
    };

    let err = refresh(m)
        .refresh(&PRESENTED.into(), &client)
        .await
        .unwrap_err();

    assert!(matches!(err, RefreshError::TokenRevoked));
    let events = events.lock().unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, AuditKind::RefreshTokenReuse);
    assert_eq!(events[0].session_id, Some(sid));
}

#[tokio::test]
async fn a_denylist_outage_during_reuse_still_sends_the_security_email() {
    let user = active_user();
    let session = session_of(&user, true);
    let mut m = reuse_mocks(&user, &session);
    m.denylist
        .expect_deny_sessions()
        .times(1)
        .returning(|_, _, _| Err(port_down()));
    m.outbox
        .expect_enqueue()
        .times(1)
        .returning(|_, _| Ok(crate::ids::MessageId::new()));
    let err = refresh(m)
        .refresh(&PRESENTED.into(), &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(matches!(err, RefreshError::TokenRevoked));
}

#[tokio::test]
async fn a_token_of_a_revoked_family_answers_token_revoked_and_changes_nothing() {
    let mut m = Mocks::new();
    token_maths(&mut m);
    rotation_answers(&mut m, RotateOutcome::Revoked);
    m.denylist.expect_deny_sessions().never();
    m.outbox.expect_enqueue().never();
    m.access_tokens.expect_issue().never();
    let err = refresh(m)
        .refresh(&PRESENTED.into(), &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(matches!(err, RefreshError::TokenRevoked));
}

#[tokio::test]
async fn an_unknown_or_expired_token_answers_invalid_refresh_token() {
    let mut m = Mocks::new();
    token_maths(&mut m);
    rotation_answers(&mut m, RotateOutcome::Invalid);
    m.access_tokens.expect_issue().never();
    let err = refresh(m)
        .refresh(&PRESENTED.into(), &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(matches!(err, RefreshError::InvalidRefreshToken));
}

#[tokio::test]
async fn a_suspended_account_gets_no_new_tokens() {
    let mut user = active_user();
    user.status = AccountStatus::Suspended;
    let session = session_of(&user, true);
    let mut m = Mocks::new();
    token_maths(&mut m);
    rotation_answers(
        &mut m,
        RotateOutcome::Rotated {
            session,
            account: user,
            expires_at: t0() + Duration::days(7),
        },
    );
    m.access_tokens.expect_issue().never();
    let err = refresh(m)
        .refresh(&PRESENTED.into(), &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(matches!(err, RefreshError::TokenRevoked));
}

#[tokio::test]
async fn without_rotation_the_token_is_only_touched_and_not_replaced() {
    let user = active_user();
    let session = session_of(&user, true);
    let mut m = Mocks::new();
    m.tokens.expect_digest().returning(|raw| opaque(raw).hash);
    m.tokens.expect_successor_of().never();
    m.sessions.expect_rotate().never();
    m.sessions
        .expect_touch()
        .withf(|presented, now| presented.as_str() == format!("hash-{PRESENTED}") && *now == t0())
        .times(1)
        .returning({
            let (session, account) = (session.clone(), user.clone());
            move |_, _| {
                Ok(RotateOutcome::Rotated {
                    session: session.clone(),
                    account: account.clone(),
                    expires_at: t0() + Duration::days(3),
                })
            }
        });
    issues_access_token(&mut m, &session);
    let service = with_settings(
        m,
        &AuthSettings {
            rotate_refresh_tokens: false,
            ..AuthSettings::default()
        },
    );

    let tokens = service
        .refresh(&PRESENTED.into(), &ClientInfo::default())
        .await
        .unwrap();

    assert!(tokens.refresh_token.is_none());
    assert_eq!(tokens.refresh_expires_in, 3 * 24 * 3600);
}

#[tokio::test]
async fn a_storage_outage_is_an_infrastructure_error() {
    let mut m = Mocks::new();
    token_maths(&mut m);
    m.sessions
        .expect_rotate()
        .returning(|_, _, _, _| Err(port_down()));
    let err = refresh(m)
        .refresh(&PRESENTED.into(), &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        RefreshError::Infra(InfraError::Unavailable(_))
    ));
}
