//! Unit tests of [`super::FirstAdmin`] against mocked ports.

use super::{AdminCreated, FirstAdmin, FirstAdminError, FirstAdminPorts, NewAdmin};
use crate::audit::AuditKind;
use crate::authorization::{RoleCatalog, RoleName};
use crate::ports::{AppliedChange, InsertAccountError};
use crate::services::test_support::{
    Mocks, STRONG, active_user, audit_kinds, capture_audit, port_down, t0,
};
use crate::user::{AccountStatus, User};
use crate::values::PasswordHash;
use chrono::Duration;
use std::sync::{Arc, Mutex};

fn first_admin(m: Mocks) -> FirstAdmin {
    with_catalog(m, RoleCatalog::default())
}

fn with_catalog(m: Mocks, catalog: RoleCatalog) -> FirstAdmin {
    let ports = FirstAdminPorts {
        users: Arc::new(m.users),
        directory: Arc::new(m.directory),
        hasher: Arc::new(m.hasher),
        denylist: Arc::new(m.denylist),
        audit: Arc::new(m.audit),
        clock: Arc::new(m.clock),
    };
    FirstAdmin::new(
        ports,
        Arc::new(catalog),
        crate::policy::password::PasswordPolicy::default(),
        Duration::minutes(15),
    )
}

fn catalog(roles: &str) -> RoleCatalog {
    RoleCatalog::parse(roles, "user", None).unwrap_or_else(|e| panic!("{e}"))
}

fn role(name: &str) -> RoleName {
    RoleName::parse(name).unwrap_or_else(|e| panic!("{e}"))
}

fn input() -> NewAdmin {
    NewAdmin {
        email: "jane@example.com".into(),
        username: "root_jane".into(),
        password: STRONG.into(),
    }
}

/// The email `jane@example.com` belongs to `found`.
fn email_is(m: &mut Mocks, found: Option<User>) {
    m.users
        .expect_find_by_email()
        .withf(|email| email.as_str() == "jane@example.com")
        .times(1)
        .returning(move |_| Ok(found.clone()));
}

fn admin_exists(m: &mut Mocks, exists: bool) {
    m.directory
        .expect_any_admin()
        .withf(|guard| guard.roles == [role("admin")])
        .times(1)
        .returning(move |_| Ok(exists));
}

/// The new admin is hashed and inserted; the stored account is kept for assertions.
fn inserts(
    m: &mut Mocks,
    outcome: fn() -> Result<(), InsertAccountError>,
) -> Arc<Mutex<Option<User>>> {
    m.hasher
        .expect_hash()
        .times(1)
        .returning(|_| Ok(PasswordHash::from_trusted("$2b$12$admin".into())));
    let seen = Arc::new(Mutex::new(None));
    let sink = seen.clone();
    m.directory.expect_insert().times(1).returning(move |user| {
        *sink.lock().unwrap() = Some(user.clone());
        outcome()
    });
    seen
}

fn nothing_stored(m: &mut Mocks) {
    m.hasher.expect_hash().never();
    m.directory.expect_insert().never();
    m.directory.expect_apply_change().never();
    m.denylist.expect_deny_user_before().never();
}

/// `user` gets `added` on top of its roles, with the cut-off of a role change.
fn role_added(m: &mut Mocks, user: &User, added: &'static str) {
    let before = user.clone();
    let id = user.id;
    let mut expected = user.roles.clone();
    expected.push(role(added));
    m.directory
        .expect_apply_change()
        .withf(move |uid, change, guard, now| {
            *uid == id
                && change.roles.as_ref() == Some(&expected)
                && change.status.is_none()
                && guard.roles == [role("admin")]
                && *now == t0()
        })
        .times(1)
        .returning(move |_, change, _, _| {
            let mut after = before.clone();
            after.roles = change.roles.clone().unwrap_or_default();
            Ok(AppliedChange {
                before: before.clone(),
                after,
                revoked_sessions: vec![],
            })
        });
    m.denylist
        .expect_deny_user_before()
        .withf(move |uid, cutoff, until| {
            *uid == id
                && *cutoff == t0() + Duration::seconds(1)
                && *until == t0() + Duration::minutes(15) + Duration::seconds(30)
        })
        .times(1)
        .returning(|_, _, _| Ok(()));
}

#[tokio::test]
async fn create_stores_an_active_verified_admin_and_audits_it() {
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    email_is(&mut m, None);
    let stored = inserts(&mut m, || Ok(()));
    let created = first_admin(m).create(input()).await.unwrap();
    let user = stored.lock().unwrap().clone().unwrap();
    assert_eq!(created, AdminCreated::Created(user.id));
    assert_eq!(user.status, AccountStatus::Active);
    assert!(user.email_verified);
    assert_eq!(user.roles, [role("admin")]);
    assert_eq!(user.username.as_str(), "root_jane");
    assert_eq!(user.password_hash.as_str(), "$2b$12$admin");
    assert_eq!(user.created_at, t0());
    assert_eq!(
        audit_kinds(&events),
        [AuditKind::UserRegistered, AuditKind::RolesChanged]
    );
    let events = events.lock().unwrap();
    assert_eq!(events[0].detail.as_deref(), Some("first admin"));
    assert_eq!(events[1].detail.as_deref(), Some("none -> admin"));
    assert!(events.iter().all(|e| e.user_id == Some(user.id)));
}

