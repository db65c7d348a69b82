//! What a stored change cuts off (role changes, suspension, deletion), its audit events, and
//! the storage's refusals.

use super::*;

#[tokio::test]
async fn a_role_change_cuts_off_earlier_tokens_from_the_next_second_and_keeps_sessions() {
    let user = active_user();
    let actor = full_admin();
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    let change = applies(&mut m, &user, vec![]);
    m.denylist.expect_deny_sessions().never();
    user_cut_off(&mut m, &user, t0() + Duration::seconds(1));
    let view = admin(m)
        .update_user(&actor, user.id, roles_to(&["user", "moderator", "user"]))
        .await
        .unwrap();
    assert_eq!(
        change.lock().unwrap().as_ref().unwrap().roles,
        Some(vec![role("user"), role("moderator")])
    );
    assert_eq!(view.roles, vec![role("user"), role("moderator")]);
    assert_eq!(audit_kinds(&events), [AuditKind::RolesChanged]);
    assert_eq!(details(&events), ["user -> user,moderator"]);
    all_by(&events, &actor, &user);
}

#[tokio::test]
async fn the_cut_off_of_a_role_change_is_rounded_up_to_a_whole_second() {
    let user = active_user();
    let now = t0() + Duration::milliseconds(250);
    let mut m = Mocks::new();
    m.clock = MockClock::new();
    m.clock.expect_now().returning(move || now);
    account_is(&mut m, &user, Some(user.clone()));
    let before = user.clone();
    m.directory
        .expect_apply_change()
        .returning(move |_, change, _, _| {
            Ok(AppliedChange {
                before: before.clone(),
                after: stored(&before, change),
                revoked_sessions: vec![],
            })
        });
    m.sessions.expect_list_active().returning(|_, _| Ok(vec![]));
    let id = user.id;
    m.denylist
        .expect_deny_user_before()
        .withf(move |uid, cutoff, u| {
            *uid == id
                && *cutoff == t0() + Duration::seconds(1)
                && *u == now + Duration::minutes(15) + Duration::seconds(30)
        })
        .times(1)
        .returning(|_, _, _| Ok(()));
    admin(m)
        .update_user(&full_admin(), user.id, roles_to(&["moderator"]))
        .await
        .unwrap();
}

#[tokio::test]
async fn the_same_roles_in_another_order_are_no_role_change() {
    let mut user = active_user();
    user.roles = vec![role("user"), role("moderator")];
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    applies(&mut m, &user, vec![]);
    no_denial(&mut m);
    admin(m)
        .update_user(&full_admin(), user.id, roles_to(&["moderator", "user"]))
        .await
        .unwrap();
    assert!(audit_kinds(&events).is_empty());
}

#[tokio::test]
async fn suspension_denies_the_revoked_sessions_and_every_earlier_token() {
    let user = active_user();
    let actor = user_manager();
    let revoked = vec![SessionId::new(), SessionId::new()];
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    applies(&mut m, &user, revoked.clone());
    let id = user.id;
    m.denylist
        .expect_deny_sessions()
        .withf(move |uid, ids, u| *uid == id && ids == revoked.as_slice() && *u == until())
        .times(1)
        .returning(|_, _, _| Ok(()));
    user_cut_off(&mut m, &user, t0() + Duration::seconds(1));
    let view = admin(m)
        .update_user(&actor, user.id, status_to("suspended"))
        .await
        .unwrap();
    assert_eq!(view.status, AccountStatus::Suspended);
    assert_eq!(audit_kinds(&events), [AuditKind::AccountSuspended]);
    assert_eq!(details(&events), ["2 session(s) revoked"]);
    all_by(&events, &actor, &user);
}

#[tokio::test]
async fn deletion_is_cut_off_and_audited_as_deletion() {
    let user = active_user();
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    applies(&mut m, &user, vec![]);
    m.denylist.expect_deny_sessions().never();
    user_cut_off(&mut m, &user, t0() + Duration::seconds(1));
    admin(m)
        .update_user(&full_admin(), user.id, status_to("deleted"))
        .await
        .unwrap();
    assert_eq!(audit_kinds(&events), [AuditKind::AccountDeleted]);
}

#[tokio::test]
async fn reactivation_is_audited_and_denies_nothing() {
    let user = User {
        status: AccountStatus::Suspended,
        ..active_user()
    };
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    applies(&mut m, &user, vec![]);
    no_denial(&mut m);
    admin(m)
        .update_user(&full_admin(), user.id, status_to("active"))
        .await
        .unwrap();
    assert_eq!(audit_kinds(&events), [AuditKind::AccountReactivated]);
}

#[tokio::test]
async fn each_aspect_changed_is_its_own_event() {
    let user = active_user();
    let actor = full_admin();
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    applies(&mut m, &user, vec![]);
    m.denylist.expect_deny_sessions().never();
    user_cut_off(&mut m, &user, t0() + Duration::seconds(1));
    let update = AdminUpdate {
        last_name: Some(Some("Roe".into())),
        ..roles_to(&["moderator"])
    };
    let update = AdminUpdate {
        status: Some("suspended".into()),
        ..update
    };
    admin(m).update_user(&actor, user.id, update).await.unwrap();
    assert_eq!(
        audit_kinds(&events),
        [
            AuditKind::UserUpdated,
            AuditKind::RolesChanged,
            AuditKind::AccountSuspended
        ]
    );
    all_by(&events, &actor, &user);
}

#[tokio::test]
async fn a_denylist_outage_after_a_stored_change_does_not_fail_the_update() {
    let user = active_user();
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    applies(&mut m, &user, vec![SessionId::new()]);
    m.denylist
        .expect_deny_sessions()
        .returning(|_, _, _| Err(port_down()));
    m.denylist
        .expect_deny_user_before()
        .returning(|_, _, _| Err(port_down()));
    let view = admin(m)
        .update_user(&full_admin(), user.id, status_to("suspended"))
        .await
        .unwrap();
    assert_eq!(view.status, AccountStatus::Suspended);
    assert_eq!(audit_kinds(&events), [AuditKind::AccountSuspended]);
}

/// The update of `user`'s status that the directory refuses with `refusal`.
async fn refused_with(refusal: fn() -> AccountChangeError) -> AdminError {
    let user = active_user();
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    account_is(&mut m, &user, Some(user.clone()));
    m.directory
        .expect_apply_change()
        .times(1)
        .returning(move |_, _, _, _| Err(refusal()));
    no_denial(&mut m);
    let err = admin(m)
        .update_user(&full_admin(), user.id, status_to("suspended"))
        .await
        .unwrap_err();
    assert!(audit_kinds(&events).is_empty());
    err
}

#[tokio::test]
async fn the_storages_refusals_are_the_admin_errors() {
    assert!(matches!(
        refused_with(|| AccountChangeError::LastAdmin).await,
        AdminError::LastAdmin
    ));
    assert!(matches!(
        refused_with(|| AccountChangeError::Deleted).await,
        AdminError::AccountDeleted
    ));
    assert!(matches!(
        refused_with(|| AccountChangeError::NotFound).await,
        AdminError::UserNotFound
    ));
    assert!(matches!(
        refused_with(|| AccountChangeError::Port(port_down())).await,
        AdminError::Infra(InfraError::Unavailable(_))
    ));
}
