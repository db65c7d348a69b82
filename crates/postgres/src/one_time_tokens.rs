//! [`OneTimeTokenRepository`] over `one_time_tokens`: at most one unused token per user and
//! purpose (a partial unique index), replaced in one statement by each issue; consumed by a
//! conditional `UPDATE ... WHERE used_at IS NULL`, so exactly one of concurrent consumers wins.
//! Each consume changes the token and its account in one statement: all or nothing.

use crate::error::TxError;
use crate::mfa::forget_all_devices;
use crate::rows::OneTimeTokenRow;
use crate::schema::one_time_tokens;
use crate::shared_writes::{Which, queue_mail, revoke_live_sessions};
use crate::store::PostgresStore;
use async_trait::async_trait;
use authd_domain::Timestamp;
use authd_domain::error::PortError;
use authd_domain::ids::{SessionId, UserId};
use authd_domain::notification::Notification;
use authd_domain::ports::{ConsumeError, OneTimeTokenRepository};
use authd_domain::token::{OneTimeToken, TokenHash, TokenPurpose};
use authd_domain::values::PasswordHash;
use diesel::prelude::*;
use diesel::sql_types::{Text, Timestamptz};
use diesel::upsert::excluded;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

/// Consumes a verification token and verifies its user's email, in one statement.
const CONSUME_VERIFICATION: &str = "\
WITH token AS (
    UPDATE one_time_tokens SET used_at = $2
    WHERE hash = $1 AND purpose = 'email_verification' AND used_at IS NULL AND expires_at > $2
    RETURNING user_id
)
UPDATE users
SET email_verified = true,
    status = CASE WHEN users.status = 'pending' THEN 'active' ELSE users.status END,
    updated_at = $2
FROM token WHERE users.id = token.user_id
RETURNING users.id";

/// Consumes a reset token and replaces its user's password, clearing the lockout, in one
/// statement.
const CONSUME_RESET: &str = "\
WITH token AS (
    UPDATE one_time_tokens SET used_at = $2
    WHERE hash = $1 AND purpose = 'password_reset' AND used_at IS NULL AND expires_at > $2
    RETURNING user_id
)
UPDATE users
SET password_hash = $3,
    failed_login_attempts = 0,
    last_failed_login = NULL,
    locked_until = NULL,
    updated_at = $2
FROM token WHERE users.id = token.user_id
RETURNING users.id";

/// Consumes an unlock token and clears its user's lockout (failure count and lock), in one
/// statement.
const CONSUME_UNLOCK: &str = "\
WITH token AS (
    UPDATE one_time_tokens SET used_at = $2
    WHERE hash = $1 AND purpose = 'account_unlock' AND used_at IS NULL AND expires_at > $2
    RETURNING user_id
)
UPDATE users
SET failed_login_attempts = 0,
    last_failed_login = NULL,
    locked_until = NULL
FROM token WHERE users.id = token.user_id
RETURNING users.id";

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: Uuid,
}

/// Why a token that could not be consumed is unusable: still unused means it expired.
async fn refusal(
    c: &mut AsyncPgConnection,
    hash: &TokenHash,
    purpose: TokenPurpose,
) -> QueryResult<ConsumeError> {
    let unused: Option<String> = one_time_tokens::table
        .find(hash.as_str())
        .filter(one_time_tokens::purpose.eq(purpose.as_str()))
        .filter(one_time_tokens::used_at.is_null())
        .select(one_time_tokens::hash)
        .first(c)
        .await
        .optional()?;
    Ok(match unused {
        Some(_) => ConsumeError::Expired,
        None => ConsumeError::NotFound,
    })
}

