//! The port conformance suites of `authd-testkit`, run against PostgreSQL: one test per check,
//! each on a database of its own, cloned from a template the migrations ran on once. The
//! server is a throw-away one this test process starts (see `authd_testkit::postgres`).
//! Also: the migrations revert and apply again, and a stopped database fails operations as
//! unavailable and serves again once it is back; the look-alike key of usernames agrees with
//! the SQL that filled it in (`username_skeleton`); the MFA tables hold nothing in the clear and
//! the MFA races settled by row locks (`mfa`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "conformance/mfa/mod.rs"]
mod mfa;
#[path = "conformance/sweep.rs"]
mod sweep;
#[path = "conformance/username_skeleton.rs"]
mod username_skeleton;

use authd_domain::error::PortError;
use authd_domain::ids::UserId;
use authd_postgres::{
    PgSettings, PostgresStore, pending_migrations, revert_all_migrations, run_migrations,
};
use authd_testkit::postgres::{PgServer, server};
use authd_testkit::{StorageUnderTest, support};
use std::sync::Arc;
use std::time::Duration;

const TEMPLATE: &str = "authd_migrated";

async fn connect(url: String) -> PostgresStore {
    let settings = PgSettings {
        url,
        pool_min: 1,
        pool_max: 16,
        connect_timeout: Duration::from_secs(5),
        statement_timeout: Duration::from_secs(5),
    };
    PostgresStore::connect(&settings)
        .await
        .expect("connecting to a fresh test database")
}

/// A fresh, migrated database on `pg`.
async fn migrated_database(pg: &PgServer) -> String {
    pg.create_template(TEMPLATE, |url| async move {
        run_migrations(&url)
            .await
            .expect("migrating the template database");
    })
    .await;
    pg.fresh_database(Some(TEMPLATE)).await
}

async fn storage() -> StorageUnderTest {
    let url = migrated_database(server().await).await;
    StorageUnderTest::from_store(Arc::new(connect(url).await))
}

authd_testkit::storage_conformance!(storage().await);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_migration_reverts_cleanly_and_applies_again() {
    let url = server().await.fresh_database(None).await;
    let all = pending_migrations(&url)
        .await
        .expect("listing the migrations");
    assert!(!all.is_empty(), "no migrations are embedded");
    assert_eq!(run_migrations(&url).await.expect("first run"), all);

    revert_all_migrations(&url)
        .await
        .expect("reverting every migration");
    assert_eq!(pending_migrations(&url).await.expect("listing"), all);
    let s = StorageUnderTest::from_store(Arc::new(connect(url.clone()).await));
    assert!(
        s.users.find_by_id(UserId::new()).await.is_err(),
        "the users table outlived the reverted migrations"
    );

    assert_eq!(run_migrations(&url).await.expect("second run"), all);
    assert_eq!(
        pending_migrations(&url).await.expect("listing"),
        Vec::<String>::new()
    );
    let user = support::registered_user(&s).await;
    assert_eq!(
        s.users.find_by_id(user.id).await.unwrap().map(|u| u.id),
        Some(user.id)
    );
    assert!(
        s.audit.for_user(user.id, 10).await.is_ok(),
        "the audit trail is gone"
    );
}

/// On a server of its own: stopping the shared one would fail the checks running beside it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stopped_database_gives_unavailable_errors_and_recovers() {
    let pg = PgServer::start_new().await;
    let store = Arc::new(connect(migrated_database(&pg).await).await);
    let s = StorageUnderTest::from_store(store.clone());
    let user = support::registered_user(&s).await;

    pg.stop();
    let started = tokio::time::Instant::now();
    match s.users.find_by_id(user.id).await {
        Err(PortError::Unavailable(_)) => {}
        other => panic!("a stopped database must be unavailable, got {other:?}"),
    }
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "the failure took too long"
    );
    assert!(
        !store.ping().await,
        "ping answers while the database is down"
    );

    pg.start();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        match s.users.find_by_id(user.id).await {
            Ok(found) => {
                assert_eq!(found.map(|u| u.id), Some(user.id));
                break;
            }
            Err(e) if tokio::time::Instant::now() < deadline => {
                eprintln!("not recovered yet: {e}");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("the store did not recover once the database was back: {e}"),
        }
    }
    assert!(
        store.ping().await,
        "ping fails although the database is back"
    );
}

/// The rows of `login_failures`, read directly.
async fn login_failure_rows(url: &str) -> Vec<(String, i32)> {
    use diesel::sql_types::{Int4, Text};
    use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        digest: String,
        #[diesel(sql_type = Int4)]
        failed_attempts: i32,
    }
    let mut conn = AsyncPgConnection::establish(url).await.unwrap();
    let rows: Vec<Row> =
        diesel::sql_query("SELECT digest, failed_attempts FROM login_failures ORDER BY digest")
            .load(&mut conn)
            .await
            .unwrap();
    rows.into_iter()
        .map(|r| (r.digest, r.failed_attempts))
        .collect()
}

/// A row whose lock has expired answers as no row does, so the next lock deletes it; rows that
/// never locked, or are still locked, stay.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_new_lock_deletes_the_identifiers_whose_lock_has_expired() {
    use authd_domain::policy::lockout::LockoutPolicy;
    use authd_domain::ports::LoginAttempts;
    use authd_domain::token::TokenHash;
    use authd_testkit::fixtures::t0;

    let url = migrated_database(server().await).await;
    let store = connect(url.clone()).await;
    let policy = LockoutPolicy::default();
    let key = |name: &str| TokenHash::from_trusted(name.to_owned());
    let fail = async |name: &str, times: u32, at| {
        for _ in 0..times {
            store
                .record_unknown_failure(&key(name), at, &policy)
                .await
                .unwrap();
        }
    };
    fail("a-expired", 5, t0()).await;
    fail("b-counting", 2, t0()).await;
    let later = t0() + policy.duration + chrono::Duration::minutes(1);
    fail("c-still-locked", 5, later - chrono::Duration::minutes(2)).await;

    fail("d-locks-now", 5, later).await;

    assert_eq!(
        login_failure_rows(&url).await,
        vec![
            ("b-counting".to_owned(), 2),
            ("c-still-locked".to_owned(), 5),
            ("d-locks-now".to_owned(), 5),
        ]
    );
}
