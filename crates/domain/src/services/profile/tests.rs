//! Unit tests of [`super::Profiles`] against mocked ports and a fixed clock.

use super::{
    DeactivateError, ProfileError, ProfileInput, Profiles, ProfilesPorts, UpdateProfileError,
};
use crate::audit::AuditKind;
use crate::authorization::RoleName;
use crate::error::InfraError;
use crate::ids::SessionId;
use crate::notification::Notification;
use crate::policy::lockout::FailureOutcome;
use crate::ports::{HashError, PasswordCheck};
use crate::services::test_support::{
    Mocks, active_user, audit_kinds, capture_audit, claims_for, port_down, settings, t0,
};
use crate::session::ClientInfo;
use crate::user::{AccountStatus, User};
use crate::values::{PersonName, Phone, Preferences};
use chrono::Duration;
use std::sync::Arc;

mod without_password;

fn service(mocks: Mocks) -> Profiles {
    let ports = ProfilesPorts {
        users: Arc::new(mocks.users),
        directory: Arc::new(mocks.directory),
        hasher: Arc::new(mocks.hasher),
        denylist: Arc::new(mocks.denylist),
        audit: Arc::new(mocks.audit),
        clock: Arc::new(mocks.clock),
    };
    let settings = settings();
    Profiles::new(ports, settings.roles, settings.lockout, settings.access_ttl)
}

fn client() -> ClientInfo {
    ClientInfo::default()
}

fn account_is(m: &mut Mocks, user: Option<User>) {
    m.users
        .expect_find_by_id()
        .times(1)
        .returning(move |_| Ok(user.clone()));
}

fn deleted() -> User {
    User {
        status: AccountStatus::Deleted,
        ..active_user()
    }
}

// --- get -----------------------------------------------------------------------------------

#[tokio::test]
async fn the_profile_comes_with_the_permissions_of_every_role() {
    let mut user = active_user();
    user.roles = vec![
        RoleName::parse("user").unwrap_or_else(|e| panic!("{e}")),
        RoleName::parse("moderator").unwrap_or_else(|e| panic!("{e}")),
    ];
    let mut m = Mocks::new();
    account_is(&mut m, Some(user.clone()));
    let view = service(m).get(&claims_for(&user)).await.unwrap();
    assert_eq!(view.user, user);
    assert_eq!(
        view.permissions
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>(),
        ["users.read", "admin.users.read", "audit.read"]
    );
}

#[tokio::test]
async fn a_vanished_or_deactivated_account_has_no_profile() {
    for stored in [None, Some(deleted())] {
        let mut m = Mocks::new();
        account_is(&mut m, stored);
        let err = service(m)
            .get(&claims_for(&active_user()))
            .await
            .unwrap_err();
        assert!(matches!(err, ProfileError::AccountGone));
    }
}

#[tokio::test]
async fn a_storage_failure_while_reading_the_profile_is_reported() {
    let mut m = Mocks::new();
    m.users.expect_find_by_id().returning(|_| Err(port_down()));
    let err = service(m)
        .get(&claims_for(&active_user()))
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        ProfileError::Infra(InfraError::Unavailable(_))
    ));
}

// --- update --------------------------------------------------------------------------------

#[tokio::test]
async fn valid_changes_are_stored_and_the_updated_profile_is_returned() {
    let user = active_user();
    let mut updated = user.clone();
    updated.profile.first_name = Some(PersonName::from_trusted("John".into()));
    let mut m = Mocks::new();
    let audit = capture_audit(&mut m);
    let id = user.id;
    let stored = updated.clone();
    m.users
        .expect_update_profile()
        .times(1)
        .withf(move |user_id, changes, now| {
            *user_id == id
                && changes.first_name == Some(Some(PersonName::from_trusted("John".into())))
                && changes.last_name == Some(None)
                && changes.phone == Some(Some(Phone::from_trusted("+1234567890".into())))
                && changes.preferences.is_none()
                && *now == t0()
        })
        .returning(move |_, _, _| Ok(Some(stored.clone())));
    let input = ProfileInput {
        first_name: Some(Some(" John ".into())),
        last_name: Some(None),
        phone: Some(Some("+1234567890".into())),
        preferences: None,
    };
    let view = service(m)
        .update(&claims_for(&user), input, &client())
        .await
        .unwrap();
    assert_eq!(view.user, updated);
    assert_eq!(
        view.permissions
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>(),
        ["users.read"]
    );
    assert_eq!(audit_kinds(&audit), [AuditKind::ProfileUpdated]);
    let detail = audit.lock().unwrap()[0].detail.clone();
    assert_eq!(detail.as_deref(), Some("firstName,lastName,phone"));
}

#[tokio::test]
async fn absent_fields_are_left_alone() {
    let user = active_user();
    let mut m = Mocks::new();
    let stored = user.clone();
    m.users
        .expect_update_profile()
        .times(1)
        .withf(|_, changes, _| *changes == crate::user::ProfileChanges::default())
        .returning(move |_, _, _| Ok(Some(stored.clone())));
    service(m)
        .update(&claims_for(&user), ProfileInput::default(), &client())
        .await
        .unwrap();
}

