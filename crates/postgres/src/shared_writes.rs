//! The writes several units of work share: queueing a mail ([`queue_mail`]) and revoking live
//! sessions ([`revoke_live_sessions`]). Each runs on the caller's connection, inside the
//! caller's transaction, so that it commits or rolls back with the change that caused it.

use crate::error::TxError;
use crate::payload;
use crate::schema::{outbox, sessions};
use authd_domain::Timestamp;
use authd_domain::ids::{MessageId, SessionId, UserId};
use authd_domain::notification::Notification;
use diesel::prelude::*;
use diesel::sql_types::{Array, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

#[derive(Insertable)]
#[diesel(table_name = outbox, check_for_backend(diesel::pg::Pg))]
struct NewMessage {
    id: Uuid,
    kind: &'static str,
    payload: serde_json::Value,
    created_at: Timestamp,
    next_attempt_at: Timestamp,
}

/// Queues `mail`, due at `now`.
pub(crate) async fn queue_mail(
    c: &mut AsyncPgConnection,
    mail: &Notification,
    now: Timestamp,
) -> Result<MessageId, TxError> {
    let id = MessageId::new();
    diesel::insert_into(outbox::table)
        .values(NewMessage {
            id: *id.as_uuid(),
            kind: mail.kind(),
            payload: payload::to_json(mail)?,
            created_at: now,
            next_attempt_at: now,
        })
        .execute(c)
        .await?;
    Ok(id)
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: Uuid,
}

/// Which sessions of a user to revoke.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Which {
    /// Every live session but the one named, if any.
    AllBut(Option<SessionId>),
    /// This one session, if it is the user's and live.
    Only(SessionId),
}

/// Revokes the live sessions of `user_id` chosen by `which`; returns them in id order.
///
/// The sessions are locked first (in id order, so that two revocations cannot deadlock), then
/// revoked by a second statement. A concurrent rotation's compare-and-swap updates the session
/// row, so it takes the same row lock: either it committed before (and the second statement,
/// with a fresh snapshot, sees the successor that keeps the session live) or it waits, then
/// finds the session revoked and writes nothing.
pub(crate) async fn revoke_live_sessions(
    c: &mut AsyncPgConnection,
    user_id: UserId,
    which: Which,
    now: Timestamp,
) -> QueryResult<Vec<SessionId>> {
    let live = sessions::table
        .filter(sessions::user_id.eq(user_id.as_uuid()))
        .filter(sessions::revoked_at.is_null())
        .select(sessions::id)
        .order(sessions::id);
    let mut keep = Vec::new();
    let locked: Vec<Uuid> = match which {
        Which::AllBut(kept) => {
            keep.extend(kept.map(|id| *id.as_uuid()));
            live.for_update().load(c).await?
        }
        Which::Only(id) => {
            live.filter(sessions::id.eq(id.as_uuid()))
                .for_update()
                .load(c)
                .await?
        }
    };
    if locked.is_empty() {
        return Ok(Vec::new());
    }
    let mut revoked: Vec<SessionId> = diesel::sql_query(
        "UPDATE sessions SET revoked_at = $1 \
         WHERE id = ANY($2) AND id <> ALL($3) \
           AND EXISTS (SELECT 1 FROM refresh_tokens t \
                       WHERE t.hash = sessions.current_token_hash AND t.expires_at > $1) \
         RETURNING id",
    )
    .bind::<Timestamptz, _>(now)
    .bind::<Array<diesel::sql_types::Uuid>, _>(&locked)
    .bind::<Array<diesel::sql_types::Uuid>, _>(&keep)
    .load::<IdRow>(c)
    .await?
    .into_iter()
    .map(|r| SessionId::from_uuid(r.id))
    .collect();
    revoked.sort_unstable();
    Ok(revoked)
}
