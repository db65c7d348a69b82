//! The same checks on a real three-master Redis Cluster, and where the keys land: one user's
//! denials (and one spread's keys) in one slot, many users' over every master.

use super::{connect, on};
use authd_domain::ids::{SessionId, UserId};
use authd_domain::policy::rate_limit::RateLimit;
use authd_domain::ports::{RateLimiter, TokenDenylist};
use authd_redis::{Login, RedisStore, RedisTopology};
use authd_testkit::fixtures;
use authd_testkit::redis::RedisServer;
use authd_testkit::redis::cluster::cluster;
use chrono::Utc;

fn topology() -> RedisTopology {
    RedisTopology::Cluster {
        nodes: cluster().nodes(),
        login: Login::default(),
        tls: false,
    }
}

async fn store() -> RedisStore {
    connect(&on(topology(), RedisServer::unique_prefix())).await
}

authd_testkit::cache_conformance! {
    denylist: store().await,
    rate_limiter: store().await,
    failure_spread: store().await,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_users_denials_share_one_master_and_many_users_spread_over_several() {
    let prefix = RedisServer::unique_prefix();
    let s = connect(&on(topology(), prefix.clone())).await;
    let until = Utc::now() + chrono::Duration::hours(1);
    let user = UserId::new();
    let claims = fixtures::access_claims(user, SessionId::new(), Utc::now());

    s.deny_token(user, claims.token_id, until).await.unwrap();
    s.deny_sessions(user, &[SessionId::new(), SessionId::new()], until)
        .await
        .unwrap();
    s.deny_user_before(user, Utc::now(), until).await.unwrap();

    let per_master = cluster().keys_per_master(&prefix);
    assert_eq!(
        per_master.iter().filter(|n| **n > 0).count(),
        1,
        "one user's denials on several masters: {per_master:?}"
    );
    assert_eq!(per_master.iter().sum::<usize>(), 4);
    assert!(s.is_denied(&claims).await.unwrap());

    for _ in 0..30 {
        s.deny_token(UserId::new(), claims.token_id, until)
            .await
            .unwrap();
    }
    let per_master = cluster().keys_per_master(&prefix);
    assert!(
        per_master.iter().all(|n| *n > 0),
        "31 users' denials all on some masters only: {per_master:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_stores_on_the_cluster_share_denials_and_counts() {
    let shared = on(topology(), RedisServer::unique_prefix());
    let (a, b) = (connect(&shared).await, connect(&shared).await);
    let claims = fixtures::access_claims(UserId::new(), SessionId::new(), Utc::now());
    let limit = RateLimit::new(5, chrono::Duration::minutes(1));

    a.deny_sessions(
        claims.user_id,
        &[claims.session_id],
        Utc::now() + chrono::Duration::hours(1),
    )
    .await
    .unwrap();
    let mut allowed = 0;
    for n in 0..8 {
        let instance = if n % 2 == 0 { &a } else { &b };
        allowed += usize::from(instance.hit("login:10.0.0.1", limit).await.unwrap().allowed);
    }

    assert!(b.is_denied(&claims).await.unwrap());
    assert_eq!(allowed, 5, "8 hits on two instances with a limit of 5");
    assert!(a.ping().await && b.ping().await);
}
