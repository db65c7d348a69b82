//! Unit tests of [`super::Admin`] against mocked ports and a fixed clock.

use super::{Actor, Admin, AdminError, AdminPorts, AdminUpdate, UNKNOWN_ROLE, known_roles};
use crate::audit::{AuditEvent, AuditKind};
use crate::authorization::{Permission, Permissions, RoleCatalog, RoleName};
use crate::directory::{AuditQuery, Page, PageRequest, SearchTerm, UserQuery};
use crate::error::InfraError;
use crate::ids::{SessionId, UserId};
use crate::notification::Notification;
use crate::services::test_support::{
    Mocks, active_user, audit_kinds, capture_audit, port_down, session_of, settings, t0,
};
use crate::session::ClientInfo;
use crate::user::{AccountStatus, User};
use crate::values::codes;
use chrono::Duration;
use std::sync::{Arc, Mutex};

mod actions;
mod update;

fn admin(m: Mocks) -> Admin {
    let ports = AdminPorts {
        users: Arc::new(m.users),
        directory: Arc::new(m.directory),
        sessions: Arc::new(m.sessions),
        outbox: Arc::new(m.outbox),
        denylist: Arc::new(m.denylist),
        audit: Arc::new(m.audit),
        clock: Arc::new(m.clock),
    };
    Admin::new(ports, settings().roles, Duration::minutes(15))
}

fn role(name: &str) -> RoleName {
    RoleName::parse(name).unwrap_or_else(|e| panic!("{e}"))
}

/// An administrator holding `*`, calling from the admin console.
fn full_admin() -> Actor {
    Actor {
        id: UserId::new(),
        permissions: Permissions::all(),
        client: ClientInfo {
            ip: Some("198.51.100.1".into()),
            user_agent: Some("admin-console".into()),
        },
    }
}

/// An administrator who may change accounts but not roles.
fn user_manager() -> Actor {
    Actor {
        permissions: Permissions::none()
            .with(Permission::AdminUsersRead)
            .with(Permission::AdminUsersWrite),
        ..full_admin()
    }
}

/// Until when a denial issued at [`t0`] holds: the access-token lifetime plus the leeway.
fn until() -> crate::Timestamp {
    t0() + Duration::minutes(15) + Duration::seconds(30)
}

/// The account with `user`'s id reads as `found`, once.
fn account_is(m: &mut Mocks, user: &User, found: Option<User>) {
    let id = user.id;
    m.users
        .expect_find_by_id()
        .withf(move |uid| *uid == id)
        .times(1)
        .returning(move |_| Ok(found.clone()));
}

/// `user` has `n` live sessions now.
fn live_sessions(m: &mut Mocks, user: &User, n: usize) {
    let sessions: Vec<_> = (0..n).map(|_| session_of(user, true)).collect();
    let id = user.id;
    m.sessions
        .expect_list_active()
        .withf(move |uid, now| *uid == id && *now == t0())
        .returning(move |_, _| Ok(sessions.clone()));
}

