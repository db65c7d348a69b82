//! TLS to Redis: a server with a TLS port only and certificates made by the test. `rediss://`
//! verifies the server's certificate against `tls_ca_file`; a wrong CA, a plain-text server or
//! a CA file with a plain `redis://` URL fails the connection.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use authd_clock::SystemClock;
use authd_domain::ids::{SessionId, UserId};
use authd_domain::ports::TokenDenylist;
use authd_redis::{RedisError, RedisSettings, RedisStore};
use authd_testkit::fixtures;
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

    let e = connect(redis.url(), Some(wrong.ca_file()))
        .await
        .expect_err("a wrong CA passed");
    assert!(e.to_string().to_lowercase().contains("certificate"), "{e}");
    // Mozilla's roots do not know the test CA either.
    assert!(connect(redis.url(), None).await.is_err());
    // Plain text to a TLS-only server is no way round: it has no plain port.
    let plain = redis.url().replace("rediss://", "redis://");
    assert!(connect(plain, None).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rediss_to_a_plain_server_fails_and_a_ca_needs_rediss() {
    let certs = TestCertificates::generate();
    let plain = server().url();
    let tls = plain.replace("redis://", "rediss://");
    assert!(connect(tls, Some(certs.ca_file())).await.is_err());
    let e = connect(plain, Some(certs.ca_file()))
        .await
        .expect_err("a CA with redis://");
    assert!(e.to_string().contains("rediss://"), "{e}");
}
