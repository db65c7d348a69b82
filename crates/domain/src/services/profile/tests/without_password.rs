//! Deactivation by the access token alone (the CheckInn delete-me, no password in the body).

use super::{account_is, client, deleted, service};
use crate::audit::AuditKind;
use crate::ids::SessionId;
use crate::services::profile::DeactivateError;
use crate::services::test_support::{
    Mocks, active_user, audit_kinds, capture_audit, claims_for, t0,
};
use crate::user::{AccountStatus, User};
use chrono::Duration;

fn deactivation_applies(m: &mut Mocks, user: &User, revoked: Vec<SessionId>) {
    let (id, before) = (user.id, user.clone());
    m.directory
        .expect_apply_change()
        .times(1)
        .withf(move |user_id, change, _, now| {
            *user_id == id && change.status == Some(AccountStatus::Deleted) && *now == t0()
        })
        .returning(move |_, _, _, _| {
            Ok(crate::ports::AppliedChange {
                before: before.clone(),
                after: User {
                    status: AccountStatus::Deleted,
                    ..before.clone()
                },
                revoked_sessions: revoked.clone(),
            })
        });
}

#[tokio::test]
async fn without_a_password_the_access_token_alone_deactivates_and_kills_every_token() {
    let user = active_user();
    let mut m = Mocks::new();
    let audit = capture_audit(&mut m);
    account_is(&mut m, Some(user.clone()));
    m.hasher.expect_verify().never();
    m.users.expect_record_login_failure().never();
    let sessions = vec![SessionId::new(), SessionId::new()];
    deactivation_applies(&mut m, &user, sessions.clone());
    let id = user.id;
    m.denylist
        .expect_deny_sessions()
        .times(1)
        .withf(move |owner, ids, _| *owner == id && ids == sessions.as_slice())
        .returning(|_, _, _| Ok(()));
    m.denylist
        .expect_deny_user_before()
        .times(1)
        .withf(move |user_id, cutoff, _| *user_id == id && *cutoff == t0())
        .returning(|_, _, _| Ok(()));
    service(m)
        .deactivate(&claims_for(&user), None, &client())
        .await
        .unwrap();
    assert_eq!(audit_kinds(&audit), [AuditKind::AccountDeactivated]);
}

/// A lock stops password guesses; without a password there is nothing to guess.
#[tokio::test]
async fn without_a_password_a_locked_account_is_deactivated_too() {
    let mut user = active_user();
    user.lockout.locked_until = Some(t0() + Duration::minutes(5));
    let mut m = Mocks::new();
    m.audit.expect_record().returning(|_| Ok(()));
    account_is(&mut m, Some(user.clone()));
    m.hasher.expect_verify().never();
    deactivation_applies(&mut m, &user, vec![]);
    m.denylist
        .expect_deny_user_before()
        .times(1)
        .returning(|_, _, _| Ok(()));
    service(m)
        .deactivate(&claims_for(&user), None, &client())
        .await
        .unwrap();
}

#[tokio::test]
async fn without_a_password_a_vanished_or_deleted_account_is_still_refused() {
    for stored in [None, Some(deleted())] {
        let mut m = Mocks::new();
        account_is(&mut m, stored);
        m.directory.expect_apply_change().never();
        m.denylist.expect_deny_user_before().never();
        let err = service(m)
            .deactivate(&claims_for(&active_user()), None, &client())
            .await
            .unwrap_err();
        assert!(matches!(err, DeactivateError::AccountGone), "{err:?}");
    }
}
