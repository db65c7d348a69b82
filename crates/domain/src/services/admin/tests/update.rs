//! `PUT /v1/admin/users/{id}`: validation, permissions, the storage's refusals, cut-offs and
//! the audit trail.

use super::*;
use crate::directory::AccountChange;
use crate::ports::{AccountChangeError, AppliedChange, MockClock};
use crate::values::PersonName;

/// What the directory stores for `change` on `before` (as the adapters do).
fn stored(before: &User, change: &AccountChange) -> User {
    let mut after = before.clone();
    change.profile.apply_to(&mut after.profile);
    if let Some(verified) = change.email_verified {
        after.email_verified = verified;
        if verified && after.status == AccountStatus::Pending {
            after.status = AccountStatus::Active;
        }
    }
    if let Some(roles) = &change.roles {
        after.roles.clone_from(roles);
    }
    if let Some(status) = change.status {
        after.status = status;
    }
    after.updated_at = t0();
    after
}

/// `user` is found, its change applied once under the admin guard at [`t0`] (revoking
/// `revoked`), and the change kept for assertions. The view after reads no live session.
fn applies(
    m: &mut Mocks,
    user: &User,
    revoked: Vec<SessionId>,
) -> Arc<Mutex<Option<AccountChange>>> {
    account_is(m, user, Some(user.clone()));
    let seen = Arc::new(Mutex::new(None));
    let sink = seen.clone();
    let before = user.clone();
    let id = user.id;
    m.directory
        .expect_apply_change()
        .withf(move |uid, _, guard, now| {
            *uid == id && guard.roles == [role("admin")] && *now == t0()
        })
        .times(1)
        .returning(move |_, change, _, _| {
            *sink.lock().unwrap() = Some(change.clone());
            Ok(AppliedChange {
                before: before.clone(),
                after: stored(&before, change),
                revoked_sessions: revoked.clone(),
            })
        });
    // The answer is the stored account: nothing is read after the change.
    m.sessions.expect_list_active().never();
    seen
}

fn no_denial(m: &mut Mocks) {
    m.denylist.expect_deny_sessions().never();
    m.denylist.expect_deny_user_before().never();
}

/// The user cut-off a role change or suspension issues at [`t0`]: from the next whole second.
fn user_cut_off(m: &mut Mocks, user: &User, cutoff: crate::Timestamp) {
    let id = user.id;
    m.denylist
        .expect_deny_user_before()
        .withf(move |uid, c, u| *uid == id && *c == cutoff && *u == until())
        .times(1)
        .returning(|_, _, _| Ok(()));
}

fn details(events: &Mutex<Vec<AuditEvent>>) -> Vec<String> {
    events
        .lock()
        .unwrap()
        .iter()
        .map(|e| e.detail.clone().unwrap_or_default())
        .collect()
}

fn roles_to(list: &[&str]) -> AdminUpdate {
    AdminUpdate {
        roles: Some(names(list)),
        ..AdminUpdate::default()
    }
}

fn status_to(status: &str) -> AdminUpdate {
    AdminUpdate {
        status: Some(status.into()),
        ..AdminUpdate::default()
    }
}

#[tokio::test]
async fn roles_without_the_roles_permission_are_refused_before_any_storage_call() {
    let user = active_user();
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    m.users.expect_find_by_id().never();
    untouched(&mut m);
    let err = admin(m)
        .update_user(&user_manager(), user.id, roles_to(&["admin"]))
        .await
        .unwrap_err();
    assert!(matches!(err, AdminError::InsufficientPermissions));
    assert!(audit_kinds(&events).is_empty());
}

#[tokio::test]
async fn suspending_or_reactivating_an_administrator_needs_the_roles_permission() {
    let mut holder = active_user();
    holder.roles = vec![role("admin")];
    for status in ["suspended", "active", "deleted"] {
        let mut m = Mocks::new();
        let events = capture_audit(&mut m);
        account_is(&mut m, &holder, Some(holder.clone()));
        untouched(&mut m);
        let err = admin(m)
            .update_user(&user_manager(), holder.id, status_to(status))
            .await
            .unwrap_err();
        assert!(
            matches!(err, AdminError::InsufficientPermissions),
            "{status}"
        );
        assert!(audit_kinds(&events).is_empty());
    }
}

#[tokio::test]
async fn an_unknown_or_deleted_account_takes_no_change() {
    let user = active_user();
    let deleted = User {
        status: AccountStatus::Deleted,
        ..user.clone()
    };
    for (found, gone) in [(None, true), (Some(deleted), false)] {
        let mut m = Mocks::new();
        account_is(&mut m, &user, found);
        untouched(&mut m);
        let err = admin(m)
            .update_user(&full_admin(), user.id, status_to("active"))
            .await
            .unwrap_err();
        if gone {
            assert!(matches!(err, AdminError::UserNotFound), "{err:?}");
        } else {
            assert!(matches!(err, AdminError::AccountDeleted), "{err:?}");
        }
    }
}

