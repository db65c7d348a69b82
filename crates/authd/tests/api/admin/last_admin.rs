//! The last active administrator cannot be suspended, deleted or demoted (409 `LAST_ADMIN`),
//! also when two administrators demote each other at the same moment.

use crate::helpers::{Backend, backends};
use crate::helpers::{Member, TestApp, next_second, roles_in, spawn_admin_app};
use rstest_reuse::apply;
use serde_json::json;

/// The ids of the active accounts holding `admin`.
async fn admins(app: &TestApp, token: &str) -> Vec<String> {
    let reply = app
        .admin_get(token, "/v1/admin/users?role=admin&status=active&limit=100")
        .await;
    reply.ok(200)["users"]
        .as_array()
        .expect("users")
        .iter()
        .map(|u| u["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[apply(backends)]
async fn the_only_admin_cannot_suspend_delete_or_demote_itself(backend: Backend) {
    let (app, admin) = spawn_admin_app(backend).await;

    for body in [
        json!({"status": "suspended"}),
        json!({"status": "deleted"}),
        json!({"roles": ["user"]}),
        json!({"roles": ["moderator", "user"]}),
        json!({"status": "suspended", "firstName": "Gone"}),
    ] {
        app.admin_put(admin.token(), admin.id(), &body)
            .await
            .error(409, "LAST_ADMIN");
    }

    // Nothing changed: still an active admin, signed in, named as before.
    let seen = app.admin_user(admin.token(), admin.id()).await;
    assert_eq!(seen["status"], "active");
    assert_eq!(seen["roles"], json!(["admin"]));
    assert_ne!(seen["firstName"], "Gone");
    assert_eq!(seen["activeSessions"], 1);
    app.me(admin.token()).await.ok(200);
}

#[apply(backends)]
async fn a_second_admin_can_be_demoted_but_then_the_first_is_the_last(backend: Backend) {
    let (app, admin) = spawn_admin_app(backend).await;
    let second = app.member_with_roles(&admin, &["admin"]).await;
    let third = app.member_with_roles(&admin, &["admin"]).await;

    // A suspended admin is no admin that counts.
    app.set_status(admin.token(), third.id(), "suspended")
        .await
        .ok(200);
    app.admin_put(admin.token(), second.id(), &json!({"roles": ["user"]}))
        .await
        .ok(200);
    app.set_status(admin.token(), admin.id(), "suspended")
        .await
        .error(409, "LAST_ADMIN");
    assert_eq!(admins(&app, admin.token()).await, [admin.id().to_owned()]);
}

/// Makes `member` an admin again (by `by`) and signs it in with a token of the new roles.
async fn promote(app: &TestApp, by: &Member, member: &Member) -> Member {
    app.admin_put(by.token(), member.id(), &json!({"roles": ["admin"]}))
        .await
        .ok(200);
    next_second().await;
    app.sign_in(member.user.clone()).await
}

#[apply(backends)]
async fn two_admins_demoting_each_other_at_once_cannot_both_succeed(backend: Backend) {
    let (app, mut first) = spawn_admin_app(backend).await;
    let mut second = app.member_with_roles(&first, &["admin"]).await;
    let demote = json!({"roles": ["user"]});
    let mut races = 0;
    // One client each, with a connection open before the race: neither request waits for a
    // TCP handshake the other does not.
    let (left, right) = (app.browser(), app.browser());

    for round in 0..4 {
        let warm = |client: &reqwest::Client, member: &Member| {
            let request = client
                .get(app.url("/v1/admin/users?limit=1"))
                .bearer_auth(member.token());
            app.send(request)
        };
        let (x, y) = tokio::join!(warm(&left, &first), warm(&right, &second));
        assert_eq!((x.status, y.status), (200, 200));
        let put = |client: &reqwest::Client, member: &Member, target: &Member| {
            let url = app.url(&format!("/v1/admin/users/{}", target.id()));
            app.send(client.put(url).bearer_auth(member.token()).json(&demote))
        };
        let (a, b) = tokio::join!(put(&left, &first, &second), put(&right, &second, &first));
        let statuses = [a.status, b.status];
        assert_eq!(
            statuses.iter().filter(|s| **s == 200).count(),
            1,
            "round {round}: exactly one demotion wins: {a:#?} {b:#?}"
        );
        let (winner, loser) = if a.status == 200 {
            (&first, &b)
        } else {
            (&second, &a)
        };
        // The loser's request either reached storage and met the guard, came in after the
        // winner's change had cut off its token, or came in between the winner's commit and
        // that cut-off, when the admin route's read of the stored account finds it demoted.
        match loser.status {
            409 => {
                loser.error(409, "LAST_ADMIN");
                races += 1;
            }
            403 => {
                loser.error(403, "INSUFFICIENT_PERMISSIONS");
            }
            _ => {
                loser.error(401, "TOKEN_REVOKED");
            }
        }
        assert_eq!(admins(&app, winner.token()).await, [winner.id().to_owned()]);

        let winner = winner.clone();
        if a.status == 200 {
            second = promote(&app, &winner, &second).await;
        } else {
            first = promote(&app, &winner, &first).await;
        }
        assert_eq!(roles_in(first.token()), ["admin"]);
        assert_eq!(roles_in(second.token()), ["admin"]);
    }
    // In memory a request never waits inside the app, so one runs to its end before the other
    // starts; over PostgreSQL both are in storage at once, and the guard decides.
    if backend == Backend::Postgres {
        assert!(races > 0, "no round raced the two requests into storage");
    }
}
