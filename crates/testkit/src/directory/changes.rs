//! An administrator's changes to one account: what they set, what suspension and deletion take
//! away, the finality of deletion.

use super::{active_with, fresh_role, insert, role, sorted, stored};
use crate::StorageUnderTest;
use crate::fixtures::{self, t0_plus};
use crate::mfa::turn_mfa_on;
use crate::support::{login, register, registered_user};
use authd_domain::Timestamp;
use authd_domain::directory::{AccountChange, LastAdminGuard};
use authd_domain::ids::UserId;
use authd_domain::ports::{AccountChangeError, AppliedChange};
use authd_domain::token::OneTimeToken;
use authd_domain::user::{AccountStatus, ProfileChanges, User};
use authd_domain::values::{PersonName, Phone};
use chrono::Duration;

/// Applies `change` under a guard of a role nobody holds.
async fn apply(
    s: &StorageUnderTest,
    id: UserId,
    change: &AccountChange,
    now: Timestamp,
) -> Result<AppliedChange, AccountChangeError> {
    let nobody = LastAdminGuard {
        roles: vec![fresh_role()],
    };
    s.directory.apply_change(id, change, &nobody, now).await
}

fn status(status: AccountStatus) -> AccountChange {
    AccountChange {
        status: Some(status),
        ..AccountChange::default()
    }
}

/// The profile fields, the roles (the whole new list) and the verified flag are set, with
/// `updated_at`; everything else stays; both versions come back and the stored one is the
/// second. A second change clears a field and replaces the roles again.
pub async fn a_change_sets_the_profile_roles_and_verified_flag_and_nothing_else(
    s: &StorageUnderTest,
) {
    let user = User {
        status: AccountStatus::Active,
        ..fixtures::user()
    };
    insert(s, &user).await;
    let moderator = fresh_role();
    let change = AccountChange {
        profile: ProfileChanges {
            first_name: Some(Some(PersonName::from_trusted("Jane".to_owned()))),
            phone: Some(Some(Phone::from_trusted("+1 555 0100".to_owned()))),
            ..ProfileChanges::default()
        },
        roles: Some(vec![role("user"), moderator.clone()]),
        email_verified: Some(true),
        status: None,
    };

    let applied = apply(s, user.id, &change, t0_plus(60)).await.unwrap();

    let mut expected = user.clone();
    change.profile.apply_to(&mut expected.profile);
    expected.roles = vec![role("user"), moderator.clone()];
    expected.email_verified = true;
    expected.updated_at = t0_plus(60);
    assert_eq!(applied.before, user);
    assert_eq!(applied.after, expected);
    assert_eq!(applied.revoked_sessions, vec![]);
    assert_eq!(stored(s, user.id).await, expected);

    let again = AccountChange {
        profile: ProfileChanges {
            first_name: Some(None),
            ..ProfileChanges::default()
        },
        roles: Some(vec![moderator.clone()]),
        ..AccountChange::default()
    };
    let applied = apply(s, user.id, &again, t0_plus(120)).await.unwrap();
    assert_eq!(applied.before, expected);
    assert_eq!(applied.after.profile.first_name, None);
    assert_eq!(
        applied.after.profile.phone.as_ref().map(Phone::as_str),
        Some("+1 555 0100")
    );
    assert_eq!(applied.after.roles, vec![moderator]);
    assert_eq!(applied.after.updated_at, t0_plus(120));
    assert_eq!(stored(s, user.id).await, applied.after);
}