#[tokio::test]
async fn every_invalid_field_is_reported_at_once_and_nothing_is_stored() {
    let mut m = Mocks::new();
    m.users.expect_update_profile().never();
    let input = ProfileInput {
        first_name: Some(Some("x".repeat(101))),
        last_name: Some(Some("  ".into())),
        phone: Some(Some("call me".into())),
        preferences: Some(Preferences {
            language: Some("english!".into()),
            currency: Some("dollars".into()),
            notifications: None,
        }),
    };
    let err = service(m)
        .update(&claims_for(&active_user()), input, &client())
        .await
        .unwrap_err();
    let UpdateProfileError::Validation(errors) = err else {
        panic!("expected a validation error, got {err:?}");
    };
    let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "firstName",
            "lastName",
            "phone",
            "preferences.language",
            "preferences.currency"
        ]
    );
}

#[tokio::test]
async fn valid_preferences_replace_the_stored_ones() {
    let user = active_user();
    let preferences = Preferences {
        language: Some("pt-BR".into()),
        currency: Some("BRL".into()),
        notifications: None,
    };
    let expected = preferences.clone();
    let stored = user.clone();
    let mut m = Mocks::new();
    m.users
        .expect_update_profile()
        .times(1)
        .withf(move |_, changes, _| changes.preferences.as_ref() == Some(&expected))
        .returning(move |_, _, _| Ok(Some(stored.clone())));
    let input = ProfileInput {
        preferences: Some(preferences),
        ..ProfileInput::default()
    };
    service(m)
        .update(&claims_for(&user), input, &client())
        .await
        .unwrap();
}

#[tokio::test]
async fn updating_a_vanished_or_deactivated_account_is_refused() {
    for stored in [None, Some(deleted())] {
        let mut m = Mocks::new();
        let audit = capture_audit(&mut m);
        m.users
            .expect_update_profile()
            .returning(move |_, _, _| Ok(stored.clone()));
        let input = ProfileInput {
            first_name: Some(Some("John".into())),
            ..ProfileInput::default()
        };
        let err = service(m)
            .update(&claims_for(&active_user()), input, &client())
            .await
            .unwrap_err();
        assert!(matches!(err, UpdateProfileError::AccountGone));
        assert!(audit_kinds(&audit).is_empty());
    }
}

// --- deactivate ----------------------------------------------------------------------------

const PASSWORD: &str = "Correct-Horse-42!";

async fn deactivate(m: Mocks, user: &User, password: &str) -> Result<(), DeactivateError> {
    service(m)
        .deactivate(&claims_for(user), Some(password.into()), &client())
        .await
}

fn password_is(m: &mut Mocks, check: PasswordCheck) {
    m.hasher
        .expect_verify()
        .times(1)
        .withf(|p, _| p.expose() == PASSWORD)
        .returning(move |_, _| Ok(check));
}

fn nothing_is_deactivated(m: &mut Mocks) {
    m.directory.expect_apply_change().never();
    m.denylist.expect_deny_user_before().never();
}

#[tokio::test]
async fn deactivating_with_the_right_password_deletes_the_account_and_kills_every_token() {
    let user = active_user();
    let mut m = Mocks::new();
    let audit = capture_audit(&mut m);
    account_is(&mut m, Some(user.clone()));
    password_is(&mut m, PasswordCheck::Match { needs_rehash: true });
    let (id, session) = (user.id, SessionId::new());
    let before = user.clone();
    m.directory
        .expect_apply_change()
        .times(1)
        .withf(move |user_id, change, guard, now| {
            *user_id == id
                && change.status == Some(AccountStatus::Deleted)
                && change.roles.is_none()
                && guard.roles.iter().map(|r| r.as_str()).eq(["admin"])
                && *now == t0()
        })
        .returning(move |_, _, _, _| {
            Ok(crate::ports::AppliedChange {
                before: before.clone(),
                after: User {
                    status: AccountStatus::Deleted,
                    ..before.clone()
                },
                revoked_sessions: vec![session],
            })
        });
    m.denylist
        .expect_deny_sessions()
        .times(1)
        .withf(move |owner, ids, _| *owner == id && ids == [session])
        .returning(|_, _, _| Ok(()));
    m.denylist
        .expect_deny_user_before()
        .times(1)
        .withf(move |user_id, cutoff, until| {
            *user_id == id
                && *cutoff == t0()
                && *until == t0() + Duration::minutes(15) + Duration::seconds(30)
        })
        .returning(|_, _, _| Ok(()));
    deactivate(m, &user, PASSWORD).await.unwrap();
    assert_eq!(audit_kinds(&audit), [AuditKind::AccountDeactivated]);
}

