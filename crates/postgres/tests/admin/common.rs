//! A fresh migrated database and the store over it, plus raw SQL for what no port reads back.

use authd_domain::authorization::RoleName;
use authd_domain::user::{AccountStatus, User};
use authd_postgres::{PgSettings, PostgresStore, run_migrations};
use authd_testkit::StorageUnderTest;
use authd_testkit::fixtures;
use authd_testkit::postgres::server;
use std::sync::Arc;
use std::time::Duration;

const TEMPLATE: &str = "authd_admin_migrated";

pub struct Db {
    pub store: Arc<PostgresStore>,
    pub ports: StorageUnderTest,
    pub url: String,
}

pub async fn db() -> Db {
    let pg = server().await;
    pg.create_template(TEMPLATE, |url| async move {
        run_migrations(&url).await.expect("migrating the template");
    })
    .await;
    let url = pg.fresh_database(Some(TEMPLATE)).await;
    let settings = PgSettings {
        url: url.clone(),
        pool_min: 1,
        pool_max: 16,
        connect_timeout: Duration::from_secs(5),
        statement_timeout: Duration::from_secs(5),
    };
    let store = Arc::new(PostgresStore::connect(&settings).await.expect("connecting"));
    Db {
        ports: StorageUnderTest::from_store(store.clone()),
        store,
        url,
    }
}

impl Db {
    /// The number `sql` counts (`SELECT count(*) ...`).
    pub async fn count(&self, sql: &str) -> i64 {
        let (client, connection) = tokio_postgres::connect(&self.url, tokio_postgres::NoTls)
            .await
            .expect("connecting for a raw query");
        tokio::spawn(connection);
        client.query_one(sql, &[]).await.expect(sql).get(0)
    }

    /// Runs raw SQL, for rows no port writes as a test needs them.
    pub async fn exec(&self, sql: &str) {
        let (client, connection) = tokio_postgres::connect(&self.url, tokio_postgres::NoTls)
            .await
            .expect("connecting for a raw statement");
        tokio::spawn(connection);
        client.batch_execute(sql).await.expect(sql);
    }
}

pub fn role(name: &str) -> RoleName {
    RoleName::parse(name).unwrap()
}

/// An active, verified account holding `roles`, stored through `UserDirectory::insert`.
pub async fn active(db: &Db, roles: &[&str]) -> User {
    let mut user = fixtures::user();
    user.status = AccountStatus::Active;
    user.email_verified = true;
    user.roles = roles.iter().map(|r| role(r)).collect();
    insert(db, &user).await;
    user
}

pub async fn insert(db: &Db, user: &User) {
    authd_domain::ports::UserDirectory::insert(&*db.store, user)
        .await
        .expect("inserting an account");
}
