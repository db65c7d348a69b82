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
