//! [`LoginAttempts`] over `users` and `login_failures`: the lookup that starts every login, in
//! one statement, and the failure counts of identifiers naming no account.

use crate::error::{TxError, corrupt};
use crate::rows::{UserRow, loaded_count, stored_count};
use crate::schema::login_failures;
use crate::store::PostgresStore;
use async_trait::async_trait;
use authd_domain::Timestamp;
use authd_domain::error::PortError;
use authd_domain::policy::lockout::{FailureOutcome, LockoutPolicy, LockoutState};
use authd_domain::ports::{LoginAttempts, LoginName, LoginTarget};
use authd_domain::token::TokenHash;
use diesel::prelude::*;
use diesel::sql_types::{Array, Bool, Int4, Jsonb, Nullable, Text, Timestamptz};
use diesel::upsert::excluded;
use diesel_async::{AsyncConnection, RunQueryDsl};
use uuid::Uuid;

/// The account and the identifier's own lockout in one statement: the single row of
/// `(SELECT 1)` always comes back, with the account's columns `NULL` when it names none and the
/// lockout's `NULL` when nothing was counted. `{account}` is the condition that finds the
/// account; `$1` is the identifier, `$2` the digest.
const FIND_FOR_LOGIN: &str = "\
SELECT u.id, u.email, u.username, u.username_skeleton, u.password_hash, u.first_name, u.last_name, u.phone,
       u.preferences, u.status, u.email_verified, u.phone_verified, u.roles,
       u.failed_login_attempts, u.last_failed_login, u.locked_until AS account_locked_until,
       u.mfa_enabled, u.last_login, u.created_at, u.updated_at,
       f.failed_attempts, f.last_failed_at, f.locked_until
FROM (SELECT 1) AS one
LEFT JOIN users u ON {account}
LEFT JOIN login_failures f ON f.digest = $2";

/// Through the `lower(...)` unique indexes, as every other account lookup.
const BY_EMAIL: &str = "lower(u.email) = lower($1)";
const BY_USERNAME: &str = "lower(u.username) = lower($1)";
/// Text that fails validation names no account; `$1` is still bound, so it is still named.
const BY_NOTHING: &str = "false AND u.email = $1";

/// How many expired locks one locking failure deletes at most: few, so that the statement costs
/// about what the lock mail's insert costs an account.
const EXPIRED_DELETED: i64 = 16;

const DELETE_EXPIRED: &str = "\
DELETE FROM login_failures WHERE digest IN (
    SELECT digest FROM login_failures WHERE locked_until <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED
)";

#[derive(QueryableByName)]
struct FoundRow {
    #[diesel(sql_type = Nullable<diesel::sql_types::Uuid>)]
    id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    email: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    username: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    username_skeleton: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    password_hash: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    first_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    last_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    phone: Option<String>,
    #[diesel(sql_type = Nullable<Jsonb>)]
    preferences: Option<serde_json::Value>,
    #[diesel(sql_type = Nullable<Text>)]
    status: Option<String>,
    #[diesel(sql_type = Nullable<Bool>)]
    email_verified: Option<bool>,
    #[diesel(sql_type = Nullable<Bool>)]
    phone_verified: Option<bool>,
    #[diesel(sql_type = Nullable<Array<Nullable<Text>>>)]
    roles: Option<Vec<Option<String>>>,
    #[diesel(sql_type = Nullable<Int4>)]
    failed_login_attempts: Option<i32>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    last_failed_login: Option<Timestamp>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    account_locked_until: Option<Timestamp>,
    #[diesel(sql_type = Nullable<Bool>)]
    mfa_enabled: Option<bool>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    last_login: Option<Timestamp>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    created_at: Option<Timestamp>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    updated_at: Option<Timestamp>,
    #[diesel(sql_type = Nullable<Int4>)]
    failed_attempts: Option<i32>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    last_failed_at: Option<Timestamp>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    locked_until: Option<Timestamp>,
}

/// A column `NOT NULL` in `users` that came back `NULL` with an account id.
fn present<T>(value: Option<T>, column: &str) -> Result<T, PortError> {
    value.ok_or_else(|| corrupt(format!("users.{column} is NULL")))
}

