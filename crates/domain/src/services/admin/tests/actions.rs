//! Unlock, end every session, send a reset mail.

use super::*;

#[tokio::test]
async fn unlocking_clears_the_lock_and_is_audited_with_the_actor() {
    let user = active_user();
    let actor = full_admin();
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    account_is(&mut m, &user, Some(user.clone()));
    let id = user.id;
    m.directory
        .expect_clear_lockout()
        .withf(move |uid, now| *uid == id && *now == t0())
        .times(1)
        .returning(|_, _| Ok(true));
    admin(m).unlock(&actor, user.id).await.unwrap();
    assert_eq!(audit_kinds(&events), [AuditKind::AccountUnlocked]);
    all_by(&events, &actor, &user);
}

#[tokio::test]
async fn unlocking_an_unknown_or_deleted_account_changes_nothing() {
    let user = active_user();
    let deleted = User {
        status: AccountStatus::Deleted,
        ..user.clone()
    };
    for (found, deleted_expected) in [(None, false), (Some(deleted), true)] {
        let mut m = Mocks::new();
        let events = capture_audit(&mut m);
        account_is(&mut m, &user, found);
        untouched(&mut m);
        let err = admin(m).unlock(&full_admin(), user.id).await.unwrap_err();
        if deleted_expected {
            assert!(matches!(err, AdminError::AccountDeleted), "{err:?}");
        } else {
            assert!(matches!(err, AdminError::UserNotFound), "{err:?}");
        }
        assert!(audit_kinds(&events).is_empty());
    }
}

#[tokio::test]
async fn an_account_gone_before_its_unlock_is_not_found() {
    let user = active_user();
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    account_is(&mut m, &user, Some(user.clone()));
    m.directory
        .expect_clear_lockout()
        .returning(|_, _| Ok(false));
    let err = admin(m).unlock(&full_admin(), user.id).await.unwrap_err();
    assert!(matches!(err, AdminError::UserNotFound));
    assert!(audit_kinds(&events).is_empty());
}

#[tokio::test]
async fn revoking_sessions_ends_them_and_cuts_off_their_access_tokens() {
    let user = active_user();
    let actor = full_admin();
    let revoked = vec![SessionId::new(), SessionId::new()];
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    account_is(&mut m, &user, Some(user.clone()));
    let id = user.id;
    let answer = revoked.clone();
    m.sessions
        .expect_revoke_all()
        .withf(move |uid, now| *uid == id && *now == t0())
        .times(1)
        .returning(move |_, _| Ok(answer.clone()));
    let expected = revoked.clone();
    m.denylist
        .expect_deny_sessions()
        .withf(move |uid, ids, u| *uid == id && ids == expected.as_slice() && *u == until())
        .times(1)
        .returning(|_, _, _| Ok(()));
    m.denylist
        .expect_deny_user_before()
        .withf(move |uid, cutoff, u| *uid == id && *cutoff == t0() && *u == until())
        .times(1)
        .returning(|_, _, _| Ok(()));
    let n = admin(m).revoke_sessions(&actor, user.id).await.unwrap();
    assert_eq!(n, 2);
    assert_eq!(audit_kinds(&events), [AuditKind::SessionsRevoked]);
    all_by(&events, &actor, &user);
    let detail = events.lock().unwrap()[0].detail.clone();
    assert_eq!(detail.as_deref(), Some("2 session(s) revoked"));
}

#[tokio::test]
async fn revoking_the_sessions_of_an_unknown_user_is_not_found() {
    let user = active_user();
    let mut m = Mocks::new();
    account_is(&mut m, &user, None);
    untouched(&mut m);
    let err = admin(m)
        .revoke_sessions(&full_admin(), user.id)
        .await
        .unwrap_err();
    assert!(matches!(err, AdminError::UserNotFound));
}

#[tokio::test]
async fn a_denylist_outage_after_revoking_still_answers_and_audits_the_revocation() {
    let user = active_user();
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    account_is(&mut m, &user, Some(user.clone()));
    m.sessions
        .expect_revoke_all()
        .times(1)
        .returning(|_, _| Ok(vec![SessionId::new()]));
    m.denylist
        .expect_deny_sessions()
        .times(1)
        .returning(|_, _, _| Err(port_down()));
    m.denylist
        .expect_deny_user_before()
        .times(1)
        .returning(|_, _, _| Err(port_down()));
    // The sessions are revoked in storage: failing now would not undo that.
    let n = admin(m)
        .revoke_sessions(&full_admin(), user.id)
        .await
        .unwrap();
    assert_eq!(n, 1);
    assert_eq!(audit_kinds(&events), [AuditKind::SessionsRevoked]);
}