/// `emailVerified: true` makes a pending account active, as its link would, unless the change
/// names a status; it activates nothing that is not pending, and `false` activates nothing.
pub async fn verifying_a_pending_account_activates_it_unless_a_status_is_given(
    s: &StorageUnderTest,
) {
    let verify = AccountChange {
        email_verified: Some(true),
        ..AccountChange::default()
    };
    let verify_and_suspend = AccountChange {
        status: Some(AccountStatus::Suspended),
        ..verify.clone()
    };
    let unverify = AccountChange {
        email_verified: Some(false),
        ..AccountChange::default()
    };
    let suspended = User {
        status: AccountStatus::Suspended,
        ..fixtures::user()
    };
    insert(s, &suspended).await;
    let cases = [
        (
            registered_user(s).await,
            &verify,
            AccountStatus::Active,
            true,
        ),
        (
            registered_user(s).await,
            &verify_and_suspend,
            AccountStatus::Suspended,
            true,
        ),
        (
            registered_user(s).await,
            &unverify,
            AccountStatus::Pending,
            false,
        ),
        (suspended, &verify, AccountStatus::Suspended, true),
    ];

    for (user, change, status, verified) in cases {
        let after = apply(s, user.id, change, t0_plus(60)).await.unwrap().after;
        assert_eq!(
            (after.status, after.email_verified),
            (status, verified),
            "{change:?}"
        );
        assert_eq!(stored(s, user.id).await, after);
    }
}

/// What an account holds that could let it back in: two sessions, a link of each purpose, a
/// remembered device and a pending login challenge.
struct Access {
    user: User,
    sessions: Vec<crate::support::Login>,
    tokens: Vec<OneTimeToken>,
    device: authd_domain::mfa::RememberedDevice,
    challenge: authd_domain::mfa::MfaChallenge,
}

async fn account_with_access(s: &StorageUnderTest) -> Access {
    let user = fixtures::user();
    let verification = register(s, &user).await;
    let reset = fixtures::reset_token(&user, t0_plus(100));
    let unlock = fixtures::unlock_token(&user, t0_plus(100));
    for token in [&reset, &unlock] {
        s.one_time_tokens.issue(token).await.unwrap();
    }
    turn_mfa_on(s, &user).await;
    let device = fixtures::remembered_device(user.id, t0_plus(300), Duration::days(30));
    assert!(
        s.mfa
            .remember_device(&device, &user.password_hash)
            .await
            .unwrap()
    );
    let challenge = fixtures::mfa_challenge(&user, t0_plus(990));
    s.mfa.create_challenge(&challenge).await.unwrap();
    let sessions = vec![
        login(s, user.id, t0_plus(500)).await,
        login(s, user.id, t0_plus(600)).await,
    ];
    Access {
        user,
        sessions,
        tokens: vec![verification, reset, unlock],
        device,
        challenge,
    }
}

/// Whether anything of `a` still works at `now`.
async fn assert_access(s: &StorageUnderTest, a: &Access, now: Timestamp, kept: bool) {
    let live = s.sessions.list_active(a.user.id, now).await.unwrap().len();
    assert_eq!(
        live,
        if kept { a.sessions.len() } else { 0 },
        "live sessions"
    );
    for token in &a.tokens {
        let found = s
            .one_time_tokens
            .find(&token.hash, token.purpose)
            .await
            .unwrap();
        assert_eq!(found.is_some(), kept, "{:?} link", token.purpose);
    }
    let device = s
        .mfa
        .use_device(a.user.id, &a.device.hash, now)
        .await
        .unwrap();
    assert_eq!(device.is_some(), kept, "remembered device");
    let challenge = s.mfa.find_challenge(&a.challenge.hash).await.unwrap();
    assert_eq!(challenge.is_some(), kept, "pending login challenge");
}

/// Suspension or deletion at `now` of an account with access, beside another that keeps its own.
async fn ends_access(s: &StorageUnderTest, to: AccountStatus) {
    let a = account_with_access(s).await;
    let bystander = account_with_access(s).await;
    let now = t0_plus(1000);

    let applied = apply(s, a.user.id, &status(to), now).await.unwrap();

    assert_eq!(applied.after.status, to);
    assert_eq!(stored(s, a.user.id).await.status, to);
    let sessions: Vec<_> = a.sessions.iter().map(|l| l.session.id).collect();
    assert_eq!(sorted(applied.revoked_sessions), sorted(sessions.clone()));
    for id in sessions {
        let session = s.sessions.find(id).await.unwrap();
        assert!(
            session.is_none_or(|s| s.revoked_at == Some(now)),
            "revoked at the change"
        );
    }
    assert!(
        s.one_time_tokens
            .consume_reset(
                &a.tokens[1].hash,
                &fixtures::password_hash(),
                now,
                &fixtures::password_changed_mail(&a.user, now),
            )
            .await
            .is_err(),
        "the voided reset link resets nothing"
    );
    assert_access(s, &a, now + Duration::seconds(10), false).await;
    assert_access(s, &bystander, now + Duration::seconds(10), true).await;
}

