//! Unit tests of [`super::Sessions`] against mocked ports and a fixed clock.

use super::{RevokeSessionError, Sessions, SessionsPorts};
use crate::audit::AuditKind;
use crate::error::InfraError;
use crate::ids::SessionId;
use crate::services::test_support::{
    Mocks, active_user, audit_kinds, capture_audit, claims_for, port_down, session_of, settings, t0,
};
use crate::session::ClientInfo;
use chrono::Duration;
use std::sync::Arc;

fn service(mocks: Mocks) -> Sessions {
    let ports = SessionsPorts {
        sessions: Arc::new(mocks.sessions),
        denylist: Arc::new(mocks.denylist),
        audit: Arc::new(mocks.audit),
        clock: Arc::new(mocks.clock),
    };
    Sessions::new(ports, settings().access_ttl)
}

#[tokio::test]
async fn the_list_marks_the_session_that_asked_as_current() {
    let user = active_user();
    let mut principal = claims_for(&user);
    let mine = session_of(&user, true);
    let other = session_of(&user, false);
    principal.session_id = mine.id;
    let stored = vec![other.clone(), mine.clone()];
    let id = user.id;
    let mut m = Mocks::new();
    m.sessions
        .expect_list_active()
        .times(1)
        .withf(move |user_id, now| *user_id == id && *now == t0())
        .returning(move |_, _| Ok(stored.clone()));
    let views = service(m).list(&principal).await.unwrap();
    let listed: Vec<_> = views.iter().map(|v| (v.session.id, v.is_current)).collect();
    assert_eq!(listed, [(other.id, false), (mine.id, true)]);
}

#[tokio::test]
async fn a_storage_failure_while_listing_is_reported() {
    let mut m = Mocks::new();
    m.sessions
        .expect_list_active()
        .returning(|_, _| Err(port_down()));
    let err = service(m)
        .list(&claims_for(&active_user()))
        .await
        .unwrap_err();
    assert!(matches!(err, InfraError::Unavailable(_)));
}

#[tokio::test]
async fn revoking_one_of_ones_sessions_kills_its_access_tokens_at_once() {
    let user = active_user();
    let principal = claims_for(&user);
    let target = SessionId::new();
    let mut m = Mocks::new();
    let audit = capture_audit(&mut m);
    let id = user.id;
    m.sessions
        .expect_revoke()
        .times(1)
        .withf(move |user_id, session, now| *user_id == id && *session == target && *now == t0())
        .returning(|_, _, _| Ok(true));
    m.denylist
        .expect_deny_sessions()
        .times(1)
        .withf(move |owner, ids, until| {
            *owner == id
                && ids == [target]
                && *until == t0() + Duration::minutes(15) + Duration::seconds(30)
        })
        .returning(|_, _, _| Ok(()));
    service(m)
        .revoke(&principal, &target.to_string(), &ClientInfo::default())
        .await
        .unwrap();
    assert_eq!(audit_kinds(&audit), [AuditKind::SessionRevoked]);
    assert_eq!(audit.lock().unwrap()[0].session_id, Some(target));
}

#[tokio::test]
async fn a_malformed_session_id_is_not_found() {
    let mut m = Mocks::new();
    m.sessions.expect_revoke().never();
    m.denylist.expect_deny_sessions().never();
    let err = service(m)
        .revoke(
            &claims_for(&active_user()),
            "not-a-uuid",
            &ClientInfo::default(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, RevokeSessionError::NotFound));
}

#[tokio::test]
async fn another_users_or_an_already_revoked_session_is_not_found_and_untouched() {
    let mut m = Mocks::new();
    let audit = capture_audit(&mut m);
    m.sessions
        .expect_revoke()
        .times(1)
        .returning(|_, _, _| Ok(false));
    m.denylist.expect_deny_sessions().never();
    let err = service(m)
        .revoke(
            &claims_for(&active_user()),
            &SessionId::new().to_string(),
            &ClientInfo::default(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, RevokeSessionError::NotFound));
    assert!(audit_kinds(&audit).is_empty());
}

#[tokio::test]
async fn a_storage_failure_while_revoking_is_reported() {
    let mut m = Mocks::new();
    m.sessions
        .expect_revoke()
        .returning(|_, _, _| Err(port_down()));
    m.denylist.expect_deny_sessions().never();
    let err = service(m)
        .revoke(
            &claims_for(&active_user()),
            &SessionId::new().to_string(),
            &ClientInfo::default(),
        )
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        RevokeSessionError::Infra(InfraError::Unavailable(_))
    ));
}

#[tokio::test]
async fn a_denylist_outage_does_not_fail_a_revocation_already_stored() {
    let mut m = Mocks::new();
    m.sessions.expect_revoke().returning(|_, _, _| Ok(true));
    m.denylist
        .expect_deny_sessions()
        .times(1)
        .returning(|_, _, _| Err(port_down()));
    assert!(
        service(m)
            .revoke(
                &claims_for(&active_user()),
                &SessionId::new().to_string(),
                &ClientInfo::default(),
            )
            .await
            .is_ok()
    );
}