#[tokio::test]
async fn every_invalid_field_is_reported_on_its_request_name_and_nothing_changes() {
    let user = active_user();
    let mut m = Mocks::new();
    account_is(&mut m, &user, Some(user.clone()));
    untouched(&mut m);
    let update = AdminUpdate {
        first_name: Some(Some("n".repeat(101))),
        last_name: Some(Some("Bad\u{7}Name".into())),
        phone: Some(Some("call me".into())),
        status: Some("banned".into()),
        roles: Some(names(&["ghost"])),
        email_verified: Some(true),
    };
    let Err(AdminError::Validation(errors)) =
        admin(m).update_user(&full_admin(), user.id, update).await
    else {
        panic!("expected a validation error");
    };
    let fields: Vec<(&str, &str)> = errors
        .0
        .iter()
        .map(|e| (e.field.as_str(), e.code))
        .collect();
    assert_eq!(
        fields,
        [
            ("firstName", codes::TOO_LONG),
            ("lastName", codes::INVALID_FORMAT),
            ("phone", codes::INVALID_FORMAT),
            ("status", codes::INVALID_FORMAT),
            ("roles", UNKNOWN_ROLE),
        ]
    );
}

#[tokio::test]
async fn pending_is_refused_on_an_account_that_is_no_longer_pending() {
    let user = active_user();
    let mut m = Mocks::new();
    account_is(&mut m, &user, Some(user.clone()));
    untouched(&mut m);
    let Err(AdminError::Validation(errors)) = admin(m)
        .update_user(&full_admin(), user.id, status_to("pending"))
        .await
    else {
        panic!("expected a validation error");
    };
    assert_eq!(errors.0[0].field, "status");
}

#[tokio::test]
async fn pending_stays_on_an_account_still_pending_without_a_write() {
    let user = User {
        status: AccountStatus::Pending,
        email_verified: false,
        ..active_user()
    };
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    account_is(&mut m, &user, Some(user.clone()));
    // Nothing to store: a verification racing this request must not be undone by it.
    untouched(&mut m);
    let answered = admin(m)
        .update_user(&full_admin(), user.id, status_to("pending"))
        .await
        .unwrap();
    assert_eq!(answered.status, AccountStatus::Pending);
    assert!(audit_kinds(&events).is_empty());
}

#[tokio::test]
async fn pending_with_a_verified_address_contradicts_itself() {
    let user = User {
        status: AccountStatus::Pending,
        email_verified: false,
        ..active_user()
    };
    let mut m = Mocks::new();
    account_is(&mut m, &user, Some(user.clone()));
    untouched(&mut m);
    let update = AdminUpdate {
        email_verified: Some(true),
        ..status_to("pending")
    };
    let Err(AdminError::Validation(errors)) =
        admin(m).update_user(&full_admin(), user.id, update).await
    else {
        panic!("expected a validation error");
    };
    assert_eq!(errors.0[0].field, "emailVerified");
}

#[tokio::test]
async fn verifying_a_pending_address_activates_the_account_and_is_one_update_event() {
    let user = User {
        status: AccountStatus::Pending,
        email_verified: false,
        ..active_user()
    };
    let actor = user_manager();
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    applies(&mut m, &user, vec![]);
    no_denial(&mut m);
    let update = AdminUpdate {
        email_verified: Some(true),
        ..AdminUpdate::default()
    };
    let view = admin(m).update_user(&actor, user.id, update).await.unwrap();
    assert_eq!(view.status, AccountStatus::Active);
    assert!(view.email_verified);
    assert_eq!(audit_kinds(&events), [AuditKind::UserUpdated]);
    assert_eq!(details(&events), ["emailVerified,status"]);
    all_by(&events, &actor, &user);
}

#[tokio::test]
async fn profile_fields_are_parsed_stored_and_named_in_the_audit_trail() {
    let user = active_user();
    let actor = user_manager();
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    let change = applies(&mut m, &user, vec![]);
    no_denial(&mut m);
    let update = AdminUpdate {
        first_name: Some(Some("  Janet ".into())),
        phone: Some(None),
        email_verified: Some(false),
        ..AdminUpdate::default()
    };
    let view = admin(m).update_user(&actor, user.id, update).await.unwrap();
    let change = change.lock().unwrap().clone().unwrap();
    assert_eq!(
        change.profile.first_name,
        Some(Some(PersonName::from_trusted("Janet".into())))
    );
    assert_eq!(change.profile.last_name, None);
    assert_eq!(change.profile.phone, Some(None));
    assert_eq!(change.email_verified, Some(false));
    assert_eq!((change.status, change.roles), (None, None));
    assert_eq!(
        view.profile.first_name.as_ref().map(PersonName::as_str),
        Some("Janet")
    );
    assert_eq!(audit_kinds(&events), [AuditKind::UserUpdated]);
    // `phone` was already empty: only what changed is named.
    assert_eq!(details(&events), ["firstName,emailVerified"]);
    all_by(&events, &actor, &user);
}

#[tokio::test]
async fn an_empty_update_changes_nothing_and_answers_the_account() {
    let user = active_user();
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    account_is(&mut m, &user, Some(user.clone()));
    untouched(&mut m);
    let answered = admin(m)
        .update_user(&full_admin(), user.id, AdminUpdate::default())
        .await
        .unwrap();
    assert_eq!(answered, user);
    assert!(audit_kinds(&events).is_empty());
}

mod cut_offs;
