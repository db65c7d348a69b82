//! [`SessionRepository`] over `sessions` and `refresh_tokens`: logins under the session limit,
//! listing and revoking. Rotation lives in [`crate::rotation`].
//!
//! A session is live while it is not revoked and its family's current token has not expired.

use crate::error::TxError;
use crate::rows::{RefreshTokenRow, SessionRow};
use crate::schema::{refresh_tokens, sessions, users};
use crate::shared_writes::{Which, revoke_live_sessions};
use crate::store::PostgresStore;
use async_trait::async_trait;
use authd_domain::Timestamp;
use authd_domain::error::PortError;
use authd_domain::ids::{SessionId, UserId};
use authd_domain::policy::rotation::RotationPolicy;
use authd_domain::policy::session_limit::sessions_to_evict;
use authd_domain::ports::{CreateSessionError, RotateOutcome, SessionRepository};
use authd_domain::session::{RefreshToken, Session};
use authd_domain::token::TokenHash;
use authd_domain::user::AccountStatus;
use authd_domain::values::PasswordHash;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable, Text, Timestamptz};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

/// The live sessions of `user_id` at `now`, unordered.
async fn live_sessions(
    c: &mut AsyncPgConnection,
    user_id: UserId,
    now: Timestamp,
) -> QueryResult<Vec<Session>> {
    let rows: Vec<SessionRow> = sessions::table
        .inner_join(refresh_tokens::table.on(refresh_tokens::hash.eq(sessions::current_token_hash)))
        .filter(sessions::user_id.eq(user_id.as_uuid()))
        .filter(sessions::revoked_at.is_null())
        .filter(refresh_tokens::expires_at.gt(now))
        .select(SessionRow::as_select())
        .load(c)
        .await?;
    Ok(rows.into_iter().map(SessionRow::into_domain).collect())
}

/// Stores a session and its first refresh token in one statement.
const INSERT_SESSION: &str = "\
WITH session AS (
    INSERT INTO sessions (id, user_id, ip, user_agent, remember_me, created_at, last_activity,
                          revoked_at, current_token_hash)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
)
INSERT INTO refresh_tokens (hash, session_id, user_id, issued_at, expires_at, rotated_at,
                            successor_hash)
VALUES ($9, $1, $10, $11, $12, $13, $14)";

async fn insert_session(
    c: &mut AsyncPgConnection,
    session: &Session,
    token: &RefreshToken,
) -> QueryResult<()> {
    let s = SessionRow::from_domain(session, &token.hash);
    let t = RefreshTokenRow::from_domain(token);
    diesel::sql_query(INSERT_SESSION)
        .bind::<diesel::sql_types::Uuid, _>(s.id)
        .bind::<diesel::sql_types::Uuid, _>(s.user_id)
        .bind::<Nullable<Text>, _>(s.ip)
        .bind::<Nullable<Text>, _>(s.user_agent)
        .bind::<Bool, _>(s.remember_me)
        .bind::<Timestamptz, _>(s.created_at)
        .bind::<Timestamptz, _>(s.last_activity)
        .bind::<Nullable<Timestamptz>, _>(s.revoked_at)
        .bind::<Text, _>(s.current_token_hash)
        .bind::<diesel::sql_types::Uuid, _>(t.user_id)
        .bind::<Timestamptz, _>(t.issued_at)
        .bind::<Timestamptz, _>(t.expires_at)
        .bind::<Nullable<Timestamptz>, _>(t.rotated_at)
        .bind::<Nullable<Text>, _>(t.successor_hash)
        .execute(c)
        .await?;
    Ok(())
}

