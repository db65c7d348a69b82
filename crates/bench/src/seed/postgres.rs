//! Seeding PostgreSQL directly, in three statements: minutes of bcrypt at cost 12 would
//! otherwise go into making 1,000 accounts. The rows are what registration, verification and a
//! login leave behind (an `active`, verified account; a session with its current refresh token),
//! written against the schema of `migrations/`, which the server has applied at start-up.

use super::{Account, PASSWORD};
use crate::bcrypt_limit::COST;
use crate::error::BenchError;
use crate::keys::Keys;
use authd_domain::ids::{SessionId, UserId};
use authd_domain::values::Username;
use tokio_postgres::NoTls;

const USERS: &str = "\
    INSERT INTO users (id, email, username, username_skeleton, password_hash, first_name, \
                       last_name, status, email_verified, created_at, updated_at) \
    SELECT id::uuid, email, username, skeleton, $4, 'Bench', 'User', 'active', true, now(), now() \
    FROM UNNEST($1::text[], $2::text[], $3::text[], $5::text[]) AS t(id, email, username, skeleton)";

const SESSIONS: &str = "\
    INSERT INTO sessions (id, user_id, ip, user_agent, remember_me, created_at, last_activity, \
                          current_token_hash) \
    SELECT id::uuid, user_id::uuid, '127.0.0.1', 'authd-bench', true, now(), now(), hash \
    FROM UNNEST($1::text[], $2::text[], $3::text[]) AS t(id, user_id, hash)";

const REFRESH_TOKENS: &str = "\
    INSERT INTO refresh_tokens (hash, session_id, user_id, issued_at, expires_at) \
    SELECT hash, session_id::uuid, user_id::uuid, now(), now() + interval '7 days' \
    FROM UNNEST($1::text[], $2::text[], $3::text[]) AS t(hash, session_id, user_id)";

/// Inserts `count` verified, active accounts (`bench0000@example.com`, …), each with one
/// session, and returns them with a minted access token and the session's refresh token.
///
/// # Errors
/// Hashing, connecting or an insert fails.
pub async fn insert_accounts(
    database_url: &str,
    keys: &Keys,
    count: usize,
) -> Result<Vec<Account>, BenchError> {
    let hash = tokio::task::spawn_blocking(|| bcrypt::hash(PASSWORD, COST))
        .await
        .map_err(|e| BenchError::setup(format!("hashing the seed password: {e}")))?
        .map_err(|e| BenchError::setup(format!("hashing the seed password: {e}")))?;
    let (client, connection) = tokio_postgres::connect(database_url, NoTls).await?;
    let connection = tokio::spawn(connection);

    let mut columns = Columns::default();
    let mut accounts = Vec::with_capacity(count);
    for i in 0..count {
        let (user, session) = (UserId::new(), SessionId::new());
        let refresh = keys.refresh_token();
        let email = format!("bench{i:04}@example.com");
        columns.user_ids.push(user.to_string());
        columns.emails.push(email.clone());
        let username = Username::from_trusted(format!("bench{i:04}"));
        columns
            .skeletons
            .push(username.skeleton().as_str().to_owned());
        columns.usernames.push(username.as_str().to_owned());
        columns.session_ids.push(session.to_string());
        columns.hashes.push(refresh.hash.as_str().to_owned());
        accounts.push(Account {
            email,
            access_token: keys.access_token(user, session)?,
            refresh_token: refresh.raw.expose().to_owned(),
        });
    }
    let c = &columns;
    client
        .execute(
            USERS,
            &[&c.user_ids, &c.emails, &c.usernames, &hash, &c.skeletons],
        )
        .await?;
    client
        .execute(SESSIONS, &[&c.session_ids, &c.user_ids, &c.hashes])
        .await?;
    client
        .execute(REFRESH_TOKENS, &[&c.hashes, &c.session_ids, &c.user_ids])
        .await?;
    drop(client);
    let _ = connection.await;
    Ok(accounts)
}

/// The seeded rows, column by column, for `UNNEST`.
#[derive(Default)]
struct Columns {
    user_ids: Vec<String>,
    emails: Vec<String>,
    usernames: Vec<String>,
    skeletons: Vec<String>,
    session_ids: Vec<String>,
    hashes: Vec<String>,
}
