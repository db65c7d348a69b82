//! The `authd` command line against PostgreSQL: `authd migrate` applies the embedded
//! migrations once, and start-up fails clearly, never half-way, without a reachable database.

use crate::helpers::{MFA_ENCRYPTION_KEY as TEST_MFA_KEY, spawn_app_on};
use authd_testkit::postgres::server;
use std::process::{Command, Output};

/// Runs the real binary with only `vars` (plus `PATH`) in its environment, in a directory
/// without a `.env`.
async fn authd(args: &[&str], vars: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_authd"));
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("LOG_LEVEL", "warn")
        .current_dir(std::env::temp_dir())
        .envs(vars.iter().copied());
    tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("the command's thread")
        .expect("authd runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test]
async fn authd_migrate_applies_every_migration_once_and_then_finds_nothing_to_do() {
    let url = server().await.fresh_database(None).await;
    let database = [("DATABASE_URL", url.as_str())];

    let status = authd(&["migrate", "status"], &database).await;
    assert!(status.status.success(), "{}", stderr(&status));
    let pending = stdout(&status)
        .lines()
        .filter(|l| l.starts_with("pending "))
        .count();
    assert!(
        pending > 0,
        "an empty database has pending migrations: {}",
        stdout(&status)
    );

    let first = authd(&["migrate"], &database).await;
    assert!(first.status.success(), "{}", stderr(&first));
    let applied = stdout(&first)
        .lines()
        .filter(|l| l.starts_with("applied "))
        .count();
    assert_eq!(applied, pending, "{}", stdout(&first));

    let second = authd(&["migrate"], &database).await;
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(
        stdout(&second).contains("up to date"),
        "{}",
        stdout(&second)
    );

    // The migrated database serves: nothing more to set up by hand.
    let app = spawn_app_on(Some(url), &[("AUTO_MIGRATE", "false")]).await;
    let user = app.verified_user().await;
    app.login(&user).await;
}

#[tokio::test]
async fn authd_migrate_without_a_database_says_what_to_set() {
    let output = authd(&["migrate"], &[]).await;

    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("DATABASE_URL"),
        "{}",
        stderr(&output)
    );
}

#[tokio::test]
async fn start_up_without_a_reachable_database_fails_without_showing_the_password() {
    // A port nothing listens on: a free one, from a listener dropped at once.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let url = format!("postgres://authd:hunter2-secret@127.0.0.1:{closed}/authd");

    let output = authd(
        &["serve"],
        &[
            ("DATABASE_URL", url.as_str()),
            ("PORT", "0"),
            ("DB_CONNECT_TIMEOUT", "1s"),
            ("MFA_ENCRYPTION_KEY", TEST_MFA_KEY),
        ],
    )
    .await;

    assert!(!output.status.success(), "{}", stderr(&output));
    let all = format!("{}{}", stdout(&output), stderr(&output));
    assert!(all.contains(&format!("127.0.0.1:{closed}/authd")), "{all}");
    assert!(!all.contains("hunter2"), "the password leaked: {all}");
}

#[tokio::test]
async fn serving_from_postgresql_without_an_mfa_key_stops_at_once_saying_how_to_make_one() {
    let url = server().await.fresh_database(None).await;

    let output = authd(&["serve"], &[("DATABASE_URL", url.as_str()), ("PORT", "0")]).await;

    assert!(!output.status.success(), "{}", stderr(&output));
    let all = format!("{}{}", stdout(&output), stderr(&output));
    assert!(all.contains("MFA_ENCRYPTION_KEY"), "{all}");
    assert!(all.contains("openssl rand -base64 32"), "{all}");
    // Stopped before touching the database: nothing was migrated.
    let status = authd(&["migrate", "status"], &[("DATABASE_URL", url.as_str())]).await;
    assert!(stdout(&status).contains("pending "), "{}", stdout(&status));
}

#[tokio::test]
async fn a_database_that_accepts_connections_but_lacks_the_schema_is_migrated_at_start_up() {
    let url = server().await.fresh_database(None).await;

    let app = spawn_app_on(Some(url), &[]).await;

    let user = app.verified_user().await;
    app.login(&user).await;
}
