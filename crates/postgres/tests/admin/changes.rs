//! `UserDirectory::apply_change`, `clear_lockout`, `any_admin`, `insert`: over real
//! transactions, the last-admin rule under concurrent demotions included.

use super::common::{Db, active, db, insert, role};
use authd_domain::directory::{AccountChange, LastAdminGuard};
use authd_domain::ids::UserId;
use authd_domain::ports::{AccountChangeError, InsertAccountError, UserDirectory};
use authd_domain::user::{AccountStatus, ProfileChanges};
use authd_domain::values::{Email, PersonName, Username};
use authd_testkit::fixtures::{self, t0_plus};
use authd_testkit::support;

fn guard() -> LastAdminGuard {
    LastAdminGuard {
        roles: vec![role("admin")],
    }
}

fn to_status(status: AccountStatus) -> AccountChange {
    AccountChange {
        status: Some(status),
        ..AccountChange::default()
    }
}

fn demotion() -> AccountChange {
    AccountChange {
        roles: Some(vec![role("user")]),
        ..AccountChange::default()
    }
}

async fn status_of(db: &Db, id: UserId) -> AccountStatus {
    db.ports.users.find_by_id(id).await.unwrap().unwrap().status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_is_stored_and_returned_with_the_account_before_it() {
    let db = db().await;
    let user = support::registered_user(&db.ports).await;
    let change = AccountChange {
        profile: ProfileChanges {
            first_name: Some(Some(PersonName::from_trusted("Ann".into()))),
            ..ProfileChanges::default()
        },
        roles: Some(vec![role("user"), role("moderator")]),
        email_verified: Some(true),
        ..AccountChange::default()
    };
    let applied = db
        .store
        .apply_change(user.id, &change, &guard(), t0_plus(60))
        .await
        .unwrap();
    assert_eq!(applied.before.status, AccountStatus::Pending);
    let stored = db.ports.users.find_by_id(user.id).await.unwrap().unwrap();
    assert_eq!(applied.after, stored);
    assert_eq!(
        stored.status,
        AccountStatus::Active,
        "verified makes it active"
    );
    assert!(stored.email_verified);
    assert_eq!(stored.roles, vec![role("user"), role("moderator")]);
    assert_eq!(stored.profile.first_name.unwrap().as_str(), "Ann");
    assert_eq!(stored.updated_at, t0_plus(60));
    assert!(applied.revoked_sessions.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_and_deleted_accounts_take_no_change() {
    let db = db().await;
    let change = to_status(AccountStatus::Active);
    assert!(matches!(
        db.store
            .apply_change(UserId::new(), &change, &guard(), t0_plus(1))
            .await,
        Err(AccountChangeError::NotFound)
    ));
    let user = active(&db, &["user"]).await;
    db.store
        .apply_change(
            user.id,
            &to_status(AccountStatus::Deleted),
            &guard(),
            t0_plus(1),
        )
        .await
        .unwrap();
    for change in [change, AccountChange::default(), demotion()] {
        assert!(matches!(
            db.store
                .apply_change(user.id, &change, &guard(), t0_plus(2))
                .await,
            Err(AccountChangeError::Deleted)
        ));
    }
    assert_eq!(status_of(&db, user.id).await, AccountStatus::Deleted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_admin_cannot_be_demoted_suspended_or_deleted() {
    let db = db().await;
    let admin = active(&db, &["admin"]).await;
    let other = active(&db, &["user"]).await;
    assert!(db.store.any_admin(&guard()).await.unwrap());
    assert!(
        !db.store
            .any_admin(&LastAdminGuard {
                roles: vec![role("root")]
            })
            .await
            .unwrap()
    );
    for change in [
        demotion(),
        to_status(AccountStatus::Suspended),
        to_status(AccountStatus::Deleted),
    ] {
        assert!(matches!(
            db.store
                .apply_change(admin.id, &change, &guard(), t0_plus(1))
                .await,
            Err(AccountChangeError::LastAdmin)
        ));
    }
    let stored = db.ports.users.find_by_id(admin.id).await.unwrap().unwrap();
    assert_eq!(
        (stored.status, stored.roles),
        (AccountStatus::Active, vec![role("admin")])
    );

    // A suspended admin does not count: promoting one does not free the first.
    let suspended_admin = active(&db, &["admin"]).await;
    db.store
        .apply_change(
            suspended_admin.id,
            &to_status(AccountStatus::Suspended),
            &guard(),
            t0_plus(2),
        )
        .await
        .unwrap();
    assert!(matches!(
        db.store
            .apply_change(admin.id, &demotion(), &guard(), t0_plus(3))
            .await,
        Err(AccountChangeError::LastAdmin)
    ));
    // An active one does; changes that keep the admin an admin never ask.
    let promote = AccountChange {
        roles: Some(vec![role("admin")]),
        ..AccountChange::default()
    };
    db.store
        .apply_change(other.id, &promote, &guard(), t0_plus(4))
        .await
        .unwrap();
    db.store
        .apply_change(admin.id, &demotion(), &guard(), t0_plus(5))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_two_admins_demoting_each_other_at_once_exactly_one_succeeds() {
    let db = db().await;
    for round in 0..15 {
        // A role of the round's own, so that the survivors of earlier rounds do not count.
        let name = format!("admin{round}");
        let guard = LastAdminGuard {
            roles: vec![role(&name)],
        };
        let a = active(&db, &[&name]).await;
        let b = active(&db, &[&name]).await;
        let pair = [a.id, b.id];
        let store = db.store.clone();
        let outcomes = support::concurrently(2, |i| {
            let (store, guard) = (store.clone(), guard.clone());
            let target = pair[1 - i];
            let change = if round % 2 == 0 {
                demotion()
            } else {
                to_status(AccountStatus::Suspended)
            };
            async move {
                store
                    .apply_change(target, &change, &guard, t0_plus(10))
                    .await
            }
        })
        .await;
        let won = outcomes.iter().filter(|o| o.is_ok()).count();
        let refused = outcomes
            .iter()
            .filter(|o| matches!(o, Err(AccountChangeError::LastAdmin)))
            .count();
        assert_eq!((won, refused), (1, 1), "round {round}: {outcomes:?}");
        assert!(db.store.any_admin(&guard).await.unwrap(), "round {round}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_suspension_cuts_the_account_off_everywhere_in_storage() {
    let db = db().await;
    let user = active(&db, &["user"]).await;
    let first = support::login(&db.ports, user.id, t0_plus(1)).await;
    let second = support::login(&db.ports, user.id, t0_plus(2)).await;
    let reset = fixtures::reset_token(&user, t0_plus(3));
    db.ports.one_time_tokens.issue(&reset).await.unwrap();
    db.ports
        .mfa
        .create_challenge(&fixtures::mfa_challenge(&user, t0_plus(3)))
        .await
        .unwrap();
    let device = fixtures::remembered_device(user.id, t0_plus(3), chrono::Duration::days(30));
    db.exec(&format!(
        "INSERT INTO mfa_remembered_devices (id, hash, user_id, created_at, expires_at) \
         VALUES ('{}', '{}', '{}', '{}', '{}')",
        device.id.as_uuid(),
        device.hash.as_str(),
        user.id.as_uuid(),
        device.created_at.to_rfc3339(),
        device.expires_at.to_rfc3339(),
    ))
    .await;
    let bystander = active(&db, &["user"]).await;
    let kept = support::login(&db.ports, bystander.id, t0_plus(1)).await;

    let applied = db
        .store
        .apply_change(
            user.id,
            &to_status(AccountStatus::Suspended),
            &guard(),
            t0_plus(10),
        )
        .await
        .unwrap();
    let mut expected = vec![first.session.id, second.session.id];
    expected.sort_unstable();
    assert_eq!(applied.revoked_sessions, expected);
    assert_eq!(applied.after.status, AccountStatus::Suspended);
    assert!(
        db.ports
            .sessions
            .list_active(user.id, t0_plus(11))
            .await
            .unwrap()
            .is_empty()
    );
    let uid = user.id.as_uuid();
    for table in ["mfa_challenges", "mfa_remembered_devices"] {
        let sql = format!("SELECT count(*) FROM {table} WHERE user_id = '{uid}'");
        assert_eq!(db.count(&sql).await, 0, "{table}");
    }
    let sql =
        format!("SELECT count(*) FROM one_time_tokens WHERE user_id = '{uid}' AND used_at IS NULL");
    assert_eq!(db.count(&sql).await, 0, "an unused reset link survived");
    assert_eq!(
        db.ports
            .sessions
            .list_active(bystander.id, t0_plus(11))
            .await
            .unwrap()
            .len(),
        1,
        "another account's session {:?} was touched",
        kept.session.id
    );

    // Reactivation restores the account, not what the suspension ended.
    let back = db
        .store
        .apply_change(
            user.id,
            &to_status(AccountStatus::Active),
            &guard(),
            t0_plus(20),
        )
        .await
        .unwrap();
    assert!(back.revoked_sessions.is_empty());
    assert_eq!(status_of(&db, user.id).await, AccountStatus::Active);
    assert!(
        db.ports
            .sessions
            .list_active(user.id, t0_plus(21))
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clearing_a_lockout_resets_the_failures_of_that_account_only() {
    let db = db().await;
    let user = active(&db, &["user"]).await;
    let policy = fixtures::lockout_policy();
    for i in 0..10 {
        db.ports
            .users
            .record_login_failure(
                user.id,
                t0_plus(i),
                &policy,
                &fixtures::lock_mail(&user, t0_plus(900)),
            )
            .await
            .unwrap();
    }
    let locked = db.ports.users.find_by_id(user.id).await.unwrap().unwrap();
    assert!(locked.lockout.locked_until.is_some());
    assert!(db.store.clear_lockout(user.id, t0_plus(20)).await.unwrap());
    let cleared = db.ports.users.find_by_id(user.id).await.unwrap().unwrap();
    assert_eq!(cleared.lockout, Default::default());
    assert!(
        !db.store
            .clear_lockout(UserId::new(), t0_plus(20))
            .await
            .unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inserted_account_keeps_its_email_and_look_alike_username_to_itself() {
    let db = db().await;
    let mut admin = fixtures::user_with("Root@Example.com", "alice");
    admin.status = AccountStatus::Active;
    admin.email_verified = true;
    admin.roles = vec![role("admin")];
    insert(&db, &admin).await;
    assert_eq!(
        db.ports.users.find_by_id(admin.id).await.unwrap(),
        Some(admin.clone())
    );

    let mut same_email = fixtures::user();
    same_email.email = Email::from_trusted("root@example.COM".into());
    assert!(matches!(
        db.store.insert(&same_email).await,
        Err(InsertAccountError::EmailTaken)
    ));
    let mut look_alike = fixtures::user();
    look_alike.username = Username::from_trusted("aIice".into());
    assert!(matches!(
        db.store.insert(&look_alike).await,
        Err(InsertAccountError::UsernameTaken)
    ));
}
