//! The last-admin guard: who counts, what is refused, and the races it must settle.

use super::{active_with, fresh_role, guard, insert, role, stored};
use crate::StorageUnderTest;
use crate::fixtures::{self, t0_plus};
use crate::support::{concurrently, login};
use authd_domain::authorization::RoleName;
use authd_domain::directory::{AccountChange, LastAdminGuard, PageRequest, UserQuery};
use authd_domain::ids::UserId;
use authd_domain::ports::{AccountChangeError, AppliedChange};
use authd_domain::user::{AccountStatus, ProfileChanges, User};
use authd_domain::values::PersonName;
use std::sync::Arc;

fn roles(roles: &[&RoleName]) -> AccountChange {
    AccountChange {
        roles: Some(roles.iter().map(|r| (*r).clone()).collect()),
        ..AccountChange::default()
    }
}

fn status(status: AccountStatus) -> AccountChange {
    AccountChange {
        status: Some(status),
        ..AccountChange::default()
    }
}

async fn apply(
    s: &StorageUnderTest,
    id: UserId,
    change: &AccountChange,
    guard: &LastAdminGuard,
) -> Result<AppliedChange, AccountChangeError> {
    s.directory
        .apply_change(id, change, guard, t0_plus(600))
        .await
}

/// How many accounts hold `role` and are active.
async fn active_holders(s: &StorageUnderTest, role: &RoleName) -> u64 {
    let q = UserQuery {
        status: Some(AccountStatus::Active),
        role: Some(role.clone()),
        page: PageRequest::new(Some(1), Some(100)).unwrap_or_else(|e| panic!("{e}")),
        ..UserQuery::default()
    };
    s.directory.search(&q).await.unwrap().total
}

/// Only an active account holding one of the guarded roles counts: not a pending, suspended or
/// deleted holder, not a holder of a role whose name merely starts with a guarded one; an
/// empty guard counts nobody.
pub async fn any_admin_counts_only_active_holders_of_a_guarded_role(s: &StorageUnderTest) {
    let admin = fresh_role();
    let other = fresh_role();
    let longer = role(&format!("{}x", admin.as_str()));
    assert!(!s.directory.any_admin(&guard(&[&admin])).await.unwrap());
    for status in [
        AccountStatus::Pending,
        AccountStatus::Suspended,
        AccountStatus::Deleted,
    ] {
        let holder = User {
            status,
            roles: vec![admin.clone()],
            ..fixtures::user()
        };
        insert(s, &holder).await;
    }
    active_with(s, &[&longer, &role("user")]).await;

    assert!(!s.directory.any_admin(&guard(&[&admin])).await.unwrap());
    assert!(
        !s.directory
            .any_admin(&guard(&[&other, &admin]))
            .await
            .unwrap()
    );
    assert!(!s.directory.any_admin(&guard(&[])).await.unwrap());

    active_with(s, &[&role("user"), &other]).await;
    assert!(!s.directory.any_admin(&guard(&[&admin])).await.unwrap());
    assert!(
        s.directory
            .any_admin(&guard(&[&other, &admin]))
            .await
            .unwrap()
    );
    assert!(s.directory.any_admin(&guard(&[&other])).await.unwrap());
}

