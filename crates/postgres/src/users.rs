//! [`UserRepository`] over the `users` table.

use crate::error::{TxError, corrupt};
use crate::mfa::forget_all_devices;
use crate::rows::{LockoutRow, UserRow, stored_count};
use crate::schema::{one_time_tokens, users};
use crate::shared_writes::{Which, queue_mail, revoke_live_sessions};
use crate::store::PostgresStore;
use async_trait::async_trait;
use authd_domain::Timestamp;
use authd_domain::error::PortError;
use authd_domain::ids::{SessionId, UserId};
use authd_domain::notification::Notification;
use authd_domain::policy::lockout::{FailureOutcome, LockoutPolicy};
use authd_domain::ports::{ChangePasswordStoreError, CreateUserError, Rehash, UserRepository};
use authd_domain::user::{AccountStatus, ProfileChanges, User};
use authd_domain::values::{Email, PasswordHash, Username};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use uuid::Uuid;

diesel::define_sql_function! {
    /// `lower(text)`: the expression of the case-insensitive unique indexes on users.
    #[sql_name = "lower"]
    fn lower_text(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// A profile change as an `UPDATE ... SET`: `None` leaves a column alone, `Some(None)` clears it.
#[derive(AsChangeset)]
#[diesel(table_name = users)]
struct ProfileChangeset {
    first_name: Option<Option<String>>,
    last_name: Option<Option<String>>,
    phone: Option<Option<String>>,
    preferences: Option<serde_json::Value>,
    updated_at: Timestamp,
}

impl ProfileChangeset {
    fn new(changes: &ProfileChanges, now: Timestamp) -> Result<Self, PortError> {
        let text = |v: Option<&str>| v.map(str::to_owned);
        Ok(Self {
            first_name: changes
                .first_name
                .as_ref()
                .map(|v| text(v.as_ref().map(|n| n.as_str()))),
            last_name: changes
                .last_name
                .as_ref()
                .map(|v| text(v.as_ref().map(|n| n.as_str()))),
            phone: changes
                .phone
                .as_ref()
                .map(|v| text(v.as_ref().map(|p| p.as_str()))),
            preferences: changes
                .preferences
                .as_ref()
                .map(serde_json::to_value)
                .transpose()
                .map_err(PortError::internal)?,
            updated_at: now,
        })
    }
}

/// How an account is looked up.
enum Lookup {
    Id(Uuid),
    /// Case-insensitively, through the `lower(...)` unique indexes.
    Email(String),
    Username(String),
}

impl PostgresStore {
    async fn find_user(&self, lookup: Lookup) -> Result<Option<User>, PortError> {
        self.bounded(async {
            let mut conn = self.conn().await?;
            let query = users::table.select(UserRow::as_select());
            let row: Option<UserRow> = match lookup {
                Lookup::Id(id) => query.filter(users::id.eq(id)).first(&mut conn).await,
                Lookup::Email(email) => {
                    query
                        .filter(lower_text(users::email).eq(lower_text(email)))
                        .first(&mut conn)
                        .await
                }
                Lookup::Username(name) => {
                    query
                        .filter(lower_text(users::username).eq(lower_text(name)))
                        .first(&mut conn)
                        .await
                }
            }
            .optional()
            .map_err(TxError::from)?;
            row.map(UserRow::into_domain).transpose()
        })
        .await
    }
}

#[async_trait]
impl UserRepository for PostgresStore {
    async fn create(&self, user: &User, mail: &Notification) -> Result<(), CreateUserError> {
        let row = UserRow::from_domain(user)?;
        self.bounded(async {
            let mut conn = self.conn().await?;
            conn.transaction::<_, TxError, _>(async |c| {
                diesel::insert_into(users::table)
                    .values(&row)
                    .execute(c)
                    .await?;
                queue_mail(c, mail, user.created_at).await?;
                Ok(())
            })
            .await
            .map_err(CreateUserError::from)
        })
        .await
    }

    async fn find_by_id(&self, id: UserId) -> Result<Option<User>, PortError> {
        self.find_user(Lookup::Id(*id.as_uuid())).await
    }

    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, PortError> {
        self.find_user(Lookup::Email(email.as_str().to_owned()))
            .await
    }

    async fn find_by_username(&self, username: &Username) -> Result<Option<User>, PortError> {
        self.find_user(Lookup::Username(username.as_str().to_owned()))
            .await
    }

    async fn record_login_failure(
        &self,
        id: UserId,
        now: Timestamp,
        policy: &LockoutPolicy,
        lock_mail: &Notification,
    ) -> Result<Option<FailureOutcome>, PortError> {
        let uid = *id.as_uuid();
        self.bounded(async {
            let mut conn = self.conn().await?;
            let outcome = conn
                .transaction::<_, TxError, _>(async |c| {
                    // The row lock serializes concurrent failures of one account: each sees
                    // the count the previous one wrote.
                    let Some(stored) = users::table
                        .find(uid)
                        .select(LockoutRow::as_select())
                        .for_no_key_update()
                        .first(c)
                        .await
                        .optional()?
                    else {
                        return Ok(None);
                    };
                    let (next, outcome) = policy.record_failure(&stored.into_domain(), now);
                    diesel::update(users::table.find(uid))
                        .set((
                            users::failed_login_attempts.eq(stored_count(next.failed_attempts)),
                            users::last_failed_login.eq(next.last_failed_at),
                            users::locked_until.eq(next.locked_until),
                        ))
                        .execute(c)
                        .await?;
                    if matches!(outcome, FailureOutcome::NewlyLocked { .. }) {
                        queue_mail(c, lock_mail, now).await?;
                    }
                    Ok(Some(outcome))
                })
                .await?;
            Ok(outcome)
        })
        .await
    }

    async fn record_login_success(
        &self,
        id: UserId,
        now: Timestamp,
        rehash: Option<Rehash>,
    ) -> Result<(), PortError> {
        let uid = *id.as_uuid();
        self.bounded(async {
            let mut conn = self.conn().await?;
            conn.transaction::<_, TxError, _>(async |c| {
                diesel::update(users::table.find(uid))
                    .set((
                        users::failed_login_attempts.eq(0),
                        users::last_failed_login.eq(None::<Timestamp>),
                        users::locked_until.eq(None::<Timestamp>),
                        users::last_login.eq(Some(now)),
                    ))
                    .execute(c)
                    .await?;
                if let Some(r) = &rehash {
                    // Only while the stored hash is still the one the login verified: a reset
                    // or change committed meanwhile is newer than this re-hash and must stay.
                    diesel::update(
                        users::table
                            .find(uid)
                            .filter(users::password_hash.eq(r.verified.as_str())),
                    )
                    .set(users::password_hash.eq(r.replacement.as_str()))
                    .execute(c)
                    .await?;
                }
                Ok(())
            })
            .await
            .map_err(PortError::from)
        })
        .await
    }

    async fn update_profile(
        &self,
        id: UserId,
        changes: &ProfileChanges,
        now: Timestamp,
    ) -> Result<Option<User>, PortError> {
        let changeset = ProfileChangeset::new(changes, now)?;
        let uid = *id.as_uuid();
        self.bounded(async {
            let mut conn = self.conn().await?;
            let row: Option<UserRow> = diesel::update(users::table.find(uid))
                .set(&changeset)
                .returning(UserRow::as_returning())
                .get_result(&mut conn)
                .await
                .optional()
                .map_err(TxError::from)?;
            row.map(UserRow::into_domain).transpose()
        })
        .await
    }

    async fn change_password(
        &self,
        id: UserId,
        expected: &PasswordHash,
        hash: &PasswordHash,
        keep: Option<SessionId>,
        now: Timestamp,
        mail: &Notification,
    ) -> Result<Vec<SessionId>, ChangePasswordStoreError> {
        let uid = *id.as_uuid();
        let expected = expected.as_str().to_owned();
        let hash = hash.as_str().to_owned();
        self.bounded(async {
            let mut conn = self.conn().await?;
            let revoked = conn
                .transaction::<_, TxError, _>(async |c| {
                    // The condition and the write in one statement: of two changes checked
                    // against the same hash (or a change and a reset), the row lock lets one
                    // write, and the other, re-evaluating its condition, finds another hash.
                    let updated: Option<Uuid> = diesel::update(
                        users::table
                            .find(uid)
                            .filter(users::password_hash.eq(&expected)),
                    )
                    .set((
                        users::password_hash.eq(&hash),
                        users::failed_login_attempts.eq(0),
                        users::last_failed_login.eq(None::<Timestamp>),
                        users::locked_until.eq(None::<Timestamp>),
                        users::updated_at.eq(now),
                    ))
                    .returning(users::id)
                    .get_result(c)
                    .await
                    .optional()?;
                    if updated.is_none() {
                        return Ok(None);
                    }
                    let revoked = revoke_live_sessions(c, id, Which::AllBut(keep), now).await?;
                    // A device remembered under the old password must not skip the second
                    // factor for whoever learns the new one.
                    forget_all_devices(c, uid).await?;
                    queue_mail(c, mail, now).await?;
                    Ok(Some(revoked))
                })
                .await
                .map_err(PortError::from)?;
            revoked.ok_or(ChangePasswordStoreError::CredentialsChanged)
        })
        .await
    }

    async fn deactivate(&self, id: UserId, now: Timestamp) -> Result<Vec<SessionId>, PortError> {
        let uid = *id.as_uuid();
        self.bounded(async {
            let mut conn = self.conn().await?;
            let revoked = conn
                .transaction::<_, TxError, _>(async |c| {
                    let updated: Option<Uuid> = diesel::update(users::table.find(uid))
                        .set((
                            users::status.eq(AccountStatus::Deleted.as_str()),
                            users::updated_at.eq(now),
                        ))
                        .returning(users::id)
                        .get_result(c)
                        .await
                        .optional()?;
                    if updated.is_none() {
                        return Err(corrupt("deactivation of an unknown account").into());
                    }
                    // A pending reset or verification link must not bring a deleted account
                    // back to life.
                    diesel::delete(
                        one_time_tokens::table
                            .filter(one_time_tokens::user_id.eq(uid))
                            .filter(one_time_tokens::used_at.is_null()),
                    )
                    .execute(c)
                    .await?;
                    forget_all_devices(c, uid).await?;
                    Ok(revoke_live_sessions(c, id, Which::AllBut(None), now).await?)
                })
                .await?;
            Ok(revoked)
        })
        .await
    }
}
