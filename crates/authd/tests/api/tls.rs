//! PostgreSQL and Redis over TLS, with certificates made by the test: a server with `ssl = on`
//! and a Redis with a TLS port only carry registration, login and refresh; a wrong CA stops
//! start-up with one line naming the variable; TLS asked of a server without it fails rather
//! than fall back to plain text, while `sslmode=disable` still reaches a TLS server in the clear
//! (PostgreSQL allows it, and the operator asked for it).

use crate::helpers::{MFA_ENCRYPTION_KEY, spawn_app_on};
use authd_testkit::postgres::{PgServer, server};
use authd_testkit::redis::RedisServer;
use authd_testkit::tls::TestCertificates;
use std::process::{Command, Output};
use tokio_postgres::NoTls;

/// `authd serve` with only `vars` (plus `PATH`), expected to stop at start-up: its stderr.
async fn failed_start_up(vars: &[(&str, &str)]) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_authd"));
    command
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs([
            ("LOG_LEVEL", "error"),
            ("PORT", "0"),
            ("DB_CONNECT_TIMEOUT", "2s"),
            ("MFA_ENCRYPTION_KEY", MFA_ENCRYPTION_KEY),
        ])
        .envs(vars.iter().copied())
        .current_dir(std::env::temp_dir());
    let output: Output = tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("the command's thread")
        .expect("authd runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    stderr
}

/// The one line of `stderr` that says why start-up failed.
fn the_reason(stderr: &str) -> &str {
    let reasons: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("authd: start-up failed"))
        .collect();
    assert_eq!(reasons.len(), 1, "{stderr}");
    reasons[0]
}

/// How many of the server's connections to `database` are encrypted, and how many are not.
async fn connections_by_tls(pg: &PgServer, database: &str) -> (i64, i64) {
    let admin = format!("{}?sslmode=disable", pg.admin_url());
    let (client, connection) = tokio_postgres::connect(&admin, NoTls)
        .await
        .expect("the admin connection");
    tokio::spawn(connection);
    let name = database.rsplit('/').next().expect("a database name");
    let row = client
        .query_one(
            "SELECT count(*) FILTER (WHERE s.ssl), count(*) FILTER (WHERE NOT s.ssl) \
             FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.datname = $1",
            &[&name],
        )
        .await
        .expect("pg_stat_ssl");
    (row.get(0), row.get(1))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_and_redis_over_tls_carry_registration_login_and_refresh() {
    let certs = TestCertificates::generate();
    let pg = PgServer::start_with_tls(&certs).await;
    let database = pg.fresh_database(None).await;
    let ca = certs.ca_file().display().to_string();
    // The Redis server has a CA of its own: each variable names the CA of its server.
    let (redis, redis_certs) = tokio::task::spawn_blocking(|| {
        let certs = TestCertificates::generate();
        (RedisServer::start_with_tls(&certs), certs)
    })
    .await
    .expect("starting Redis");
    let redis_ca = redis_certs.ca_file().display().to_string();
    let redis_url = redis.url();

    let app = spawn_app_on(
        Some(database.clone()),
        &[
            ("DB_SSL", "true"),
            ("DB_SSL_CA_FILE", &ca),
            ("REDIS_URL", &redis_url),
            ("REDIS_TLS_CA_FILE", &redis_ca),
        ],
    )
    .await;
    let user = app.verified_user().await;
    let login = app.login(&user).await;
    let refreshed = app.refresh(&login.refresh_token).await;
    let body = refreshed.ok(200);
    let access = body["accessToken"].as_str().expect("a new access token");
    app.me(access).await.ok(200);
    // Logging out denies the access token in Redis: the denylist works over TLS too.
    app.logout(access, &serde_json::json!({})).await;
    assert_eq!(app.me(access).await.status, 401);

    let (encrypted, plain) = connections_by_tls(&pg, &database).await;
    assert!(encrypted > 0, "authd holds no TLS connection");
    assert_eq!(plain, 0, "authd holds {plain} plain-text connection(s)");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_ca_stops_start_up_with_one_line_naming_the_variable() {
    let certs = TestCertificates::generate();
    let wrong = TestCertificates::generate();
    let wrong_ca = wrong.ca_file().display().to_string();
    let pg = PgServer::start_with_tls(&certs).await;
    let database = pg.fresh_database(None).await;

    let stderr = failed_start_up(&[
        ("DATABASE_URL", &database),
        ("DB_SSL", "true"),
        ("DB_SSL_CA_FILE", &wrong_ca),
    ])
    .await;
    let reason = the_reason(&stderr);
    assert!(reason.contains("DB_SSL_CA_FILE"), "{reason}");
    assert!(reason.contains("UnknownIssuer"), "{reason}");

    let redis = tokio::task::spawn_blocking(move || RedisServer::start_with_tls(&certs))
        .await
        .expect("starting Redis");
    let plain_db = server().await.fresh_database(None).await;
    let stderr = failed_start_up(&[
        ("DATABASE_URL", &plain_db),
        ("REDIS_URL", &redis.url()),
        ("REDIS_TLS_CA_FILE", &wrong_ca),
    ])
    .await;
    let reason = the_reason(&stderr);
    assert!(reason.contains("REDIS_TLS_CA_FILE"), "{reason}");
    assert!(reason.to_lowercase().contains("certificate"), "{reason}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_to_a_server_without_it_fails_and_sslmode_disable_stays_plain() {
    let plain_db = server().await.fresh_database(None).await;
    let stderr = failed_start_up(&[("DATABASE_URL", &plain_db), ("DB_SSL", "true")]).await;
    let reason = the_reason(&stderr);
    // The server's refusal, not merely the target (which says "over TLS" whatever happened).
    assert!(reason.contains("does not support TLS"), "{reason}");

    let certs = TestCertificates::generate();
    let pg = PgServer::start_with_tls(&certs).await;
    let database = pg.fresh_database(None).await;
    let app = spawn_app_on(Some(format!("{database}?sslmode=disable")), &[]).await;
    let user = app.verified_user().await;
    app.login(&user).await;
    let (encrypted, plain) = connections_by_tls(&pg, &database).await;
    assert_eq!(encrypted, 0);
    assert!(plain > 0);
    app.stop().await;
}