/// The only admin cannot lose the guarded role, be suspended, deleted or set pending: each is
/// `LastAdmin` and changes nothing at all (not the profile that came with it, not the
/// sessions). Changes that leave them counting go through.
pub async fn the_last_admin_cannot_be_demoted_suspended_or_deleted(s: &StorageUnderTest) {
    let admin_role = fresh_role();
    let g = guard(&[&admin_role]);
    let admin = active_with(s, &[&role("user"), &admin_role]).await;
    let session = login(s, admin.id, t0_plus(100)).await.session;
    let renamed = ProfileChanges {
        first_name: Some(Some(PersonName::from_trusted("Renamed".to_owned()))),
        ..ProfileChanges::default()
    };
    let refused = [
        roles(&[&role("user")]),
        roles(&[]),
        status(AccountStatus::Suspended),
        status(AccountStatus::Deleted),
        status(AccountStatus::Pending),
        AccountChange {
            profile: renamed.clone(),
            ..roles(&[&role("user")])
        },
    ];

    for change in &refused {
        let result = apply(s, admin.id, change, &g).await;
        assert!(
            matches!(result, Err(AccountChangeError::LastAdmin)),
            "{change:?}: {result:?}"
        );
        assert_eq!(stored(s, admin.id).await, admin, "{change:?}");
    }
    let live = s
        .sessions
        .list_active(admin.id, t0_plus(700))
        .await
        .unwrap();
    assert_eq!(live, vec![session]);

    let allowed = [
        AccountChange {
            profile: renamed,
            ..AccountChange::default()
        },
        roles(&[&admin_role]),
        AccountChange {
            email_verified: Some(false),
            ..status(AccountStatus::Active)
        },
    ];
    for change in &allowed {
        let result = apply(s, admin.id, change, &g).await;
        assert!(result.is_ok(), "{change:?}: {result:?}");
    }
    assert!(s.directory.any_admin(&g).await.unwrap());
}

/// While another account counts, an admin may be demoted or suspended; then the other is the
/// last. A holder of another guarded role counts as well.
pub async fn an_admin_may_leave_while_another_remains(s: &StorageUnderTest) {
    let admin_role = fresh_role();
    let owner_role = fresh_role();
    let g = guard(&[&admin_role]);
    let first = active_with(s, &[&admin_role]).await;
    let second = active_with(s, &[&admin_role]).await;

    let demoted = apply(s, first.id, &roles(&[&role("user")]), &g).await;
    assert!(demoted.is_ok(), "{demoted:?}");
    let result = apply(s, second.id, &status(AccountStatus::Suspended), &g).await;
    assert!(
        matches!(result, Err(AccountChangeError::LastAdmin)),
        "{result:?}"
    );

    active_with(s, &[&owner_role]).await;
    let both = guard(&[&admin_role, &owner_role]);
    let suspended = apply(s, second.id, &status(AccountStatus::Suspended), &both).await;
    assert!(suspended.is_ok(), "{suspended:?}");
    assert!(!s.directory.any_admin(&g).await.unwrap());
    assert!(s.directory.any_admin(&both).await.unwrap());
}

/// Accounts that do not count before the change are never refused: no admin exists at all, yet
/// a user is suspended, a suspended holder deleted, a pending holder demoted, a user promoted.
pub async fn changes_to_accounts_that_are_not_admins_ignore_the_guard(s: &StorageUnderTest) {
    let admin_role = fresh_role();
    let g = guard(&[&admin_role]);
    let plain = active_with(s, &[&role("user")]).await;
    let suspended_holder = User {
        status: AccountStatus::Suspended,
        roles: vec![admin_role.clone()],
        ..fixtures::user()
    };
    let pending_holder = User {
        roles: vec![admin_role.clone()],
        ..fixtures::user()
    };
    insert(s, &suspended_holder).await;
    insert(s, &pending_holder).await;
    let promoted = active_with(s, &[&role("user")]).await;

    let cases = [
        (plain.id, status(AccountStatus::Suspended)),
        (suspended_holder.id, status(AccountStatus::Deleted)),
        (pending_holder.id, roles(&[])),
        (promoted.id, roles(&[&admin_role])),
    ];
    for (id, change) in &cases {
        let result = apply(s, *id, change, &g).await;
        assert!(result.is_ok(), "{change:?}: {result:?}");
    }
    assert_eq!(active_holders(s, &admin_role).await, 1);
}

