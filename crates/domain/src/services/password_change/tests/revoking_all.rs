//! `PasswordChange::change_revoking_all`: the change of the CheckInn dialect, which ends every
//! session, the caller's too (a new one is opened by `FreshSession`).

use super::{
    CURRENT, RIGHT, account_is, current_password_is, failure_outcome, nothing_changes, service,
    validation_fields,
};
use crate::audit::AuditKind;
use crate::ids::SessionId;
use crate::notification::Notification;
use crate::policy::lockout::FailureOutcome;
use crate::ports::PasswordCheck;
use crate::services::password_change::ChangePasswordError;
use crate::services::test_support::{
    Mocks, STRONG, active_user, audit_kinds, capture_audit, claims_for, port_down, t0,
};
use crate::session::ClientInfo;
use crate::token::AccessClaims;
use crate::user::User;
use crate::values::PasswordHash;
use chrono::Duration;

async fn change(
    m: Mocks,
    principal: &AccessClaims,
    current: &str,
    new: &str,
) -> Result<User, ChangePasswordError> {
    service(m)
        .change_revoking_all(
            principal,
            current.into(),
            new.into(),
            &ClientInfo::default(),
        )
        .await
}

fn hashes_the_new_password(m: &mut Mocks) {
    m.hasher
        .expect_hash()
        .times(1)
        .withf(|p| p.expose() == STRONG)
        .returning(|_| Ok(PasswordHash::from_trusted("$2b$12$new".into())));
}

#[tokio::test]
async fn every_session_is_revoked_the_callers_too_and_every_token_until_now_denied() {
    let user = active_user();
    let principal = claims_for(&user);
    let mut m = Mocks::new();
    let audit = capture_audit(&mut m);
    account_is(&mut m, Some(user.clone()));
    current_password_is(&mut m, RIGHT);
    hashes_the_new_password(&mut m);
    let all = vec![principal.session_id, SessionId::new()];
    let revoked = all.clone();
    let (id, email) = (user.id, user.email.clone());
    let checked = user.password_hash.clone();
    m.users
        .expect_change_password()
        .times(1)
        .withf(move |user_id, expected, hash, kept, now, mail| {
            *user_id == id
                && *expected == checked
                && hash.as_str() == "$2b$12$new"
                && kept.is_none()
                && *now == t0()
                && matches!(mail, Notification::PasswordChanged { to, .. } if *to == email)
        })
        .returning(move |_, _, _, _, _, _| Ok(revoked.clone()));
    let until = t0() + Duration::minutes(15) + Duration::seconds(30);
    m.denylist
        .expect_deny_sessions()
        .times(1)
        .withf(move |owner, ids, u| *owner == id && ids == all.as_slice() && *u == until)
        .returning(|_, _, _| Ok(()));
    // The cut-off is the change itself: the session that replaces these starts in this very
    // second, and its token must live; the revoked sessions' tokens of this second are denied
    // by session above.
    m.denylist
        .expect_deny_user_before()
        .times(1)
        .withf(move |user_id, cutoff, u| *user_id == id && *cutoff == t0() && *u == until)
        .returning(|_, _, _| Ok(()));

    let changed = change(m, &principal, CURRENT, STRONG).await.unwrap();

    assert_eq!(changed.id, user.id);
    assert_eq!(changed.password_hash.as_str(), "$2b$12$new");
    let events = audit.lock().unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, AuditKind::PasswordChanged);
    assert_eq!(events[0].session_id, Some(principal.session_id));
    assert_eq!(
        events[0].detail.as_deref(),
        Some("all 2 session(s) revoked")
    );
}

#[tokio::test]
async fn a_wrong_current_password_revokes_nothing_and_counts_towards_the_lockout() {
    let user = active_user();
    let mut m = Mocks::new();
    let audit = capture_audit(&mut m);
    account_is(&mut m, Some(user.clone()));
    current_password_is(&mut m, PasswordCheck::Mismatch);
    failure_outcome(&mut m, FailureOutcome::Counted { remaining: 3 });
    nothing_changes(&mut m);
    m.denylist.expect_deny_user_before().never();
    let err = change(m, &claims_for(&user), CURRENT, STRONG)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ChangePasswordError::InvalidCredentials),
        "{err:?}"
    );
    assert_eq!(audit_kinds(&audit), [AuditKind::LoginFailed]);
}

#[tokio::test]
async fn a_weak_new_password_is_rejected_on_new_password_and_revokes_nothing() {
    let user = active_user();
    let mut m = Mocks::new();
    account_is(&mut m, Some(user.clone()));
    m.hasher.expect_verify().never();
    nothing_changes(&mut m);
    m.denylist.expect_deny_user_before().never();
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
async fn a_storage_failure_denies_nothing() {
    let user = active_user();
    let mut m = Mocks::new();
    account_is(&mut m, Some(user.clone()));
    current_password_is(&mut m, RIGHT);
    hashes_the_new_password(&mut m);
    m.users
        .expect_change_password()
        .returning(|_, _, _, _, _, _| Err(port_down().into()));
    m.denylist.expect_deny_sessions().never();
    m.denylist.expect_deny_user_before().never();
    let err = change(m, &claims_for(&user), CURRENT, STRONG)
        .await
        .unwrap_err();
    assert!(matches!(err, ChangePasswordError::Infra(_)), "{err:?}");
}