#[async_trait]
impl SessionRepository for PostgresStore {
    async fn create(
        &self,
        session: &Session,
        token: &RefreshToken,
        max_sessions: usize,
        verified: &PasswordHash,
    ) -> Result<Vec<SessionId>, CreateSessionError> {
        let now = session.created_at;
        let uid = *session.user_id.as_uuid();
        self.bounded(async {
            let mut conn = self.conn().await?;
            let evicted = conn
                .transaction::<_, TxError, _>(async |c| {
                    // Logins of one user take turns on the user row, so two of them never
                    // both see room for one more session. A reset, change or deactivation
                    // updates that row too, so what is read here is what holds at commit.
                    let account: Option<(String, String)> = users::table
                        .find(uid)
                        .select((users::password_hash, users::status))
                        .for_no_key_update()
                        .first(c)
                        .await
                        .optional()?;
                    let still_valid = account.is_some_and(|(hash, status)| {
                        hash == verified.as_str()
                            && status != AccountStatus::Deleted.as_str()
                            && status != AccountStatus::Suspended.as_str()
                    });
                    if !still_valid {
                        return Ok(None);
                    }
                    let evicted = if max_sessions == 0 {
                        Vec::new()
                    } else {
                        let active = live_sessions(c, session.user_id, now).await?;
                        sessions_to_evict(&active, max_sessions)
                    };
                    if !evicted.is_empty() {
                        let ids: Vec<Uuid> = evicted.iter().map(|id| *id.as_uuid()).collect();
                        diesel::update(sessions::table.filter(sessions::id.eq_any(ids)))
                            .set(sessions::revoked_at.eq(Some(now)))
                            .execute(c)
                            .await?;
                    }
                    insert_session(c, session, token).await?;
                    Ok(Some(evicted))
                })
                .await
                .map_err(PortError::from)?;
            evicted.ok_or(CreateSessionError::CredentialsChanged)
        })
        .await
    }

    async fn rotate(
        &self,
        presented: &TokenHash,
        successor: &TokenHash,
        now: Timestamp,
        policy: &RotationPolicy,
    ) -> Result<RotateOutcome, PortError> {
        self.rotate_token(presented, successor, now, policy).await
    }

    async fn touch(
        &self,
        presented: &TokenHash,
        now: Timestamp,
    ) -> Result<RotateOutcome, PortError> {
        self.touch_token(presented, now).await
    }

    async fn find(&self, id: SessionId) -> Result<Option<Session>, PortError> {
        self.bounded(async {
            let mut conn = self.conn().await?;
            let row: Option<SessionRow> = sessions::table
                .find(id.as_uuid())
                .select(SessionRow::as_select())
                .first(&mut conn)
                .await
                .optional()
                .map_err(TxError::from)?;
            Ok(row.map(SessionRow::into_domain))
        })
        .await
    }

    async fn count_active(&self, now: Timestamp) -> Result<u64, PortError> {
        self.bounded(async {
            let mut conn = self.conn().await?;
            let live: i64 = sessions::table
                .inner_join(
                    refresh_tokens::table.on(refresh_tokens::hash.eq(sessions::current_token_hash)),
                )
                .filter(sessions::revoked_at.is_null())
                .filter(refresh_tokens::expires_at.gt(now))
                .count()
                .get_result(&mut conn)
                .await
                .map_err(TxError::from)?;
            Ok(u64::try_from(live).unwrap_or(0))
        })
        .await
    }

    async fn list_active(
        &self,
        user_id: UserId,
        now: Timestamp,
    ) -> Result<Vec<Session>, PortError> {
        self.bounded(async {
            let mut conn = self.conn().await?;
            let mut sessions = live_sessions(&mut conn, user_id, now)
                .await
                .map_err(TxError::from)?;
            sessions.sort_by_key(|s| std::cmp::Reverse((s.last_activity, s.created_at, s.id)));
            Ok(sessions)
        })
        .await
    }

    async fn revoke(
        &self,
        user_id: UserId,
        id: SessionId,
        now: Timestamp,
    ) -> Result<bool, PortError> {
        self.bounded(async {
            let mut conn = self.conn().await?;
            let revoked = conn
                .transaction::<_, TxError, _>(async |c| {
                    Ok(revoke_live_sessions(c, user_id, Which::Only(id), now).await?)
                })
                .await?;
            Ok(!revoked.is_empty())
        })
        .await
    }

    async fn revoke_all(
        &self,
        user_id: UserId,
        now: Timestamp,
    ) -> Result<Vec<SessionId>, PortError> {
        self.bounded(async {
            let mut conn = self.conn().await?;
            let revoked = conn
                .transaction::<_, TxError, _>(async |c| {
                    Ok(revoke_live_sessions(c, user_id, Which::AllBut(None), now).await?)
                })
                .await?;
            Ok(revoked)
        })
        .await
    }
}
