//! The cleanup sweep as an operator sees it: it runs in the background (`SWEEP_INTERVAL`), old
//! rows go and live ones stay, and `/metrics` counts what it deleted.

use crate::helpers::{Backend, backends, fresh_database, spawn_app_on, spawn_app_with};
use rstest_reuse::apply;

const AUDIT_SWEPT: &str = "authd_cleanup_rows_deleted_total{table=\"audit_events\"}";
const SWEEPS: &str = "authd_cleanup_sweep_duration_seconds_count";

#[apply(backends)]
async fn the_sweep_runs_in_the_background_and_shows_on_metrics(backend: Backend) {
    let app = spawn_app_with(backend, &[("SWEEP_INTERVAL", "1s")]).await;
    // The first sweep runs at start-up, the next a second later.
    let scrape = app.scrape_until(SWEEPS, |n| n >= 2.0).await;
    for table in [
        "sessions",
        "one_time_tokens",
        "outbox",
        "audit_events",
        "mfa_challenges",
        "mfa_remembered_devices",
        "login_failures",
    ] {
        let series = format!("authd_cleanup_rows_deleted_total{{table=\"{table}\"}}");
        assert!(
            scrape.text.contains(&series),
            "{series} missing:\n{}",
            scrape.text
        );
    }
    assert_eq!(scrape.value(AUDIT_SWEPT), 0.0, "nothing old to delete yet");
    // Live state is untouched: a fresh login still works and its session is listed.
    let user = app.verified_user().await;
    let login = app.login(&user).await;
    app.scrape_until(SWEEPS, |n| n >= 3.0).await;
    app.me(&login.access_token).await.ok(200);
    assert_eq!(app.refresh(&login.refresh_token).await.status, 200);
}

#[tokio::test]
async fn with_the_sweep_off_nothing_is_swept() {
    let app = spawn_app_with(Backend::Memory, &[("SWEEP_INTERVAL", "off")]).await;
    // On, the first sweep runs at start-up; off, none has run a while later.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let scrape = app.scrape().await;
    assert!(scrape.text.contains(SWEEPS), "{}", scrape.text);
    assert_eq!(scrape.value(SWEEPS), 0.0);
}

#[tokio::test]
async fn old_audit_events_are_deleted_on_postgres_and_counted() {
    let url = fresh_database().await;
    let (db, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| panic!("connect: {e}"));
    tokio::spawn(connection);
    db.batch_execute(
        "INSERT INTO audit_events (id, at, kind) VALUES
           (gen_random_uuid(), now() - interval '400 days', 'login_succeeded'),
           (gen_random_uuid(), now() - interval '20 days', 'login_succeeded'),
           (gen_random_uuid(), now() - interval '5 days', 'logout')",
    )
    .await
    .unwrap_or_else(|e| panic!("insert: {e}"));
    let app = spawn_app_on(
        Some(url),
        &[("SWEEP_INTERVAL", "1s"), ("AUDIT_RETENTION", "10d")],
    )
    .await;
    app.scrape_until(AUDIT_SWEPT, |n| n == 2.0).await;
    let left: Vec<String> = db
        .query("SELECT kind FROM audit_events", &[])
        .await
        .unwrap_or_else(|e| panic!("select: {e}"))
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(left, ["logout"]);
}
