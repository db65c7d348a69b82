//! Unit tests of [`super::Logout`] against mocked ports.

use super::{Logout, LogoutPorts};
use crate::audit::AuditKind;
use crate::error::InfraError;
use crate::services::test_support::{
    Mocks, active_user, audit_kinds, capture_audit, claims_for, port_down, settings, t0,
};
use crate::session::ClientInfo;
use chrono::Duration;
use std::sync::Arc;

fn logout(m: Mocks) -> Logout {
    let ports = LogoutPorts {
        sessions: Arc::new(m.sessions),
        denylist: Arc::new(m.denylist),
        audit: Arc::new(m.audit),
        clock: Arc::new(m.clock),
    };
    Logout::new(ports, settings().access_ttl)
}

#[tokio::test]
async fn logout_revokes_the_session_and_denies_the_presented_token() {
    let claims = claims_for(&active_user());
    let (uid, sid, jti, exp) = (
        claims.user_id,
        claims.session_id,
        claims.token_id,
        claims.expires_at,
    );
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    m.denylist
        .expect_deny_token()
        .withf(move |user, id, until| {
            *user == uid && *id == jti && *until == exp + Duration::seconds(30)
        })
        .times(1)
        .returning(|_, _, _| Ok(()));
    m.sessions
        .expect_revoke()
        .withf(move |u, s, now| *u == uid && *s == sid && *now == t0())
        .times(1)
        .returning(|_, _, _| Ok(true));
    m.denylist
        .expect_deny_sessions()
        .withf(move |user, ids, until| {
            *user == uid
                && ids == [sid]
                && *until == t0() + Duration::minutes(15) + Duration::seconds(30)
        })
        .times(1)
        .returning(|_, _, _| Ok(()));
    m.sessions.expect_revoke_all().never();
    m.denylist.expect_deny_user_before().never();

    logout(m)
        .logout(&claims, false, &ClientInfo::default())
        .await
        .unwrap();

    assert_eq!(audit_kinds(&events), vec![AuditKind::Logout]);
}

#[tokio::test]
async fn logout_of_an_already_revoked_session_still_succeeds() {
    let claims = claims_for(&active_user());
    let mut m = Mocks::new();
    m.denylist.expect_deny_token().returning(|_, _, _| Ok(()));
    m.sessions
        .expect_revoke()
        .times(1)
        .returning(|_, _, _| Ok(false));
    m.denylist
        .expect_deny_sessions()
        .returning(|_, _, _| Ok(()));
    assert!(
        logout(m)
            .logout(&claims, false, &ClientInfo::default())
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn logout_from_all_devices_revokes_every_session_and_every_earlier_token() {
    let claims = claims_for(&active_user());
    let (uid, jti) = (claims.user_id, claims.token_id);
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    m.denylist
        .expect_deny_token()
        .withf(move |user, id, _| *user == uid && *id == jti)
        .times(1)
        .returning(|_, _, _| Ok(()));
    let revoked = vec![crate::ids::SessionId::new(), crate::ids::SessionId::new()];
    let denied = revoked.clone();
    m.sessions
        .expect_revoke_all()
        .withf(move |u, now| *u == uid && *now == t0())
        .times(1)
        .returning(move |_, _| Ok(revoked.clone()));
    m.denylist
        .expect_deny_sessions()
        .withf(move |user, ids, until| {
            *user == uid
                && ids == denied.as_slice()
                && *until == t0() + Duration::minutes(15) + Duration::seconds(30)
        })
        .times(1)
        .returning(|_, _, _| Ok(()));
    m.denylist
        .expect_deny_user_before()
        .withf(move |u, cutoff, until| {
            *u == uid
                && *cutoff == t0()
                && *until == t0() + Duration::minutes(15) + Duration::seconds(30)
        })
        .times(1)
        .returning(|_, _, _| Ok(()));
    m.sessions.expect_revoke().never();

    logout(m)
        .logout(&claims, true, &ClientInfo::default())
        .await
        .unwrap();

    assert_eq!(audit_kinds(&events), vec![AuditKind::LogoutAllDevices]);
}

#[tokio::test]
async fn logout_reports_a_denylist_outage_so_the_client_can_retry() {
    let claims = claims_for(&active_user());
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    m.denylist
        .expect_deny_token()
        .returning(|_, _, _| Err(port_down()));
    let err = logout(m)
        .logout(&claims, false, &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(matches!(err, InfraError::Unavailable(_)));
    assert!(audit_kinds(&events).is_empty());
}