#[tokio::test]
async fn create_checks_every_field_as_a_registration_does_and_stores_nothing() {
    let mut m = Mocks::new();
    m.users.expect_find_by_email().never();
    nothing_stored(&mut m);
    let bad = NewAdmin {
        email: "not-an-email".into(),
        username: "x".into(),
        password: "password".into(),
    };
    let Err(FirstAdminError::Validation(errors)) = first_admin(m).create(bad).await else {
        panic!("expected a validation error");
    };
    let mut fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
    fields.dedup();
    assert_eq!(fields, ["email", "username", "password"]);
}

#[tokio::test]
async fn create_is_idempotent_for_an_existing_admin() {
    let mut admin = active_user();
    admin.roles = vec![role("admin")];
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    email_is(&mut m, Some(admin.clone()));
    nothing_stored(&mut m);
    let created = first_admin(m).create(input()).await.unwrap();
    assert_eq!(created, AdminCreated::AlreadyAdmin(admin.id));
    assert!(audit_kinds(&events).is_empty());
}

#[tokio::test]
async fn create_refuses_an_existing_account_that_is_no_admin() {
    let mut m = Mocks::new();
    email_is(&mut m, Some(active_user()));
    nothing_stored(&mut m);
    let err = first_admin(m).create(input()).await.unwrap_err();
    assert!(matches!(err, FirstAdminError::NotAnAdmin));
}

#[tokio::test]
async fn create_refuses_a_suspended_account() {
    let mut m = Mocks::new();
    email_is(
        &mut m,
        Some(User {
            status: AccountStatus::Suspended,
            ..active_user()
        }),
    );
    nothing_stored(&mut m);
    let err = first_admin(m).create(input()).await.unwrap_err();
    assert!(matches!(err, FirstAdminError::Inactive("suspended")));
}

#[tokio::test]
async fn create_reports_a_taken_username_and_audits_nothing() {
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    email_is(&mut m, None);
    inserts(&mut m, || Err(InsertAccountError::UsernameTaken));
    let err = first_admin(m).create(input()).await.unwrap_err();
    assert!(matches!(err, FirstAdminError::UsernameTaken));
    assert!(audit_kinds(&events).is_empty());
}

#[tokio::test]
async fn without_a_role_granting_everything_there_is_no_admin_to_make() {
    let mut m = Mocks::new();
    m.users.expect_find_by_email().never();
    nothing_stored(&mut m);
    let err = with_catalog(m, catalog("user=users.read;ops=admin.users.read"))
        .create(input())
        .await
        .unwrap_err();
    assert!(matches!(err, FirstAdminError::NoAdminRole));
}

#[tokio::test]
async fn the_admin_role_is_admin_else_the_first_by_name_that_grants_everything() {
    for (roles, expected) in [
        ("user=users.read;zeta=*;admin=*", "admin"),
        ("user=users.read;zeta=*;Admin=*", "Admin"),
        ("user=users.read;zeta=*;beta=*", "beta"),
    ] {
        let mut m = Mocks::new();
        email_is(&mut m, None);
        let stored = inserts(&mut m, || Ok(()));
        with_catalog(m, catalog(roles))
            .create(input())
            .await
            .unwrap();
        let user = stored.lock().unwrap().clone().unwrap();
        assert_eq!(user.roles, [role(expected)], "{roles}");
    }
}

#[tokio::test]
async fn bootstrap_does_nothing_once_an_admin_exists() {
    let mut m = Mocks::new();
    admin_exists(&mut m, true);
    m.users.expect_find_by_email().never();
    nothing_stored(&mut m);
    assert_eq!(first_admin(m).ensure(input()).await.unwrap(), None);
}

#[tokio::test]
async fn bootstrap_creates_the_admin_when_none_exists() {
    let mut m = Mocks::new();
    admin_exists(&mut m, false);
    email_is(&mut m, None);
    let stored = inserts(&mut m, || Ok(()));
    let created = first_admin(m).ensure(input()).await.unwrap();
    let user = stored.lock().unwrap().clone().unwrap();
    assert_eq!(created, Some(AdminCreated::Created(user.id)));
}

#[tokio::test]
async fn bootstrap_promotes_a_verified_account_and_cuts_off_its_tokens() {
    let user = active_user();
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    admin_exists(&mut m, false);
    email_is(&mut m, Some(user.clone()));
    m.hasher.expect_hash().never();
    role_added(&mut m, &user, "admin");
    let created = first_admin(m).ensure(input()).await.unwrap();
    assert_eq!(created, Some(AdminCreated::Promoted(user.id)));
    assert_eq!(audit_kinds(&events), [AuditKind::RolesChanged]);
    let detail = events.lock().unwrap()[0].detail.clone();
    assert_eq!(detail.as_deref(), Some("user -> user,admin"));
}