#[tokio::test]
async fn a_reset_mail_is_queued_for_the_account_and_audited_with_the_actor() {
    let user = User {
        status: AccountStatus::Pending,
        ..active_user()
    };
    let actor = user_manager();
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    account_is(&mut m, &user, Some(user.clone()));
    let id = user.id;
    m.outbox
        .expect_enqueue()
        .withf(move |mail, now| {
            *now == t0()
                && matches!(mail, Notification::PasswordReset { user_id, to, username }
                    if *user_id == id && to.as_str() == "jane@example.com" && username.as_str() == "jane")
        })
        .times(1)
        .returning(|_, _| Ok(crate::ids::MessageId::new()));
    admin(m).send_password_reset(&actor, user.id).await.unwrap();
    assert_eq!(audit_kinds(&events), [AuditKind::PasswordResetRequested]);
    all_by(&events, &actor, &user);
}

#[tokio::test]
async fn no_reset_mail_goes_to_an_unknown_deleted_or_suspended_account() {
    let user = active_user();
    let with = |status| {
        Some(User {
            status,
            ..user.clone()
        })
    };
    type Expected = fn(&AdminError) -> bool;
    let cases: [(Option<User>, Expected); 3] = [
        (None, |e| matches!(e, AdminError::UserNotFound)),
        (with(AccountStatus::Deleted), |e| {
            matches!(e, AdminError::AccountDeleted)
        }),
        (with(AccountStatus::Suspended), |e| {
            matches!(e, AdminError::AccountSuspended)
        }),
    ];
    for (found, expected) in cases {
        let mut m = Mocks::new();
        let events = capture_audit(&mut m);
        account_is(&mut m, &user, found);
        untouched(&mut m);
        let err = admin(m)
            .send_password_reset(&full_admin(), user.id)
            .await
            .unwrap_err();
        assert!(expected(&err), "{err:?}");
        assert!(audit_kinds(&events).is_empty());
    }
}

#[tokio::test]
async fn an_outbox_outage_fails_the_reset_request() {
    let user = active_user();
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    account_is(&mut m, &user, Some(user.clone()));
    m.outbox.expect_enqueue().returning(|_, _| Err(port_down()));
    let err = admin(m)
        .send_password_reset(&full_admin(), user.id)
        .await
        .unwrap_err();
    assert!(matches!(err, AdminError::Infra(_)));
    assert!(audit_kinds(&events).is_empty());
}

#[tokio::test]
async fn an_admin_route_reads_its_callers_permissions_from_the_stored_account() {
    let mut caller = active_user();
    caller.roles = vec![role("moderator")];
    let claims = crate::token::AccessClaims {
        user_id: caller.id,
        session_id: SessionId::new(),
        token_id: crate::ids::TokenId::new(),
        issued_at: t0(),
        expires_at: t0() + Duration::minutes(15),
        // What the token still says after a demotion whose denial was lost.
        roles: vec![role("admin")],
        permissions: Permissions::all(),
    };
    let mut m = Mocks::new();
    account_is(&mut m, &caller, Some(caller.clone()));
    let granted = admin(m).authorize(&claims).await.unwrap();
    assert!(granted.contains(Permission::AdminUsersRead));
    assert!(!granted.contains(Permission::AdminUsersWrite));

    for status in [
        AccountStatus::Suspended,
        AccountStatus::Deleted,
        AccountStatus::Pending,
    ] {
        let inactive = User {
            status,
            ..caller.clone()
        };
        let mut m = Mocks::new();
        account_is(&mut m, &caller, Some(inactive));
        let err = admin(m).authorize(&claims).await.unwrap_err();
        assert!(matches!(err, AdminError::CallerInactive), "{status:?}");
    }
    let mut m = Mocks::new();
    account_is(&mut m, &caller, None);
    let err = admin(m).authorize(&claims).await.unwrap_err();
    assert!(matches!(err, AdminError::CallerInactive));
}
