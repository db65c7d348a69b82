//! Workload (g)'s data: 1,000,000 accounts written by one SQL statement (`million_users.sql`,
//! which docs/postgres.md's "Admin user search" measures too), then one administrator with a
//! session, whose access token is minted here as for the other seeded accounts.

use super::{Account, PASSWORD};
use crate::bcrypt_limit::COST;
use crate::error::BenchError;
use crate::keys::Keys;
use authd_domain::ids::{SessionId, UserId};
use authd_domain::values::Username;
use std::time::Instant;
use tokio_postgres::NoTls;

/// The seeding statement: `$1` the bcrypt hash every account shares, `$2` how many accounts.
const MILLION_USERS: &str = include_str!("million_users.sql");

const ADMIN: &str = "\
    WITH account AS (
        INSERT INTO users (id, email, username, username_skeleton, password_hash, status,
                           email_verified, roles, created_at, updated_at)
        VALUES ($1::text::uuid, 'bench-admin@example.com', $2, $3, $4, 'active', true,
                ARRAY['admin'], now(), now())
    ), session AS (
        INSERT INTO sessions (id, user_id, ip, user_agent, remember_me, created_at,
                              last_activity, current_token_hash)
        VALUES ($5::text::uuid, $1::text::uuid, '127.0.0.1', 'authd-bench', true, now(), now(),
                $6)
    )
    INSERT INTO refresh_tokens (hash, session_id, user_id, issued_at, expires_at)
    VALUES ($6, $5::text::uuid, $1::text::uuid, now(), now() + interval '7 days')";

/// Inserts `count` accounts (at most 1,000,000) and refreshes the planner's statistics, as an
/// operator's `VACUUM ANALYZE` after a bulk load would; then an administrator (role `admin`)
/// with one session. Returns the administrator with a minted access token.
///
/// # Errors
/// Hashing, connecting or a statement fails.
pub async fn insert_million_and_admin(
    database_url: &str,
    keys: &Keys,
    count: i32,
) -> Result<Account, BenchError> {
    let hash = tokio::task::spawn_blocking(|| bcrypt::hash(PASSWORD, COST))
        .await
        .map_err(|e| BenchError::setup(format!("hashing the seed password: {e}")))?
        .map_err(|e| BenchError::setup(format!("hashing the seed password: {e}")))?;
    let (client, connection) = tokio_postgres::connect(database_url, NoTls).await?;
    let connection = tokio::spawn(connection);

    let started = Instant::now();
    client.execute(MILLION_USERS, &[&hash, &count]).await?;
    client.batch_execute("VACUUM ANALYZE users").await?;
    eprintln!(
        "  {count} accounts seeded and analyzed in {:.0}s",
        started.elapsed().as_secs_f64()
    );

    let (user, session) = (UserId::new(), SessionId::new());
    let refresh = keys.refresh_token();
    let username = Username::from_trusted("bench_admin".to_owned());
    client
        .execute(
            ADMIN,
            &[
                &user.to_string(),
                &username.as_str(),
                &username.skeleton().as_str(),
                &hash,
                &session.to_string(),
                &refresh.hash.as_str(),
            ],
        )
        .await?;
    drop(client);
    let _ = connection.await;
    Ok(Account {
        email: "bench-admin@example.com".to_owned(),
        access_token: keys.access_token_with_roles(user, session, &["admin"])?,
        refresh_token: refresh.raw.expose().to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The schema as the server's migrations leave it, applied from `migrations/` directly.
    async fn migrated(url: &str) -> tokio_postgres::Client {
        let (client, connection) = tokio_postgres::connect(url, NoTls).await.unwrap();
        tokio::spawn(connection);
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
        let mut dirs: Vec<_> = std::fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        dirs.sort();
        for dir in dirs {
            let sql = std::fs::read_to_string(dir.join("up.sql")).unwrap();
            client
                .batch_execute(&sql)
                .await
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        }
        client
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_seed_fits_the_schema_and_makes_unique_searchable_accounts_and_an_admin() {
        let pg = authd_testkit::postgres::server().await;
        let url = pg.fresh_database(None).await;
        let client = migrated(&url).await;
        let dir = std::env::temp_dir().join(format!("authd-bench-seed-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let keys = Keys::create(&dir).unwrap();

        let admin = insert_million_and_admin(&url, &keys, 20_000).await.unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(admin.email, "bench-admin@example.com");
        let count = |sql: &'static str| {
            let client = &client;
            async move { client.query_one(sql, &[]).await.unwrap().get::<_, i64>(0) }
        };
        assert_eq!(count("SELECT count(*) FROM users").await, 20_001);
        assert_eq!(
            count("SELECT count(*) FROM users WHERE roles @> ARRAY['admin'] AND status = 'active'")
                .await,
            1
        );
        assert_eq!(
            count("SELECT count(*) FROM sessions s JOIN refresh_tokens t ON t.hash = s.current_token_hash")
                .await,
            1
        );
        // Shapes the workload's terms rely on: company domains and big providers both present.
        assert!(count("SELECT count(*) FROM users WHERE email LIKE '%.example'").await > 5_000);
        assert!(count("SELECT count(*) FROM users WHERE email LIKE '%@gmail.com'").await > 500);
        assert!(count("SELECT count(*) FROM users WHERE last_login IS NULL").await > 1_000);
    }
}