#[tokio::test]
async fn bootstrap_refuses_to_promote_an_unverified_account() {
    for unverified in [
        User {
            status: AccountStatus::Pending,
            email_verified: false,
            ..active_user()
        },
        User {
            email_verified: false,
            ..active_user()
        },
    ] {
        let mut m = Mocks::new();
        admin_exists(&mut m, false);
        email_is(&mut m, Some(unverified));
        nothing_stored(&mut m);
        let err = first_admin(m).ensure(input()).await.unwrap_err();
        assert!(matches!(err, FirstAdminError::Unverified), "{err:?}");
    }
}

#[tokio::test]
async fn bootstrap_refuses_a_deleted_account() {
    let mut m = Mocks::new();
    admin_exists(&mut m, false);
    email_is(
        &mut m,
        Some(User {
            status: AccountStatus::Deleted,
            ..active_user()
        }),
    );
    nothing_stored(&mut m);
    let err = first_admin(m).ensure(input()).await.unwrap_err();
    assert!(matches!(err, FirstAdminError::Inactive("deleted")));
}

#[tokio::test]
async fn a_storage_outage_stops_the_bootstrap() {
    let mut m = Mocks::new();
    m.directory
        .expect_any_admin()
        .returning(|_| Err(port_down()));
    nothing_stored(&mut m);
    let err = first_admin(m).ensure(input()).await.unwrap_err();
    assert!(matches!(err, FirstAdminError::Infra(_)));
}

#[tokio::test]
async fn grant_adds_the_role_and_cuts_off_earlier_tokens() {
    let user = active_user();
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    email_is(&mut m, Some(user.clone()));
    role_added(&mut m, &user, "moderator");
    let granted = first_admin(m)
        .grant("jane@example.com", "moderator")
        .await
        .unwrap();
    assert_eq!(granted, AdminCreated::Granted(user.id));
    assert_eq!(audit_kinds(&events), [AuditKind::RolesChanged]);
}

#[tokio::test]
async fn granting_a_role_already_held_changes_nothing() {
    let user = active_user();
    let mut m = Mocks::new();
    email_is(&mut m, Some(user.clone()));
    nothing_stored(&mut m);
    let granted = first_admin(m)
        .grant("jane@example.com", "user")
        .await
        .unwrap();
    assert_eq!(granted, AdminCreated::AlreadyHeld(user.id));
}

#[tokio::test]
async fn grant_refuses_an_unknown_role_an_unknown_account_and_a_deleted_one() {
    let mut m = Mocks::new();
    m.users.expect_find_by_email().never();
    nothing_stored(&mut m);
    let err = first_admin(m)
        .grant("jane@example.com", "root")
        .await
        .unwrap_err();
    assert!(matches!(err, FirstAdminError::UnknownRole(ref r) if r == "root"));

    let mut m = Mocks::new();
    email_is(&mut m, None);
    nothing_stored(&mut m);
    let err = first_admin(m)
        .grant("jane@example.com", "admin")
        .await
        .unwrap_err();
    assert!(matches!(err, FirstAdminError::NoSuchAccount));

    let mut m = Mocks::new();
    email_is(
        &mut m,
        Some(User {
            status: AccountStatus::Deleted,
            ..active_user()
        }),
    );
    nothing_stored(&mut m);
    let err = first_admin(m)
        .grant("jane@example.com", "admin")
        .await
        .unwrap_err();
    assert!(matches!(err, FirstAdminError::Inactive("deleted")));
}

#[tokio::test]
async fn a_replica_bootstrapping_at_the_same_moment_finds_the_admin_the_other_made() {
    let mut m = Mocks::new();
    admin_exists(&mut m, false);
    let mut made = active_user();
    made.roles = vec![role("admin")];
    let found = made.clone();
    let mut lookups = 0;
    // Free at the first lookup, taken by the other replica at the insert.
    m.users.expect_find_by_email().times(2).returning(move |_| {
        lookups += 1;
        Ok((lookups > 1).then(|| found.clone()))
    });
    inserts(&mut m, || Err(InsertAccountError::EmailTaken));
    let outcome = first_admin(m).ensure(input()).await.unwrap();
    assert_eq!(outcome, Some(AdminCreated::AlreadyAdmin(made.id)));
}

#[tokio::test]
async fn an_email_taken_by_an_ordinary_account_meanwhile_is_no_admin() {
    let mut m = Mocks::new();
    let ordinary = active_user();
    let mut lookups = 0;
    m.users.expect_find_by_email().times(2).returning(move |_| {
        lookups += 1;
        Ok((lookups > 1).then(|| ordinary.clone()))
    });
    inserts(&mut m, || Err(InsertAccountError::EmailTaken));
    let err = first_admin(m).create(input()).await.unwrap_err();
    assert!(matches!(err, FirstAdminError::NotAnAdmin));
}
