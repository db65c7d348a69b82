//! The storage backends every test runs on, and the PostgreSQL side of them: one throw-away
//! server per test process (from `authd-testkit`), a template database migrated once by the
//! binary's own `authd::migrations::apply`, and a fresh clone of it per app.

use rstest_reuse::template;

/// Which storage the app under test uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The embedded default: nothing installed, nothing kept.
    Memory,
    /// PostgreSQL, through the binary's `DATABASE_URL`.
    Postgres,
}

/// Runs the test it is applied to once per backend: `<test>::case_1_memory` and
/// `<test>::case_2_postgres`. The test takes `backend: Backend`.
#[template]
#[rstest::rstest]
#[case::memory(crate::helpers::Backend::Memory)]
#[case::postgres(crate::helpers::Backend::Postgres)]
#[tokio::test]
pub fn backends(#[case] backend: Backend) {}

const TEMPLATE: &str = "authd_api_template";

/// A new database with the current schema, on the test process's PostgreSQL server; its URL.
pub async fn fresh_database() -> String {
    let server = authd_testkit::postgres::server().await;
    server.create_template(TEMPLATE, migrate).await;
    server.fresh_database(Some(TEMPLATE)).await
}

async fn migrate(url: String) {
    let config = authd::Config::from_vars([("DATABASE_URL".to_owned(), url)])
        .expect("a database URL from the test server is valid configuration");
    let database = config.database.expect("DATABASE_URL selects PostgreSQL");
    let applied = authd::migrations::apply(&database)
        .await
        .unwrap_or_else(|e| panic!("migrating the template database: {e}"));
    assert!(
        !applied.is_empty(),
        "an empty database has migrations to apply"
    );
}
