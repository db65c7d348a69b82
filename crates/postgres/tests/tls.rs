//! TLS to PostgreSQL: a server with `ssl = on` and certificates made by the test. The chain is
//! always verified, the host name too with `verify-full`; a TLS mode never falls back to plain
//! text, while `sslmode=disable` still reaches a TLS server in the clear (PostgreSQL allows it).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use authd_postgres::{PgError, PgSettings, PostgresStore, run_migrations};
use authd_testkit::postgres::{PgServer, server};
use authd_testkit::tls::TestCertificates;
use std::time::Duration;

async fn connect(url: String) -> Result<PostgresStore, PgError> {
    PostgresStore::connect(&PgSettings {
        url,
        pool_min: 1,
        pool_max: 2,
        connect_timeout: Duration::from_secs(5),
        statement_timeout: Duration::from_secs(5),
    })
    .await
}

fn with(url: &str, query: &str) -> String {
    format!("{url}?{query}")
}

fn ca(certs: &TestCertificates) -> String {
    // As the configuration writes it: percent-encoded.
    certs.ca_file().display().to_string().replace('/', "%2F")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_modes_verify_the_chain_and_verify_full_the_name_too() {
    let certs = TestCertificates::generate();
    let wrong = TestCertificates::generate();
    let pg = PgServer::start_with_tls(&certs).await;
    let url = pg.fresh_database(None).await;

    for mode in ["require", "verify-ca", "verify-full"] {
        let store = connect(with(
            &url,
            &format!("sslmode={mode}&sslrootcert={}", ca(&certs)),
        ))
        .await
        .unwrap_or_else(|e| panic!("sslmode={mode}: {e}"));
        assert!(store.ping().await, "sslmode={mode}");
    }
    run_migrations(&with(
        &url,
        &format!("sslmode=verify-full&sslrootcert={}", ca(&certs)),
    ))
    .await
    .expect("migrations over TLS");

    for mode in ["require", "verify-ca", "verify-full"] {
        let e = connect(with(
            &url,
            &format!("sslmode={mode}&sslrootcert={}", ca(&wrong)),
        ))
        .await
        .err()
        .unwrap_or_else(|| panic!("sslmode={mode} accepted a certificate of an unknown CA"));
        assert!(e.to_string().contains("UnknownIssuer"), "{e}");
    }
    // Without a CA file, Mozilla's roots: they do not know the test CA either.
    let e = connect(with(&url, "sslmode=require")).await.err().unwrap();
    assert!(e.to_string().contains("UnknownIssuer"), "{e}");

    // The certificate names localhost and 127.0.0.1; `hostaddr` reaches the server under a
    // name it does not hold.
    let other_name = url.replace("127.0.0.1", "db.example.test");
    let tls = |mode: &str| {
        format!(
            "hostaddr=127.0.0.1&sslmode={mode}&sslrootcert={}",
            ca(&certs)
        )
    };
    let e = connect(with(&other_name, &tls("verify-full")))
        .await
        .expect_err("verify-full accepted a certificate for another name");
    assert!(e.to_string().contains("not valid for name"), "{e}");
    let store = connect(with(&other_name, &tls("verify-ca")))
        .await
        .expect("verify-ca checks the chain only");
    assert!(store.ping().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_never_falls_back_to_plain_text_and_disable_stays_plain() {
    let certs = TestCertificates::generate();
    let plain = server().await.fresh_database(None).await;
    let e = connect(with(
        &plain,
        &format!("sslmode=verify-full&sslrootcert={}", ca(&certs)),
    ))
    .await
    .expect_err("a server without TLS was accepted");
    assert!(e.to_string().contains("TLS"), "{e}");

    let pg = PgServer::start_with_tls(&certs).await;
    let url = pg.fresh_database(None).await;
    let store = connect(with(&url, "sslmode=disable")).await.unwrap();
    assert!(store.ping().await);
}

#[tokio::test]
async fn a_ca_file_without_a_tls_mode_or_that_cannot_be_read_is_refused() {
    let e = connect("postgres://u@127.0.0.1:1/db?sslrootcert=%2Ftmp%2Fca.pem".to_owned())
        .await
        .err()
        .unwrap();
    assert!(e.to_string().contains("sslrootcert"), "{e}");
    let e = connect(
        "postgres://u@127.0.0.1:1/db?sslmode=verify-full&sslrootcert=%2Fnonexistent%2Fca.pem"
            .to_owned(),
    )
    .await
    .err()
    .unwrap();
    assert!(e.to_string().contains("/nonexistent/ca.pem"), "{e}");
}
