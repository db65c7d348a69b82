use super::*;
use authd_domain::authorization::RoleName;
use authd_domain::policy::lockout::LockoutState;
use authd_domain::user::{Profile, ProfileChanges};
use authd_domain::values::{Email, PasswordHash, PersonName, Username};
use chrono::{TimeZone, Utc};

fn at(h: u32) -> Timestamp {
    Utc.with_ymd_and_hms(2024, 1, 1, h, 0, 0).unwrap()
}

fn pending() -> User {
    User {
        id: UserId::new(),
        email: Email::from_trusted("a@example.com".into()),
        username: Username::from_trusted("alice".into()),
        password_hash: PasswordHash::from_trusted("$2b$04$x".into()),
        profile: Profile::default(),
        status: AccountStatus::Pending,
        email_verified: false,
        phone_verified: false,
        roles: vec![RoleName::parse("user").unwrap()],
        lockout: LockoutState::default(),
        mfa_enabled: false,
        last_login: None,
        created_at: at(1),
        updated_at: at(1),
    }
}

#[test]
fn verifying_a_pending_account_makes_it_active() {
    let change = AccountChange {
        email_verified: Some(true),
        ..AccountChange::default()
    };
    let after = changed(&pending(), &change, at(2));
    assert!(after.email_verified);
    assert_eq!(after.status, AccountStatus::Active);
    assert_eq!(after.updated_at, at(2));
}

#[test]
fn an_explicit_status_wins_over_the_activation_by_verifying() {
    let change = AccountChange {
        email_verified: Some(true),
        status: Some(AccountStatus::Suspended),
        ..AccountChange::default()
    };
    assert_eq!(
        changed(&pending(), &change, at(2)).status,
        AccountStatus::Suspended
    );
}

#[test]
fn unverifying_leaves_the_status_and_the_profile_change_applies() {
    let mut user = pending();
    user.status = AccountStatus::Active;
    user.email_verified = true;
    let change = AccountChange {
        email_verified: Some(false),
        profile: ProfileChanges {
            first_name: Some(Some(PersonName::from_trusted("Ann".into()))),
            ..ProfileChanges::default()
        },
        roles: Some(vec![RoleName::parse("admin").unwrap()]),
        ..AccountChange::default()
    };
    let after = changed(&user, &change, at(2));
    assert_eq!(after.status, AccountStatus::Active);
    assert!(!after.email_verified);
    assert_eq!(after.profile.first_name.unwrap().as_str(), "Ann");
    assert_eq!(after.roles, vec![RoleName::parse("admin").unwrap()]);
}
