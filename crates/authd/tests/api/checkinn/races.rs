//! Races through the CheckInn routes: one email registered at once from twenty tabs; one
//! refresh token presented at once by twenty requests.

use super::client::{Guest, Session, spawn_checkinn_app, string};
use crate::helpers::{Backend, MailKind, backends};
use futures_util::future::join_all;
use rstest_reuse::apply;
use std::collections::HashSet;

#[apply(backends)]
async fn twenty_concurrent_registrations_of_one_email_create_one_account(backend: Backend) {
    let app = spawn_checkinn_app(backend).await;
    let guest = Guest::random();

    let body = guest.body();
    let replies = join_all((0..20).map(|_| app.ci_post("/register", &body))).await;

    let mut created = Vec::new();
    for reply in &replies {
        match reply.status {
            201 => created.push(Session::of(reply, 201)),
            409 => {
                reply.ci_error(409, "EMAIL_EXISTS");
            }
            other => panic!("unexpected status {other}: {reply:#?}"),
        }
    }
    assert_eq!(created.len(), 1, "exactly one 201 of {}", replies.len());
    let login = app.ci_login(&guest).await;
    assert_eq!(login.id(), created[0].id());
    app.ci_me(&created[0].token).await.ci_ok(200);
    app.assert_mail_count(MailKind::Verification, &guest.email, 1)
        .await;
}

#[apply(backends)]
async fn twenty_concurrent_refreshes_with_one_token_yield_one_successor(backend: Backend) {
    let app = spawn_checkinn_app(backend).await;
    let session = app.ci_register(&Guest::random()).await;

    let replies = join_all((0..20).map(|_| app.ci_refresh(&session.refresh_token))).await;

    // Within the grace window every presentation gets the one successor.
    let successors: HashSet<String> = replies
        .iter()
        .map(|reply| string(&reply.ci_ok(200)["refreshToken"]))
        .collect();
    assert_eq!(successors.len(), 1, "{successors:?}");
    let successor = successors.into_iter().next().unwrap();
    let next = app.ci_refresh(&successor).await;
    let token = string(&next.ci_ok(200)["token"]);
    app.ci_me(&token).await.ci_ok(200);
}
