//! A throw-away PostgreSQL server for tests, from the machine's PostgreSQL programs: `initdb`
//! and `postgres` in a temp dir, on a random loopback port, trusting every local connection.
//! [`server`] starts one per test process on first use; it goes away, temp dir and all, once
//! the process ends. Tests get databases of their own with [`PgServer::fresh_database`], cloned
//! from a template that [`PgServer::create_template`] prepares once per process (migrations
//! run once, and a clone is cheap). Tests that stop the server build one of their own with
//! [`PgServer::start_new`], so as not to disturb the others.
//!
//! When the programs are missing, the Debian package `postgresql` is installed if the tests run
//! as root; otherwise the tests stop with the command that installs it.

mod binaries;
mod cluster;

use crate::tls::TestCertificates;
use cluster::Cluster;
use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::OnceCell;
use tokio_postgres::{Client, NoTls};

static SERVER: OnceCell<PgServer> = OnceCell::const_new();

/// The test process's shared server, started on first use.
pub async fn server() -> &'static PgServer {
    SERVER.get_or_init(PgServer::start_new).await
}

/// A running throw-away PostgreSQL server; its superuser `postgres` needs no password.
#[derive(Debug)]
pub struct PgServer {
    cluster: Cluster,
    /// One cell per template name, so each template is prepared once however many tests ask.
    templates: Mutex<HashMap<String, Arc<OnceCell<()>>>>,
}

impl PgServer {
    /// Starts a server of its own (a few seconds); it is stopped and deleted when dropped.
    pub async fn start_new() -> Self {
        Self::launch(None).await
    }

    /// As [`Self::start_new`], with `ssl = on` and the server certificate of `certs`; plain
    /// connections are still allowed (`sslmode=disable`), as PostgreSQL allows them by default.
    pub async fn start_with_tls(certs: &TestCertificates) -> Self {
        Self::launch(Some((certs.cert_file(), certs.key_file()))).await
    }

    async fn launch(tls: Option<(PathBuf, PathBuf)>) -> Self {
        let cluster = match tokio::task::spawn_blocking(move || Cluster::start_new(tls)).await {
            Ok(cluster) => cluster,
            Err(e) => match e.try_into_panic() {
                Ok(panic) => std::panic::resume_unwind(panic),
                Err(e) => panic!("starting PostgreSQL was cancelled: {e}"),
            },
        };
        Self {
            cluster,
            templates: Mutex::default(),
        }
    }

    /// The URL of the `postgres` maintenance database, as the superuser.
    pub fn admin_url(&self) -> String {
        self.url("postgres")
    }

    /// The URL of database `db_name`, as the superuser.
    pub fn url(&self, db_name: &str) -> String {
        format!(
            "postgres://postgres@127.0.0.1:{}/{db_name}",
            self.cluster.port()
        )
    }

    /// Creates a database with a unique name, a copy of `template` if given (else empty), and
    /// returns its URL.
    pub async fn fresh_database(&self, template: Option<&str>) -> String {
        let name = format!("test_{}", uuid::Uuid::new_v4().simple());
        let sql = match template {
            Some(t) => format!("CREATE DATABASE {} TEMPLATE {}", ident(&name), ident(t)),
            None => format!("CREATE DATABASE {}", ident(&name)),
        };
        self.admin()
            .await
            .batch_execute(&sql)
            .await
            .unwrap_or_else(|e| {
                panic!("{sql}: {}", describe(&e));
            });
        self.url(&name)
    }