#[tokio::test]
async fn deactivating_without_a_password_is_a_validation_error_on_password() {
    let user = active_user();
    let mut m = Mocks::new();
    m.users.expect_find_by_id().never();
    nothing_is_deactivated(&mut m);
    let err = deactivate(m, &user, "").await.unwrap_err();
    let DeactivateError::Validation(errors) = err else {
        panic!("expected a validation error, got {err:?}");
    };
    assert_eq!(errors.0.len(), 1);
    assert_eq!(errors.0[0].field, "password");
}

#[tokio::test]
async fn a_wrong_password_counts_towards_the_lockout_and_deactivates_nothing() {
    let user = active_user();
    let locked = FailureOutcome::NewlyLocked {
        until: t0() + Duration::minutes(30),
    };
    let cases = [FailureOutcome::Counted { remaining: 2 }, locked];
    for outcome in cases {
        let mut m = Mocks::new();
        account_is(&mut m, Some(user.clone()));
        password_is(&mut m, PasswordCheck::Mismatch);
        m.users
            .expect_record_login_failure()
            .times(1)
            .withf(|_, now, _, mail| {
                *now == t0() && matches!(mail, Notification::AccountLocked { .. })
            })
            .returning(move |_, _, _, _| Ok(Some(outcome)));
        nothing_is_deactivated(&mut m);
        let err = deactivate(m, &user, PASSWORD).await.unwrap_err();
        // The attempt that locks answers the lock, as a password change does.
        match outcome {
            FailureOutcome::Counted { .. } => assert!(
                matches!(err, DeactivateError::InvalidCredentials),
                "{err:?}"
            ),
            _ => assert!(
                matches!(err, DeactivateError::AccountLocked { retry_after: 1800 }),
                "{err:?}"
            ),
        }
    }
}

#[tokio::test]
async fn a_locked_account_cannot_be_deactivated_answers_locked_and_its_password_is_not_checked() {
    let mut user = active_user();
    user.lockout.locked_until = Some(t0() + Duration::minutes(5));
    let mut m = Mocks::new();
    account_is(&mut m, Some(user.clone()));
    m.hasher.expect_verify().never();
    m.users.expect_record_login_failure().never();
    nothing_is_deactivated(&mut m);
    let err = deactivate(m, &user, PASSWORD).await.unwrap_err();
    assert!(
        matches!(err, DeactivateError::AccountLocked { retry_after: 300 }),
        "{err:?}"
    );
}

#[tokio::test]
async fn deactivating_a_vanished_or_already_deleted_account_is_refused() {
    for stored in [None, Some(deleted())] {
        let mut m = Mocks::new();
        account_is(&mut m, stored);
        m.hasher.expect_verify().never();
        nothing_is_deactivated(&mut m);
        let err = deactivate(m, &active_user(), PASSWORD).await.unwrap_err();
        assert!(matches!(err, DeactivateError::AccountGone));
    }
}

#[tokio::test]
async fn a_full_hashing_queue_answers_busy_when_deactivating() {
    let user = active_user();
    let mut m = Mocks::new();
    account_is(&mut m, Some(user.clone()));
    m.hasher
        .expect_verify()
        .returning(|_, _| Err(HashError::Busy));
    nothing_is_deactivated(&mut m);
    let err = deactivate(m, &user, PASSWORD).await.unwrap_err();
    assert!(matches!(err, DeactivateError::Infra(InfraError::Busy)));
}

#[tokio::test]
async fn a_denylist_outage_does_not_fail_a_deactivation_already_stored() {
    let user = active_user();
    let mut m = Mocks::new();
    account_is(&mut m, Some(user.clone()));
    password_is(
        &mut m,
        PasswordCheck::Match {
            needs_rehash: false,
        },
    );
    let before = user.clone();
    m.directory
        .expect_apply_change()
        .returning(move |_, _, _, _| {
            Ok(crate::ports::AppliedChange {
                before: before.clone(),
                after: before.clone(),
                revoked_sessions: vec![],
            })
        });
    m.denylist
        .expect_deny_user_before()
        .times(1)
        .returning(|_, _, _| Err(port_down()));
    assert!(deactivate(m, &user, PASSWORD).await.is_ok());
}

#[tokio::test]
async fn the_last_administrator_cannot_delete_their_own_account() {
    let mut user = active_user();
    user.roles = vec![crate::authorization::RoleName::parse("admin").unwrap()];
    let mut m = Mocks::new();
    let audit = capture_audit(&mut m);
    account_is(&mut m, Some(user.clone()));
    password_is(
        &mut m,
        PasswordCheck::Match {
            needs_rehash: false,
        },
    );
    m.directory
        .expect_apply_change()
        .times(1)
        .returning(|_, _, _, _| Err(crate::ports::AccountChangeError::LastAdmin));
    m.denylist.expect_deny_user_before().never();
    m.denylist.expect_deny_sessions().never();
    let err = deactivate(m, &user, PASSWORD).await.unwrap_err();
    assert!(matches!(err, DeactivateError::LastAdmin));
    assert!(
        !audit
            .lock()
            .unwrap()
            .iter()
            .any(|e| e.kind == AuditKind::AccountDeactivated)
    );
}
