//! TLS to Redis: a server with a TLS port only and certificates made by the test. `rediss://`
//! verifies the server's certificate against `tls_ca_file`; a wrong CA, a plain-text server or
//! a CA file with a plain `redis://` URL fails the connection. The same for a cluster and a
//! sentinel group speaking TLS only.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use authd_clock::SystemClock;
use authd_domain::ids::{SessionId, UserId};
use authd_domain::ports::TokenDenylist;
use authd_redis::{Login, RedisError, RedisSettings, RedisStore, RedisTopology};
use authd_testkit::fixtures;
use authd_testkit::redis::cluster::RedisCluster;
use authd_testkit::redis::sentinel::{MASTER_NAME, RedisSentinels};
use authd_testkit::redis::{RedisServer, server};
use authd_testkit::tls::TestCertificates;
use chrono::Utc;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

async fn connect(url: String, ca: Option<PathBuf>) -> Result<RedisStore, RedisError> {
    let settings = RedisSettings {
        command_timeout: Duration::from_secs(2),
        key_prefix: RedisServer::unique_prefix(),
        tls_ca_file: ca,
        ..RedisSettings::new(url)
    };
    RedisStore::connect(&settings, Arc::new(SystemClock)).await
}

/// The server's certificate was refused: a connection error naming the certificate, not a
/// timeout (which a server that merely hangs would give as well).
#[track_caller]
fn certificate_refused(result: Result<RedisStore, RedisError>) {
    match result {
        Err(RedisError::Connect(message)) => assert!(
            message.to_lowercase().contains("certificate"),
            "not about the certificate: {message}"
        ),
        Err(e) => panic!("expected a refused certificate, got {e:?}"),
        Ok(_) => panic!("a certificate nobody vouches for passed"),
    }
}

/// Plain text to a TLS-only port: the server drops the connection, which is no timeout.
#[track_caller]
fn plain_text_refused(result: Result<RedisStore, RedisError>) {
    match result {
        Err(RedisError::Connect(_)) => {}
        Err(e) => panic!("expected a refused connection, got {e:?}"),
        Ok(_) => panic!("plain text to a TLS-only port passed"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rediss_with_the_servers_ca_serves_and_a_wrong_ca_is_refused() {
    let certs = TestCertificates::generate();
    let wrong = TestCertificates::generate();
    let redis = RedisServer::start_with_tls(&certs);
    assert!(redis.url().starts_with("rediss://"));

    let store = connect(redis.url(), Some(certs.ca_file())).await.unwrap();
    assert!(store.ping().await);
    let claims = fixtures::access_claims(UserId::new(), SessionId::new(), Utc::now());
    store
        .deny_token(claims.user_id, claims.token_id, claims.expires_at)
        .await
        .unwrap();
    assert!(store.is_denied(&claims).await.unwrap());

    certificate_refused(connect(redis.url(), Some(wrong.ca_file())).await);
    // Mozilla's roots do not know the test CA either.
    certificate_refused(connect(redis.url(), None).await);
    // Plain text to a TLS-only server is no way round: it has no plain port.
    let plain = redis.url().replace("rediss://", "redis://");
    plain_text_refused(connect(plain, None).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rediss_to_a_plain_server_fails_and_a_ca_needs_rediss() {
    let certs = TestCertificates::generate();
    let plain = server().url();
    let tls = plain.replace("redis://", "rediss://");
    // A plain server reads the TLS hello as an inline command: it answers an error when the
    // hello's random bytes happen to hold a newline, and otherwise waits for one. Either way
    // the store is refused (a failed handshake, or the timeout), never connected in plain text.
    let refused = connect(tls, Some(certs.ca_file())).await;
    assert!(
        matches!(
            refused,
            Err(RedisError::Connect(_) | RedisError::Timeout(_))
        ),
        "{refused:?}"
    );
    let e = connect(plain, Some(certs.ca_file()))
        .await
        .expect_err("a CA with redis://");
    assert!(e.to_string().contains("rediss://"), "{e}");
}

/// `topology` with the CA file `ca`, under a prefix of its own.
async fn connect_to(
    topology: RedisTopology,
    ca: Option<PathBuf>,
) -> Result<RedisStore, RedisError> {
    let settings = RedisSettings {
        command_timeout: Duration::from_secs(2),
        key_prefix: RedisServer::unique_prefix(),
        tls_ca_file: ca,
        ..RedisSettings::with_topology(topology)
    };
    RedisStore::connect(&settings, Arc::new(SystemClock)).await
}

/// Denies a token and reads the denial back: the store works end to end.
async fn assert_serves(store: &RedisStore) {
    assert!(store.ping().await);
    let claims = fixtures::access_claims(UserId::new(), SessionId::new(), Utc::now());
    store
        .deny_token(claims.user_id, claims.token_id, claims.expires_at)
        .await
        .unwrap();
    assert!(store.is_denied(&claims).await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tls_cluster_serves_with_its_ca_and_refuses_a_wrong_one_or_plain_text() {
    let certs = TestCertificates::generate();
    let wrong = TestCertificates::generate();
    let cluster = tokio::task::block_in_place(|| RedisCluster::start_with_tls(&certs));
    let topology = |tls| RedisTopology::Cluster {
        nodes: cluster.nodes(),
        login: Login::default(),
        tls,
    };

    let store = connect_to(topology(true), Some(certs.ca_file()))
        .await
        .unwrap();
    assert_serves(&store).await;

    certificate_refused(connect_to(topology(true), Some(wrong.ca_file())).await);
    // Mozilla's roots.
    certificate_refused(connect_to(topology(true), None).await);
    plain_text_refused(connect_to(topology(false), None).await);
    let e = connect_to(topology(false), Some(certs.ca_file()))
        .await
        .expect_err("a CA without TLS");
    assert!(e.to_string().contains("TLS is off"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_sentinels_serve_with_their_ca_and_refuse_a_wrong_one_or_plain_text() {
    let certs = TestCertificates::generate();
    let wrong = TestCertificates::generate();
    let group = tokio::task::block_in_place(|| RedisSentinels::start_with_tls(&certs));
    let topology = |tls| RedisTopology::Sentinel {
        sentinels: group.sentinel_nodes(),
        master: MASTER_NAME.to_owned(),
        login: Login::default(),
        sentinel_password: None,
        db: 0,
        tls,
    };

    let store = connect_to(topology(true), Some(certs.ca_file()))
        .await
        .unwrap();
    assert_serves(&store).await;

    certificate_refused(connect_to(topology(true), Some(wrong.ca_file())).await);
    certificate_refused(connect_to(topology(true), None).await);
    plain_text_refused(connect_to(topology(false), None).await);
}