/// Suspension revokes every live session (returned), voids the unused links of every purpose,
/// forgets the remembered devices and the pending login challenges, in the same change; another
/// account keeps all of its own.
pub async fn suspension_revokes_sessions_voids_tokens_and_forgets_mfa_state(s: &StorageUnderTest) {
    ends_access(s, AccountStatus::Suspended).await;
}

/// Deletion by an administrator takes away what suspension does.
pub async fn deletion_ends_access_as_suspension_does(s: &StorageUnderTest) {
    ends_access(s, AccountStatus::Deleted).await;
}

/// A change that leaves the account usable (profile, roles, `active` again, pending to active)
/// revokes, voids and forgets nothing.
pub async fn a_change_that_keeps_the_account_usable_revokes_nothing(s: &StorageUnderTest) {
    let a = account_with_access(s).await;
    let now = t0_plus(1000);
    let changes = [
        AccountChange {
            profile: ProfileChanges {
                last_name: Some(Some(PersonName::from_trusted("Doe".to_owned()))),
                ..ProfileChanges::default()
            },
            roles: Some(vec![role("user"), fresh_role()]),
            ..AccountChange::default()
        },
        status(AccountStatus::Active),
        status(AccountStatus::Active),
    ];

    for change in &changes {
        let applied = apply(s, a.user.id, change, now).await.unwrap();
        assert_eq!(applied.revoked_sessions, vec![], "{change:?}");
    }

    assert_eq!(stored(s, a.user.id).await.status, AccountStatus::Active);
    assert_access(s, &a, now + Duration::seconds(10), true).await;
}

/// Once deleted (by an administrator or by its holder), an account takes no change at all,
/// not even an empty one, and stays as it was.
pub async fn a_deleted_account_takes_no_change(s: &StorageUnderTest) {
    let by_admin = active_with(s, &[&role("user")]).await;
    apply(s, by_admin.id, &status(AccountStatus::Deleted), t0_plus(60))
        .await
        .unwrap();
    let by_holder = active_with(s, &[&role("user")]).await;
    s.users.deactivate(by_holder.id, t0_plus(60)).await.unwrap();
    let changes = [
        AccountChange::default(),
        status(AccountStatus::Active),
        status(AccountStatus::Suspended),
        status(AccountStatus::Deleted),
        status(AccountStatus::Pending),
        AccountChange {
            email_verified: Some(true),
            roles: Some(vec![fresh_role()]),
            ..AccountChange::default()
        },
        AccountChange {
            profile: ProfileChanges {
                first_name: Some(Some(PersonName::from_trusted("Lazarus".to_owned()))),
                ..ProfileChanges::default()
            },
            ..AccountChange::default()
        },
    ];

    for id in [by_admin.id, by_holder.id] {
        let before = stored(s, id).await;
        assert_eq!(before.status, AccountStatus::Deleted);
        for change in &changes {
            let result = apply(s, id, change, t0_plus(120)).await;
            assert!(
                matches!(result, Err(AccountChangeError::Deleted)),
                "{change:?}: {result:?}"
            );
        }
        assert_eq!(stored(s, id).await, before);
    }
}

/// A change to an id that names no account is `NotFound`, whatever the change.
pub async fn a_change_to_an_unknown_account_is_not_found(s: &StorageUnderTest) {
    for change in [AccountChange::default(), status(AccountStatus::Suspended)] {
        let result = apply(s, UserId::new(), &change, t0_plus(60)).await;
        assert!(
            matches!(result, Err(AccountChangeError::NotFound)),
            "{result:?}"
        );
    }
}
