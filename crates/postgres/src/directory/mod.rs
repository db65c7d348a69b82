//! [`UserDirectory`] over `users`: the admin listing ([`search`]) and administrators' changes.
//!
//! Changes that could take away a full admin take turns on one transaction-level advisory lock
//! ([`ADMIN_CHANGES`]) before they lock the account's row, so the check "is another full admin
//! left?" always sees every earlier such change committed: of two admins demoting each other at
//! once, the second to get the lock finds itself the last one and is refused.

mod search;

pub use search::search_sql;

use crate::error::TxError;
use crate::mfa::forget_all_devices;
use crate::rows::UserRow;
use crate::schema::{mfa_challenges, one_time_tokens, users};
use crate::shared_writes::{Which, revoke_live_sessions};
use crate::store::PostgresStore;
use async_trait::async_trait;
use authd_domain::Timestamp;
use authd_domain::directory::{AccountChange, LastAdminGuard, Page, UserQuery};
use authd_domain::error::PortError;
use authd_domain::ids::{SessionId, UserId};
use authd_domain::ports::CreateUserError;
use authd_domain::ports::{AccountChangeError, AppliedChange, InsertAccountError, UserDirectory};
use authd_domain::user::{AccountStatus, User};
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

/// The key of the advisory lock that serializes changes to full admins (any fixed number that
/// nothing else in the database uses; "authd-admins" in ASCII).
const ADMIN_CHANGES: i64 = 0x6175_7468_642d_6164;

/// Why a change was refused; nothing was written.
enum Refusal {
    NotFound,
    Deleted,
    LastAdmin,
}

impl From<Refusal> for AccountChangeError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::NotFound => Self::NotFound,
            Refusal::Deleted => Self::Deleted,
            Refusal::LastAdmin => Self::LastAdmin,
        }
    }
}

/// The account as `change` leaves it at `now`.
fn changed(before: &User, change: &AccountChange, now: Timestamp) -> User {
    let mut after = before.clone();
    change.profile.apply_to(&mut after.profile);
    if let Some(roles) = &change.roles {
        after.roles.clone_from(roles);
    }
    if let Some(verified) = change.email_verified {
        after.email_verified = verified;
        // As verifying the address would; an explicit status below has the last word.
        if verified && after.status == AccountStatus::Pending {
            after.status = AccountStatus::Active;
        }
    }
    if let Some(status) = change.status {
        after.status = status;
    }
    after.updated_at = now;
    after
}

/// Whether an account other than `id` counts as a full admin under `guard`.
async fn another_admin(
    c: &mut AsyncPgConnection,
    id: Option<Uuid>,
    guard: &LastAdminGuard,
) -> QueryResult<bool> {
    let roles: Vec<Option<String>> = guard
        .roles
        .iter()
        .map(|r| Some(r.as_str().to_owned()))
        .collect();
    let mut q = users::table
        .filter(users::status.eq(AccountStatus::Active.as_str()))
        .filter(users::roles.overlaps_with(roles))
        .into_boxed();
    if let Some(id) = id {
        q = q.filter(users::id.ne(id));
    }
    diesel::select(diesel::dsl::exists(q.select(users::id)))
        .get_result(c)
        .await
}

/// Cuts the account off: its live sessions revoked (returned), its unused single-use tokens
/// voided, its remembered devices and pending MFA challenges forgotten. The statements of
/// deactivation and password change, in the caller's transaction.
async fn cut_off(
    c: &mut AsyncPgConnection,
    id: UserId,
    now: Timestamp,
) -> QueryResult<Vec<SessionId>> {
    let uid = *id.as_uuid();
    diesel::delete(
        one_time_tokens::table
            .filter(one_time_tokens::user_id.eq(uid))
            .filter(one_time_tokens::used_at.is_null()),
    )
    .execute(c)
    .await?;
    forget_all_devices(c, uid).await?;
    diesel::delete(mfa_challenges::table.filter(mfa_challenges::user_id.eq(uid)))
        .execute(c)
        .await?;
    revoke_live_sessions(c, id, Which::AllBut(None), now).await
}