/// Two admins `a` and `b`, the only holders of a fresh role, each with a session; two tasks
/// released at once apply `change`, each to the other admin (`target_other`) or to itself.
/// Exactly one change goes through, the other is `LastAdmin` and takes nothing from the admin
/// left. Repeated, so that the two really overlap on some rounds.
async fn race_of_two(s: &StorageUnderTest, change: &AccountChange, target_other: bool) {
    for _ in 0..20 {
        let admin_role = fresh_role();
        let g = Arc::new(guard(&[&admin_role]));
        let a = active_with(s, &[&role("user"), &admin_role]).await;
        let b = active_with(s, &[&role("user"), &admin_role]).await;
        let sessions = [
            login(s, a.id, t0_plus(100)).await.session.id,
            login(s, b.id, t0_plus(100)).await.session.id,
        ];
        let ids = [a.id, b.id];

        let results = concurrently(2, |i| {
            let directory = Arc::clone(&s.directory);
            let g = Arc::clone(&g);
            let change = change.clone();
            let target = if target_other { ids[1 - i] } else { ids[i] };
            async move {
                let result = directory
                    .apply_change(target, &change, &g, t0_plus(600))
                    .await;
                (target, result)
            }
        })
        .await;

        let applied: Vec<_> = results.iter().filter(|(_, r)| r.is_ok()).collect();
        let refused = results
            .iter()
            .filter(|(_, r)| matches!(r, Err(AccountChangeError::LastAdmin)))
            .count();
        assert_eq!((applied.len(), refused), (1, 1), "{results:?}");
        assert_eq!(active_holders(s, &admin_role).await, 1);
        let changed = applied[0].0;
        let kept = if changed == a.id { b.id } else { a.id };
        let untouched = if kept == a.id { &a } else { &b };
        assert_eq!(&stored(s, kept).await, untouched);
        let kept_session = sessions[usize::from(kept == b.id)];
        let live = s.sessions.list_active(kept, t0_plus(700)).await.unwrap();
        assert_eq!(
            live.iter().map(|l| l.id).collect::<Vec<_>>(),
            vec![kept_session],
            "the refused change took nothing away"
        );
    }
}

/// Two admins, the only two, each demoting the other at the same moment: exactly one demotion
/// goes through, the other is `LastAdmin`, and one admin is left.
pub async fn two_admins_demoting_each_other_at_once_leave_exactly_one(s: &StorageUnderTest) {
    race_of_two(s, &roles(&[&role("user")]), true).await;
    race_of_two(s, &roles(&[&role("user")]), false).await;
}

/// Two admins, the only two, each suspending the other at the same moment: exactly one is
/// suspended (and loses its sessions), the other stays.
pub async fn two_admins_suspending_each_other_at_once_leave_exactly_one(s: &StorageUnderTest) {
    race_of_two(s, &status(AccountStatus::Suspended), true).await;
    race_of_two(s, &status(AccountStatus::Deleted), true).await;
}

/// Eight admins, each demoted, suspended or deleted by its own task at once: seven changes go
/// through, one is `LastAdmin`, and exactly one admin is left.
pub async fn many_admins_removed_at_once_leave_exactly_one(s: &StorageUnderTest) {
    let admin_role = fresh_role();
    let g = Arc::new(guard(&[&admin_role]));
    let mut ids = Vec::new();
    for _ in 0..8 {
        ids.push(active_with(s, &[&admin_role]).await.id);
    }
    let changes = [
        roles(&[&role("user")]),
        status(AccountStatus::Suspended),
        status(AccountStatus::Deleted),
    ];

    let results = concurrently(8, |i| {
        let directory = Arc::clone(&s.directory);
        let g = Arc::clone(&g);
        let change = changes[i % changes.len()].clone();
        let id = ids[i];
        async move { directory.apply_change(id, &change, &g, t0_plus(600)).await }
    })
    .await;

    let applied = results.iter().filter(|r| r.is_ok()).count();
    let refused = results
        .iter()
        .filter(|r| matches!(r, Err(AccountChangeError::LastAdmin)))
        .count();
    assert_eq!((applied, refused), (7, 1), "{results:?}");
    assert_eq!(active_holders(s, &admin_role).await, 1);
    assert!(s.directory.any_admin(&g).await.unwrap());
}
