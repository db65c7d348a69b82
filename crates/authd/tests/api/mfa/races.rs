//! The races of a second factor, with real concurrency: one TOTP code presented on 20 challenges
//! at once logs in once; one challenge answered 20 times at once ends in one session. Over
//! memory and PostgreSQL, and both across three instances sharing PostgreSQL and Redis.

use crate::helpers::{Backend, backends};
use crate::helpers::{Cluster, Production, TestApp, spawn_app_with};
use futures_util::future::join_all;
use rstest_reuse::apply;

/// Replays and lost races are wrong codes; the lockout must not decide these races.
const NO_LOCKOUT: (&str, &str) = ("MAX_FAILED_ATTEMPTS", "1000");

async fn session_count(app: &TestApp, access: &str) -> usize {
    let reply = app.get_authed("/v1/users/me/sessions", access).await;
    reply.ok(200).as_array().expect("sessions").len()
}

/// The memory store keeps a user's 10 latest outstanding challenges (a bound on memory); older
/// ones are gone, as if expired.
const MEMORY_CHALLENGES_KEPT: usize = 10;

#[apply(backends)]
async fn one_code_on_twenty_challenges_at_once_logs_in_exactly_once(backend: Backend) {
    let app = spawn_app_with(backend, &[NO_LOCKOUT]).await;
    let mfa = app.mfa_user().await;
    let mut tokens = Vec::new();
    for _ in 0..20 {
        tokens.push(app.mfa_challenge(&mfa.user).await);
    }
    let code = mfa.setup.authenticator.code(0).await;

    let replies = join_all(tokens.iter().map(|t| app.mfa_verify(t, &code))).await;

    let won = replies.iter().filter(|r| r.status == 200).count();
    assert_eq!(won, 1, "{replies:#?}");
    let dropped = match backend {
        Backend::Memory => tokens.len() - MEMORY_CHALLENGES_KEPT,
        Backend::Postgres => 0,
    };
    for (i, reply) in replies.iter().enumerate().filter(|(_, r)| r.status != 200) {
        if i < dropped {
            reply.error(401, "INVALID_MFA_TOKEN");
        } else {
            reply.error(401, "INVALID_MFA_CODE");
        }
    }
}

#[apply(backends)]
async fn one_challenge_answered_twenty_times_at_once_ends_in_exactly_one_session(backend: Backend) {
    let app = spawn_app_with(backend, &[NO_LOCKOUT]).await;
    let mfa = app.mfa_user().await;
    let before = session_count(&app, &mfa.access_token).await;
    let token = app.mfa_challenge(&mfa.user).await;

    // Ten different valid codes, each twice: only the challenge's single use stops a second win.
    let replies = join_all((0..20).map(|i| {
        let code = mfa.backup_code(i % 10).to_owned();
        let token = token.clone();
        let app = &app;
        async move { app.mfa_verify(&token, &code).await }
    }))
    .await;

    let won = replies.iter().filter(|r| r.status == 200).count();
    assert_eq!(won, 1, "{replies:#?}");
    for reply in replies.iter().filter(|r| r.status != 200) {
        assert_eq!(reply.status, 401, "{reply:#?}");
    }
    assert_eq!(session_count(&app, &mfa.access_token).await, before + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_code_on_twenty_challenges_across_three_instances_logs_in_exactly_once() {
    let production = Production::shared().await;
    let cluster = Cluster::start(
        &production,
        3,
        &[
            NO_LOCKOUT,
            ("AUTH_RATE_LIMIT_MAX", "1000"),
            ("RATE_LIMIT_MAX", "10000"),
        ],
    )
    .await;
    let mfa = cluster.next().mfa_user().await;
    let nodes: Vec<&TestApp> = (0..20).map(|_| cluster.next()).collect();
    let tokens = join_all(nodes.iter().map(|node| node.mfa_challenge(&mfa.user))).await;
    let code = mfa.setup.authenticator.code(0).await;

    let replies = join_all(
        nodes
            .iter()
            .rev()
            .zip(&tokens)
            .map(|(node, token)| node.mfa_verify(token, &code)),
    )
    .await;

    let won = replies.iter().filter(|r| r.status == 200).count();
    assert_eq!(won, 1, "{replies:#?}");
    for reply in replies.iter().filter(|r| r.status != 200) {
        // Past the user's 10 codes per 5 minutes (shared in Redis), a 429.
        let code = if reply.status == 429 {
            "RATE_LIMIT_EXCEEDED"
        } else {
            "INVALID_MFA_CODE"
        };
        reply.error(reply.status, code);
        assert!(matches!(reply.status, 401 | 429), "{reply:#?}");
    }
    let refused = replies.iter().filter(|r| r.status == 429).count();
    assert!(
        refused >= 10,
        "the per-user limit holds across instances: {refused}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_challenge_answered_twenty_times_across_three_instances_ends_in_one_session() {
    let production = Production::shared().await;
    let cluster = Cluster::start(
        &production,
        3,
        &[
            NO_LOCKOUT,
            ("AUTH_RATE_LIMIT_MAX", "1000"),
            ("RATE_LIMIT_MAX", "10000"),
        ],
    )
    .await;
    let mfa = cluster.next().mfa_user().await;
    let before = session_count(cluster.next(), &mfa.access_token).await;
    let token = cluster.next().mfa_challenge(&mfa.user).await;
    let nodes: Vec<&TestApp> = (0..20).map(|_| cluster.next()).collect();

    // Ten different valid backup codes, each twice, spread over the three instances.
    let replies = join_all(
        nodes
            .iter()
            .enumerate()
            .map(|(i, node)| node.mfa_verify(&token, mfa.backup_code(i % 10))),
    )
    .await;

    let won = replies.iter().filter(|r| r.status == 200).count();
    assert_eq!(won, 1, "{replies:#?}");
    for reply in replies.iter().filter(|r| r.status != 200) {
        // Out of attempts or beaten (401), or past the user's shared limit (429).
        assert!(matches!(reply.status, 401 | 429), "{reply:#?}");
    }
    assert_eq!(
        session_count(cluster.next(), &mfa.access_token).await,
        before + 1
    );
}