    /// Creates template database `name` and lets `prepare` fill it through the URL it is given;
    /// does nothing when this server already has it. Connections `prepare` leaves open are
    /// ended afterwards, because PostgreSQL copies only a database nobody is connected to.
    pub async fn create_template<F, Fut>(&self, name: &str, prepare: F)
    where
        F: FnOnce(String) -> Fut,
        Fut: Future<Output = ()>,
    {
        let cell = self
            .templates
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(name.to_owned())
            .or_default()
            .clone();
        cell.get_or_init(|| async {
            let db = ident(name);
            let admin = self.admin().await;
            // A `prepare` that panicked earlier in this process may have left a half-made one.
            for sql in [
                format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
                format!("CREATE DATABASE {db}"),
            ] {
                admin
                    .batch_execute(&sql)
                    .await
                    .unwrap_or_else(|e| panic!("{sql}: {}", describe(&e)));
            }
            drop(admin);
            prepare(self.url(name)).await;
            let admin = self.admin().await;
            admin
                .execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                     WHERE datname = $1 AND pid <> pg_backend_pid()",
                    &[&name],
                )
                .await
                .unwrap_or_else(|e| panic!("ending connections to {name}: {}", describe(&e)));
            let seal = format!("ALTER DATABASE {db} WITH ALLOW_CONNECTIONS false IS_TEMPLATE true");
            admin
                .batch_execute(&seal)
                .await
                .unwrap_or_else(|e| panic!("{seal}: {}", describe(&e)));
        })
        .await;
    }

    /// Stops the server (`pg_ctl stop -m fast`), ending every connection; blocks the calling
    /// thread until it is down.
    pub fn stop(&self) {
        self.cluster.stop();
    }

    /// Starts the stopped server again on the same port, with the same databases; blocks the
    /// calling thread until it accepts connections.
    pub fn start(&self) {
        self.cluster.start();
    }

    /// A fresh superuser connection to the maintenance database. Fresh, because a connection
    /// lives on the runtime that made it, and each `#[tokio::test]` has a runtime of its own.
    async fn admin(&self) -> Client {
        let (client, connection) = tokio_postgres::connect(&self.admin_url(), NoTls)
            .await
            .unwrap_or_else(|e| panic!("connecting to the test PostgreSQL: {}", describe(&e)));
        tokio::spawn(connection);
        client
    }
}

/// `name` as a quoted SQL identifier.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The server's own message, which `tokio_postgres::Error`'s `Display` leaves out.
fn describe(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{}: {}", db.code().code(), db.message()),
        None => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn connect(url: &str) -> Result<Client, tokio_postgres::Error> {
        let (client, connection) = tokio_postgres::connect(url, NoTls).await?;
        tokio::spawn(connection);
        Ok(client)
    }

    async fn count_notes(url: &str) -> i64 {
        let client = connect(url).await.unwrap();
        let row = client
            .query_one("SELECT count(*) FROM notes", &[])
            .await
            .unwrap();
        row.get(0)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn databases_cloned_from_a_template_start_with_its_content_and_stay_apart() {
        let pg = server().await;
        for _ in 0..2 {
            pg.create_template("notes_template", |url| async move {
                let client = connect(&url).await.unwrap();
                client
                    .batch_execute("CREATE TABLE notes (n int); INSERT INTO notes VALUES (1)")
                    .await
                    .unwrap();
            })
            .await;
        }
        let (a, b) = (
            pg.fresh_database(Some("notes_template")).await,
            pg.fresh_database(Some("notes_template")).await,
        );
        assert_ne!(a, b);
        let client = connect(&a).await.unwrap();
        client
            .batch_execute("INSERT INTO notes VALUES (2)")
            .await
            .unwrap();
        assert_eq!(count_notes(&a).await, 2);
        assert_eq!(
            count_notes(&b).await,
            1,
            "a clone must not see another clone's rows"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_stopped_server_refuses_connections_and_serves_the_same_data_after_start() {
        let pg = PgServer::start_new().await;
        let url = pg.fresh_database(None).await;
        let client = connect(&url).await.unwrap();
        client
            .batch_execute("CREATE TABLE notes (n int)")
            .await
            .unwrap();
        pg.stop();
        assert!(client.batch_execute("SELECT 1").await.is_err());
        assert!(
            connect(&url).await.is_err(),
            "a stopped server must refuse connections"
        );
        pg.start();
        assert_eq!(count_notes(&url).await, 0);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn dropping_a_standalone_server_stops_it_and_deletes_its_files() {
        let pg = PgServer::start_new().await;
        let (url, dir) = (pg.admin_url(), pg.cluster.dir().to_owned());
        assert!(connect(&url).await.is_ok());
        drop(pg);
        assert!(!dir.exists(), "{} is left behind", dir.display());
        assert!(connect(&url).await.is_err(), "the server still answers");
    }
}
