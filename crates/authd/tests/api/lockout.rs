//! Account lockout after `MAX_FAILED_ATTEMPTS` consecutive failures, sequential and concurrent;
//! `unknown`: the same lockout for an address that has no account; `unlock`: the owner's ways
//! past a lock that strangers caused.

use crate::helpers::{Backend, backends};
use crate::helpers::{MailKind, TestApp, TestUser, spawn_app};
use futures_util::future::join_all;
use rstest_reuse::apply;
use serde_json::json;

async fn wrong_login(app: &TestApp, user: &TestUser) -> crate::helpers::Reply {
    app.login_reply(&json!({"email": user.email, "password": "Wr0ng-Password!x"}))
        .await
}

#[apply(backends)]
async fn the_fifth_wrong_password_locks_the_account_with_a_retry_time(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;

    for _ in 0..4 {
        wrong_login(&app, &user)
            .await
            .error(401, "INVALID_CREDENTIALS");
    }
    let fifth = wrong_login(&app, &user).await;

    let error = fifth.error(423, "ACCOUNT_LOCKED");
    let retry_after = error["retryAfter"].as_u64().expect("retryAfter seconds");
    assert!(
        (1..=30 * 60).contains(&retry_after),
        "locked for at most LOCKOUT_DURATION: {retry_after}"
    );
    let header: u64 = fifth
        .header("retry-after")
        .expect("a Retry-After header")
        .parse()
        .expect("Retry-After in seconds");
    assert!(
        header.abs_diff(retry_after) <= 1,
        "{header} vs {retry_after}"
    );
}

#[apply(backends)]
async fn a_locked_account_refuses_even_the_right_password(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;
    for _ in 0..5 {
        wrong_login(&app, &user).await;
    }

    let reply = app.login_reply(&user.credentials()).await;

    reply.error(423, "ACCOUNT_LOCKED");
}

#[apply(backends)]
async fn a_lock_sends_exactly_one_account_locked_email(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;

    for _ in 0..7 {
        wrong_login(&app, &user).await;
    }

    app.assert_mail_count(MailKind::AccountLocked, &user.email, 1)
        .await;
}

#[apply(backends)]
async fn a_successful_login_resets_the_failure_count(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;
    for _ in 0..4 {
        wrong_login(&app, &user).await;
    }
    app.login(&user).await;

    for _ in 0..4 {
        wrong_login(&app, &user)
            .await
            .error(401, "INVALID_CREDENTIALS");
    }
}

#[apply(backends)]
async fn fifty_concurrent_wrong_passwords_lock_the_account_exactly_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;

    let replies = join_all((0..50).map(|_| wrong_login(&app, &user))).await;

    let mut invalid = 0;
    let mut locked = 0;
    for reply in &replies {
        match reply.status {
            401 => {
                reply.error(401, "INVALID_CREDENTIALS");
                invalid += 1;
            }
            423 => {
                reply.error(423, "ACCOUNT_LOCKED");
                locked += 1;
            }
            other => panic!("unexpected status {other}: {reply:#?}"),
        }
    }
    // Each counted failure before the limit answers 401; a lost increment would let more through.
    assert!(invalid <= 4, "{invalid} answers of 401, {locked} of 423");
    assert!(locked >= 46, "{invalid} answers of 401, {locked} of 423");
    app.login_reply(&user.credentials())
        .await
        .error(423, "ACCOUNT_LOCKED");
    app.assert_mail_count(MailKind::AccountLocked, &user.email, 1)
        .await;
}

#[apply(backends)]
async fn the_failure_limit_comes_from_configuration(backend: Backend) {
    let app = spawn_app_with_limit(backend).await;
    let user = app.verified_user().await;

    wrong_login(&app, &user)
        .await
        .error(401, "INVALID_CREDENTIALS");
    let second = wrong_login(&app, &user).await;

    let retry_after = second.error(423, "ACCOUNT_LOCKED")["retryAfter"]
        .as_u64()
        .expect("retryAfter seconds");
    assert!(
        (1..=60).contains(&retry_after),
        "LOCKOUT_DURATION=1 minute: {retry_after}"
    );
}

async fn spawn_app_with_limit(backend: Backend) -> TestApp {
    crate::helpers::spawn_app_with(
        backend,
        &[("MAX_FAILED_ATTEMPTS", "2"), ("LOCKOUT_DURATION", "1")],
    )
    .await
}

mod unknown;
mod unlock;
