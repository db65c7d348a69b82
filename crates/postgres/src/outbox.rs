//! [`Outbox`] over the `outbox` table. Claims lease messages with `FOR UPDATE SKIP LOCKED`,
//! so concurrent workers, of any instance, never get the same message; delivered and dead
//! messages stay in the table with `sent_at` / `dead_at`.

use crate::error::TxError;
use crate::payload;
use crate::schema::outbox;
use crate::shared_writes::queue_mail;
use crate::store::PostgresStore;
use async_trait::async_trait;
use authd_domain::Timestamp;
use authd_domain::error::PortError;
use authd_domain::ids::MessageId;
use authd_domain::notification::{Notification, OutboxMessage};
use authd_domain::ports::{Outbox, OutboxCounts};
use chrono::Duration;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Timestamptz};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

/// The longest error message kept per message.
const MAX_ERROR_CHARS: usize = 1000;

const CLAIM: &str = "\
UPDATE outbox SET leased_until = $3
WHERE id IN (
    SELECT id FROM outbox
    WHERE sent_at IS NULL AND dead_at IS NULL AND next_attempt_at <= $1
      AND (leased_until IS NULL OR leased_until <= $1)
    ORDER BY next_attempt_at, id
    LIMIT $2
    FOR UPDATE SKIP LOCKED
)
RETURNING id, payload, created_at, attempts, next_attempt_at";

#[derive(QueryableByName)]
#[diesel(table_name = outbox, check_for_backend(diesel::pg::Pg))]
struct Claimed {
    id: Uuid,
    payload: serde_json::Value,
    created_at: Timestamp,
    attempts: i32,
    next_attempt_at: Timestamp,
}

const COUNTS: &str = "\
SELECT count(*) FILTER (WHERE sent_at IS NULL AND dead_at IS NULL AND attempts = 0) AS pending,
       count(*) FILTER (WHERE sent_at IS NULL AND dead_at IS NULL AND attempts > 0) AS retrying,
       count(*) FILTER (WHERE dead_at IS NOT NULL) AS dead
FROM outbox";

#[derive(QueryableByName)]
struct Counts {
    #[diesel(sql_type = BigInt)]
    pending: i64,
    #[diesel(sql_type = BigInt)]
    retrying: i64,
    #[diesel(sql_type = BigInt)]
    dead: i64,
}

#[async_trait]
impl Outbox for PostgresStore {
    async fn counts(&self) -> Result<OutboxCounts, PortError> {
        self.bounded(async {
            let mut conn = self.conn().await?;
            let counts: Counts = diesel::sql_query(COUNTS)
                .get_result(&mut conn)
                .await
                .map_err(TxError::from)?;
            let count = |n: i64| u64::try_from(n).unwrap_or(0);
            Ok(OutboxCounts {
                pending: count(counts.pending),
                retrying: count(counts.retrying),
                dead: count(counts.dead),
            })
        })
        .await
    }

    async fn enqueue(&self, mail: &Notification, now: Timestamp) -> Result<MessageId, PortError> {
        self.bounded(async {
            let mut conn = self.conn().await?;
            Ok(queue_mail(&mut conn, mail, now).await?)
        })
        .await
    }

    async fn claim_due(
        &self,
        now: Timestamp,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<OutboxMessage>, PortError> {
        let leased_until = now
            .checked_add_signed(lease)
            .unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.bounded(async {
            let mut conn = self.conn().await?;
            let mut rows: Vec<Claimed> = diesel::sql_query(CLAIM)
                .bind::<Timestamptz, _>(now)
                .bind::<BigInt, _>(limit)
                .bind::<Timestamptz, _>(leased_until)
                .load(&mut conn)
                .await
                .map_err(TxError::from)?;
            // RETURNING keeps no order: oldest due first, as they were chosen.
            rows.sort_by_key(|r| (r.next_attempt_at, r.id));
            rows.into_iter()
                .map(|r| {
                    Ok(OutboxMessage {
                        id: MessageId::from_uuid(r.id),
                        notification: payload::from_json(r.payload)?,
                        created_at: r.created_at,
                        attempts: u32::try_from(r.attempts).unwrap_or(0),
                    })
                })
                .collect()
        })
        .await
    }

    async fn mark_sent(&self, id: MessageId, now: Timestamp) -> Result<(), PortError> {
        self.bounded(async {
            let mut conn = self.conn().await?;
            diesel::update(outbox::table.find(id.as_uuid()))
                .set((
                    outbox::sent_at.eq(Some(now)),
                    outbox::leased_until.eq(None::<Timestamp>),
                ))
                .execute(&mut conn)
                .await
                .map_err(TxError::from)?;
            Ok(())
        })
        .await
    }

    async fn mark_failed(
        &self,
        id: MessageId,
        retry_at: Option<Timestamp>,
        error: &str,
    ) -> Result<(), PortError> {
        let error: String = error.chars().take(MAX_ERROR_CHARS).collect();
        self.bounded(async {
            let mut conn = self.conn().await?;
            let target = diesel::update(outbox::table.find(id.as_uuid()));
            let common = (
                outbox::attempts.eq(outbox::attempts + 1),
                outbox::leased_until.eq(None::<Timestamp>),
                outbox::last_error.eq(Some(error)),
            );
            let done = match retry_at {
                Some(at) => {
                    target
                        .set((common, outbox::next_attempt_at.eq(at)))
                        .execute(&mut conn)
                        .await
                }
                // The port gives no time for a message that dies; the server's clock is
                // only used for this record.
                None => {
                    let now = diesel::dsl::sql::<Nullable<Timestamptz>>("now()");
                    target
                        .set((common, outbox::dead_at.eq(now)))
                        .execute(&mut conn)
                        .await
                }
            };
            done.map_err(TxError::from)?;
            Ok(())
        })
        .await
    }
}
