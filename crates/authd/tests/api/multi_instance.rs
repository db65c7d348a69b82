//! Three `authd` processes on loopback sharing one PostgreSQL, one Redis and one SMTP server,
//! with requests spread over them: limits, refresh-token reuse detection and revocation hold
//! across instances exactly as on one.

use crate::helpers::{Cluster, Production, TestUser, assert_access_revoked};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_login_limit_of_five_per_ip_holds_in_total_across_three_instances() {
    let cluster = Cluster::start(&Production::shared().await, 3, &[]).await;
    // A new address each time: five failures of one address would lock it (423), and this
    // test is about the limit per client IP, not the lockout.
    let stranger = || TestUser::random().credentials();

    for attempt in 1..=5 {
        let node = cluster.next();
        let reply = node.login_reply(&stranger()).await;
        assert_eq!(
            reply.status, 401,
            "attempt {attempt} on {}: {reply:#?}",
            node.address
        );
    }

    for node in &cluster.nodes {
        node.login_reply(&stranger())
            .await
            .error(429, "RATE_LIMIT_EXCEEDED");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_token_rotated_on_one_instance_and_reused_on_another_after_the_grace_revokes_the_family()
 {
    let cluster = Cluster::start(
        &Production::shared().await,
        3,
        &[("REFRESH_REUSE_GRACE", "2s")],
    )
    .await;
    let [a, b, c] = [&cluster.nodes[0], &cluster.nodes[1], &cluster.nodes[2]];
    let user = a.verified_user().await;
    let login = a.login(&user).await;

    let rotated = a.refresh(&login.refresh_token).await;
    let successor = rotated.ok(200)["refreshToken"]
        .as_str()
        .expect("a new refresh token")
        .to_owned();
    let new_access = rotated.body["data"]["accessToken"]
        .as_str()
        .expect("a new access token")
        .to_owned();
    let within_grace = b.refresh(&login.refresh_token).await;
    assert_eq!(
        within_grace.ok(200)["refreshToken"],
        successor.as_str(),
        "inside the grace window another instance returns the same successor"
    );
    tokio::time::sleep(Duration::from_millis(2500)).await;

    b.refresh(&login.refresh_token)
        .await
        .error(401, "TOKEN_REVOKED");

    let reply = c.refresh(&successor).await;
    assert_eq!(
        reply.status, 401,
        "the whole family is dead on C: {reply:#?}"
    );
    assert_access_revoked(c, &new_access).await;
    assert_access_revoked(a, &login.access_token).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_logout_on_one_instance_makes_that_access_token_fail_on_the_other_two_at_once() {
    let cluster = Cluster::start(&Production::shared().await, 3, &[]).await;
    let [a, b, c] = [&cluster.nodes[0], &cluster.nodes[1], &cluster.nodes[2]];
    let user = b.verified_user().await;
    let login = c.login(&user).await;
    for node in [a, b, c] {
        node.me(&login.access_token).await.ok(200);
    }

    a.logout(&login.access_token, &serde_json::json!({}))
        .await
        .ok(200);

    assert_access_revoked(b, &login.access_token).await;
    assert_access_revoked(c, &login.access_token).await;
}