#[async_trait]
impl OneTimeTokenRepository for PostgresStore {
    async fn issue(&self, token: &OneTimeToken) -> Result<(), PortError> {
        let row = OneTimeTokenRow::from_domain(token);
        self.bounded(async {
            let mut conn = self.conn().await?;
            diesel::insert_into(one_time_tokens::table)
                .values(&row)
                .on_conflict((one_time_tokens::user_id, one_time_tokens::purpose))
                .filter_target(one_time_tokens::used_at.is_null())
                .do_update()
                .set((
                    one_time_tokens::hash.eq(excluded(one_time_tokens::hash)),
                    one_time_tokens::created_at.eq(excluded(one_time_tokens::created_at)),
                    one_time_tokens::expires_at.eq(excluded(one_time_tokens::expires_at)),
                ))
                .execute(&mut conn)
                .await
                .map_err(TxError::from)?;
            Ok(())
        })
        .await
    }

    async fn find(
        &self,
        hash: &TokenHash,
        purpose: TokenPurpose,
    ) -> Result<Option<OneTimeToken>, PortError> {
        self.bounded(async {
            let mut conn = self.conn().await?;
            let row: Option<OneTimeTokenRow> = one_time_tokens::table
                .find(hash.as_str())
                .filter(one_time_tokens::purpose.eq(purpose.as_str()))
                .filter(one_time_tokens::used_at.is_null())
                .select(OneTimeTokenRow::as_select())
                .first(&mut conn)
                .await
                .optional()
                .map_err(TxError::from)?;
            row.map(OneTimeTokenRow::into_domain).transpose()
        })
        .await
    }

    async fn consume_verification(
        &self,
        hash: &TokenHash,
        now: Timestamp,
    ) -> Result<UserId, ConsumeError> {
        self.consume_link(
            CONSUME_VERIFICATION,
            hash,
            now,
            TokenPurpose::EmailVerification,
        )
        .await
    }

    async fn consume_unlock(
        &self,
        hash: &TokenHash,
        now: Timestamp,
    ) -> Result<UserId, ConsumeError> {
        self.consume_link(CONSUME_UNLOCK, hash, now, TokenPurpose::AccountUnlock)
            .await
    }

    async fn consume_reset(
        &self,
        hash: &TokenHash,
        new_hash: &PasswordHash,
        now: Timestamp,
        mail: &Notification,
    ) -> Result<(UserId, Vec<SessionId>), ConsumeError> {
        self.bounded(async {
            let mut conn = self.conn().await?;
            conn.transaction::<_, TxError, _>(async |c| {
                let reset: Option<IdRow> = diesel::sql_query(CONSUME_RESET)
                    .bind::<Text, _>(hash.as_str())
                    .bind::<Timestamptz, _>(now)
                    .bind::<Text, _>(new_hash.as_str())
                    .get_result(c)
                    .await
                    .optional()?;
                let Some(IdRow { id }) = reset else {
                    return Ok(Err(refusal(c, hash, TokenPurpose::PasswordReset).await?));
                };
                let user_id = UserId::from_uuid(id);
                let revoked = revoke_live_sessions(c, user_id, Which::AllBut(None), now).await?;
                forget_all_devices(c, id).await?;
                queue_mail(c, mail, now).await?;
                Ok(Ok((user_id, revoked)))
            })
            .await?
        })
        .await
    }
}

impl PostgresStore {
    /// Runs `statement`, which consumes the token of `purpose` and changes its account in one
    /// statement returning the account's id; when it consumes nothing, says why.
    async fn consume_link(
        &self,
        statement: &'static str,
        hash: &TokenHash,
        now: Timestamp,
        purpose: TokenPurpose,
    ) -> Result<UserId, ConsumeError> {
        self.bounded(async {
            let mut conn = self.conn().await?;
            let consumed: Option<IdRow> = diesel::sql_query(statement)
                .bind::<Text, _>(hash.as_str())
                .bind::<Timestamptz, _>(now)
                .get_result(&mut conn)
                .await
                .optional()
                .map_err(TxError::from)?;
            match consumed {
                Some(row) => Ok(UserId::from_uuid(row.id)),
                None => Err(refusal(&mut conn, hash, purpose)
                    .await
                    .map_err(TxError::from)?),
            }
        })
        .await
    }
}