async fn apply(
    c: &mut AsyncPgConnection,
    id: UserId,
    change: &AccountChange,
    guard: &LastAdminGuard,
    now: Timestamp,
) -> Result<Result<AppliedChange, Refusal>, TxError> {
    let uid = *id.as_uuid();
    // Only a change of status or roles can take a full admin away; taken before the row lock,
    // always in this order, so two changes never wait for each other's second lock.
    if change.status.is_some() || change.roles.is_some() || change.email_verified.is_some() {
        diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
            .bind::<BigInt, _>(ADMIN_CHANGES)
            .execute(c)
            .await?;
    }
    let Some(row) = users::table
        .find(uid)
        .select(UserRow::as_select())
        .for_no_key_update()
        .first(c)
        .await
        .optional()?
    else {
        return Ok(Err(Refusal::NotFound));
    };
    let before = row.into_domain()?;
    if before.status == AccountStatus::Deleted {
        return Ok(Err(Refusal::Deleted));
    }
    let after = changed(&before, change, now);
    if guard.counts(before.status, &before.roles)
        && !guard.counts(after.status, &after.roles)
        && !another_admin(c, Some(uid), guard).await?
    {
        return Ok(Err(Refusal::LastAdmin));
    }
    let row = UserRow::from_domain(&after)?;
    let stored: UserRow = diesel::update(users::table.find(uid))
        .set((
            users::first_name.eq(row.first_name),
            users::last_name.eq(row.last_name),
            users::phone.eq(row.phone),
            users::preferences.eq(row.preferences),
            users::status.eq(row.status),
            users::email_verified.eq(row.email_verified),
            users::roles.eq(row.roles),
            users::updated_at.eq(row.updated_at),
        ))
        .returning(UserRow::as_returning())
        .get_result(c)
        .await?;
    // Only on the way into suspended or deleted, as the memory store does: suspending an
    // account already suspended has nothing left to cut off.
    let cut = before.status != after.status
        && matches!(
            after.status,
            AccountStatus::Suspended | AccountStatus::Deleted
        );
    let revoked_sessions = if cut {
        cut_off(c, id, now).await?
    } else {
        Vec::new()
    };
    Ok(Ok(AppliedChange {
        before,
        after: stored.into_domain()?,
        revoked_sessions,
    }))
}

#[async_trait]
impl UserDirectory for PostgresStore {
    async fn search(&self, query: &UserQuery) -> Result<Page<User>, PortError> {
        self.bounded(async {
            let mut conn = self.conn().await?;
            Ok(search::search(&mut conn, query).await?)
        })
        .await
    }

    async fn apply_change(
        &self,
        id: UserId,
        change: &AccountChange,
        guard: &LastAdminGuard,
        now: Timestamp,
    ) -> Result<AppliedChange, AccountChangeError> {
        self.bounded(async {
            let mut conn = self.conn().await?;
            // READ COMMITTED explicitly: the last-admin count must see the changes committed
            // while this transaction waited for the advisory lock, which a snapshot taken
            // before the wait (REPEATABLE READ as a server or role default) would not.
            let outcome = conn
                .build_transaction()
                .read_committed()
                .run::<_, TxError, _>(async |c| apply(c, id, change, guard, now).await)
                .await
                .map_err(PortError::from)?;
            outcome.map_err(AccountChangeError::from)
        })
        .await
    }

    /// The lockout columns only: `updated_at` tracks changes to the account, not its logins.
    async fn clear_lockout(&self, id: UserId, _now: Timestamp) -> Result<bool, PortError> {
        self.bounded(async {
            let mut conn = self.conn().await?;
            let cleared = diesel::update(users::table.find(id.as_uuid()))
                .set((
                    users::failed_login_attempts.eq(0),
                    users::last_failed_login.eq(None::<Timestamp>),
                    users::locked_until.eq(None::<Timestamp>),
                ))
                .execute(&mut conn)
                .await
                .map_err(TxError::from)?;
            Ok(cleared > 0)
        })
        .await
    }

    async fn any_admin(&self, guard: &LastAdminGuard) -> Result<bool, PortError> {
        if guard.roles.is_empty() {
            return Ok(false);
        }
        self.bounded(async {
            let mut conn = self.conn().await?;
            Ok(another_admin(&mut conn, None, guard)
                .await
                .map_err(TxError::from)?)
        })
        .await
    }

    async fn insert(&self, user: &User) -> Result<(), InsertAccountError> {
        let row = UserRow::from_domain(user)?;
        self.bounded(async {
            let mut conn = self.conn().await?;
            diesel::insert_into(users::table)
                .values(&row)
                .execute(&mut conn)
                .await
                .map_err(|e| match CreateUserError::from(TxError::from(e)) {
                    CreateUserError::EmailTaken => InsertAccountError::EmailTaken,
                    CreateUserError::UsernameTaken => InsertAccountError::UsernameTaken,
                    CreateUserError::Port(e) => InsertAccountError::Port(e),
                })?;
            Ok(())
        })
        .await
    }
}

#[cfg(test)]
mod tests;