impl FoundRow {
    fn into_domain(self) -> Result<LoginTarget, PortError> {
        let Some(id) = self.id else {
            return Ok(LoginTarget::Unknown(LockoutState {
                failed_attempts: self.failed_attempts.map_or(0, loaded_count),
                last_failed_at: self.last_failed_at,
                locked_until: self.locked_until,
            }));
        };
        let row = UserRow {
            id,
            email: present(self.email, "email")?,
            username: present(self.username, "username")?,
            username_skeleton: present(self.username_skeleton, "username_skeleton")?,
            password_hash: present(self.password_hash, "password_hash")?,
            first_name: self.first_name,
            last_name: self.last_name,
            phone: self.phone,
            preferences: present(self.preferences, "preferences")?,
            status: present(self.status, "status")?,
            email_verified: present(self.email_verified, "email_verified")?,
            phone_verified: present(self.phone_verified, "phone_verified")?,
            roles: present(self.roles, "roles")?,
            failed_login_attempts: present(self.failed_login_attempts, "failed_login_attempts")?,
            last_failed_login: self.last_failed_login,
            locked_until: self.account_locked_until,
            mfa_enabled: present(self.mfa_enabled, "mfa_enabled")?,
            last_login: self.last_login,
            created_at: present(self.created_at, "created_at")?,
            updated_at: present(self.updated_at, "updated_at")?,
        };
        Ok(LoginTarget::Account(Box::new(row.into_domain()?)))
    }
}

/// The counted state of an identifier.
#[derive(Queryable, Selectable)]
#[diesel(table_name = login_failures, check_for_backend(diesel::pg::Pg))]
struct FailuresRow {
    failed_attempts: i32,
    last_failed_at: Option<Timestamp>,
    locked_until: Option<Timestamp>,
}

#[async_trait]
impl LoginAttempts for PostgresStore {
    async fn find_for_login(
        &self,
        name: &LoginName,
        key: &TokenHash,
    ) -> Result<LoginTarget, PortError> {
        let (account, identifier) = match name {
            LoginName::Email(email) => (BY_EMAIL, email.as_str()),
            LoginName::Username(username) => (BY_USERNAME, username.as_str()),
            LoginName::Malformed => (BY_NOTHING, ""),
        };
        let query = FIND_FOR_LOGIN.replace("{account}", account);
        self.bounded(async {
            let mut conn = self.conn().await?;
            let row: FoundRow = diesel::sql_query(query)
                .bind::<Text, _>(identifier)
                .bind::<Text, _>(key.as_str())
                .get_result(&mut conn)
                .await
                .map_err(TxError::from)?;
            row.into_domain()
        })
        .await
    }

    async fn record_unknown_failure(
        &self,
        key: &TokenHash,
        now: Timestamp,
        policy: &LockoutPolicy,
    ) -> Result<FailureOutcome, PortError> {
        let digest = key.as_str();
        self.bounded(async {
            let mut conn = self.conn().await?;
            let outcome = conn
                .transaction::<_, TxError, _>(async |c| {
                    // Creates the row or takes the lock of the existing one, and reads it: the
                    // counterpart of the account's SELECT ... FOR NO KEY UPDATE, so concurrent
                    // failures of one identifier are serialized and each sees the previous count.
                    let stored: FailuresRow = diesel::insert_into(login_failures::table)
                        .values(login_failures::digest.eq(digest))
                        .on_conflict(login_failures::digest)
                        .do_update()
                        .set(login_failures::digest.eq(excluded(login_failures::digest)))
                        .returning(FailuresRow::as_returning())
                        .get_result(c)
                        .await?;
                    let state = LockoutState {
                        failed_attempts: loaded_count(stored.failed_attempts),
                        last_failed_at: stored.last_failed_at,
                        locked_until: stored.locked_until,
                    };
                    let (next, outcome) = policy.record_failure(&state, now);
                    diesel::update(login_failures::table.find(digest))
                        .set((
                            login_failures::failed_attempts.eq(stored_count(next.failed_attempts)),
                            login_failures::last_failed_at.eq(next.last_failed_at),
                            login_failures::locked_until.eq(next.locked_until),
                        ))
                        .execute(c)
                        .await?;
                    if matches!(outcome, FailureOutcome::NewlyLocked { .. }) {
                        // Where an account's lock queues its mail, this one clears out expired
                        // locks: useful work in the statement slot the mail takes, so both
                        // answers wait for the same number of round trips.
                        delete_expired_locks(c, now).await?;
                    }
                    Ok(outcome)
                })
                .await?;
            Ok(outcome)
        })
        .await
    }
}

/// Deletes up to [`EXPIRED_DELETED`] rows whose lock ended by `now`: each answers exactly as no
/// row does.
async fn delete_expired_locks(
    c: &mut diesel_async::AsyncPgConnection,
    now: Timestamp,
) -> Result<(), TxError> {
    diesel::sql_query(DELETE_EXPIRED)
        .bind::<Timestamptz, _>(now)
        .bind::<diesel::sql_types::BigInt, _>(EXPIRED_DELETED)
        .execute(c)
        .await?;
    Ok(())
}