/// Every event of `events` names `actor` and comes from the actor's client.
fn all_by(events: &Mutex<Vec<AuditEvent>>, actor: &Actor, user: &User) {
    for event in events.lock().unwrap().iter() {
        assert_eq!(event.actor_id, Some(actor.id), "{:?}", event.kind);
        assert_eq!(event.user_id, Some(user.id), "{:?}", event.kind);
        assert_eq!(event.client, actor.client, "{:?}", event.kind);
        assert_eq!(event.at, t0());
    }
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// No change reaches storage beyond the read of the account.
fn untouched(m: &mut Mocks) {
    m.directory.expect_clear_lockout().never();
    m.directory.expect_apply_change().never();
    m.sessions.expect_revoke_all().never();
    m.outbox.expect_enqueue().never();
    m.denylist.expect_deny_sessions().never();
    m.denylist.expect_deny_user_before().never();
}

#[test]
fn requested_roles_must_be_configured_and_collapse_when_repeated() {
    let catalog = RoleCatalog::default();
    let roles = known_roles(
        &catalog,
        "roles",
        &names(&["moderator", "user", "moderator"]),
    );
    assert_eq!(roles, Ok(vec![role("moderator"), role("user")]));
}

#[test]
fn an_unknown_or_malformed_role_is_refused_on_the_field() {
    let catalog = RoleCatalog::default();
    for bad in ["root", "Admin", "", "ad min", "x".repeat(300).as_str()] {
        let errors = known_roles(&catalog, "roles", &names(&["user", bad])).unwrap_err();
        assert_eq!(errors.0.len(), 1, "{bad}");
        assert_eq!(
            (errors.0[0].field.as_str(), errors.0[0].code),
            ("roles", UNKNOWN_ROLE)
        );
        // A long name is not echoed whole.
        assert!(errors.0[0].message.len() < 120, "{bad}");
    }
}

#[test]
fn an_empty_role_list_is_refused() {
    let errors = known_roles(&RoleCatalog::default(), "roles", &[]).unwrap_err();
    assert_eq!(
        (errors.0[0].field.as_str(), errors.0[0].code),
        ("roles", codes::REQUIRED)
    );
}

#[tokio::test]
async fn the_user_list_is_the_directorys_page_for_the_query() {
    let user = active_user();
    let query = UserQuery {
        status: Some(AccountStatus::Active),
        search: Some(SearchTerm::parse("Jane").unwrap()),
        role: Some(role("user")),
        page: PageRequest::new(Some(3), Some(10)).unwrap(),
        ..UserQuery::default()
    };
    let mut m = Mocks::new();
    let expected = query.clone();
    let found = user.clone();
    m.directory
        .expect_search()
        .withf(move |q| *q == expected)
        .times(1)
        .returning(move |q| {
            Ok(Page {
                items: vec![found.clone()],
                request: q.page,
                total: 21,
            })
        });
    let page = admin(m).list_users(&query).await.unwrap();
    assert_eq!(page.items, [user]);
    assert_eq!((page.total, page.pages()), (21, 3));
}

#[tokio::test]
async fn a_directory_outage_is_an_infrastructure_error() {
    let mut m = Mocks::new();
    m.directory.expect_search().returning(|_| Err(port_down()));
    let err = admin(m)
        .list_users(&UserQuery::default())
        .await
        .unwrap_err();
    assert!(matches!(err, AdminError::Infra(InfraError::Unavailable(_))));
}

#[tokio::test]
async fn one_user_comes_with_the_permissions_of_its_roles_and_its_live_sessions() {
    let mut user = active_user();
    user.roles = vec![role("moderator"), role("retired")];
    let mut m = Mocks::new();
    account_is(&mut m, &user, Some(user.clone()));
    live_sessions(&mut m, &user, 2);
    let view = admin(m).get_user(user.id).await.unwrap();
    assert_eq!(view.user, user);
    assert_eq!(view.active_sessions, 2);
    // A role no longer configured grants nothing.
    assert_eq!(
        view.permissions,
        RoleCatalog::default().permissions_of(&[role("moderator")])
    );
}

#[tokio::test]
async fn an_unknown_user_is_not_found() {
    let user = active_user();
    let mut m = Mocks::new();
    account_is(&mut m, &user, None);
    m.sessions.expect_list_active().never();
    let err = admin(m).get_user(user.id).await.unwrap_err();
    assert!(matches!(err, AdminError::UserNotFound));
}

#[tokio::test]
async fn the_audit_trail_is_the_logs_page_for_the_query() {
    let query = AuditQuery {
        user_id: Some(UserId::new()),
        kinds: vec![AuditKind::LoginFailed],
        from: Some(t0() - Duration::days(1)),
        to: Some(t0()),
        page: PageRequest::default(),
    };
    let event = AuditEvent::new(
        AuditKind::LoginFailed,
        t0(),
        query.user_id,
        &ClientInfo::default(),
    );
    let mut m = Mocks::new();
    let expected = query.clone();
    let answer = event.clone();
    m.audit
        .expect_search()
        .withf(move |q| *q == expected)
        .times(1)
        .returning(move |q| {
            Ok(Page {
                items: vec![answer.clone()],
                request: q.page,
                total: 1,
            })
        });
    let page = admin(m).audit_events(&query).await.unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].id, event.id);
}
