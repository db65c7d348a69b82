//! [`Retention`]: the cleanup sweep, one instance at a time, in small batches.
//!
//! One instance sweeps at a time: the sweep opens a connection of its own (outside the pool) and
//! takes the session-level `pg_try_advisory_lock(SWEEP_LOCK)` on it. Another instance's attempt
//! fails at once and skips this round. Session-level rather than one transaction-level lock per
//! batch: with the latter, two instances would alternate batches of one sweep, each believing
//! it sweeps alone. Because the connection is not pooled, dropping it (the sweep cut short by
//! an error, a timeout, a cancelled task) closes the session and releases the lock: it can never
//! be left behind on a pooled connection that a request then holds.
//!
//! Each statement deletes at most `batch` rows (`DELETE ... WHERE key IN (SELECT key ... LIMIT
//! batch FOR UPDATE SKIP LOCKED)`) in its own transaction, so no lock is held for long and a row
//! a request is changing right now is skipped until the next round. A table is done when a batch
//! comes back short; the task yields between batches.

use crate::error::TxError;
use crate::store::PostgresStore;
use async_trait::async_trait;
use authd_domain::Timestamp;
use authd_domain::error::PortError;
use authd_domain::policy::retention::SweepCutoffs;
use authd_domain::ports::{Retention, SweepOutcome, SweptRows};
use diesel::sql_types::{BigInt, Bool, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

/// The key of the sweep's advisory lock: any fixed number no other lock of authd uses
/// (`authdswp` in ASCII).
const SWEEP_LOCK: i64 = 0x6175_7468_6473_7770;

/// Sessions revoked, or whose current refresh token expired, before `$1`; their refresh tokens
/// go with them (`ON DELETE CASCADE`). A live session is neither.
const SESSIONS: &str = "\
DELETE FROM sessions WHERE id IN (
    SELECT s.id FROM sessions s JOIN refresh_tokens t ON t.hash = s.current_token_hash
    WHERE s.revoked_at < $1 OR t.expires_at < $1
    LIMIT $2 FOR UPDATE OF s SKIP LOCKED
)";

/// Expired before `$1` (used or not: a used token has expired by then too).
const ONE_TIME_TOKENS: &str = "\
DELETE FROM one_time_tokens WHERE hash IN (
    SELECT hash FROM one_time_tokens WHERE expires_at < $1
    LIMIT $2 FOR UPDATE SKIP LOCKED
)";

/// Delivered or given up before `$1`; a pending message (both `NULL`) never matches.
const OUTBOX: &str = "\
DELETE FROM outbox WHERE id IN (
    SELECT id FROM outbox
    WHERE (sent_at IS NOT NULL OR dead_at IS NOT NULL) AND coalesce(sent_at, dead_at) < $1
    LIMIT $2 FOR UPDATE SKIP LOCKED
)";

const AUDIT_EVENTS: &str = "\
DELETE FROM audit_events WHERE id IN (
    SELECT id FROM audit_events WHERE at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED
)";

/// Expired at `$1`: no longer consumable, answered as an unknown `mfaToken`.
const MFA_CHALLENGES: &str = "\
DELETE FROM mfa_challenges WHERE hash IN (
    SELECT hash FROM mfa_challenges WHERE expires_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED
)";

/// Expired at `$1`: no longer skips the second factor.
const REMEMBERED_DEVICES: &str = "\
DELETE FROM mfa_remembered_devices WHERE id IN (
    SELECT id FROM mfa_remembered_devices WHERE expires_at <= $1
    LIMIT $2 FOR UPDATE SKIP LOCKED
)";

/// Identifier locks that ended by `$1`: such a row answers exactly as no row does. Counts that
/// never locked stay (see `authd_domain::policy::retention`).
const LOGIN_FAILURES: &str = "\
DELETE FROM login_failures WHERE digest IN (
    SELECT digest FROM login_failures WHERE locked_until <= $1
    LIMIT $2 FOR UPDATE SKIP LOCKED
)";

#[derive(diesel::QueryableByName)]
struct Locked {
    #[diesel(sql_type = Bool)]
    locked: bool,
}

#[async_trait]
impl Retention for PostgresStore {
    async fn sweep(&self, cutoffs: &SweepCutoffs, batch: usize) -> Result<SweepOutcome, PortError> {
        let batch = i64::try_from(batch.max(1)).unwrap_or(i64::MAX);
        // Dropped at the end of this call, error or not: the session ends, the lock with it.
        let mut conn = self.dedicated().await?;
        if !try_lock(&mut conn).await? {
            return Ok(SweepOutcome::Busy);
        }
        let steps: [(&str, &str, Timestamp); 7] = [
            ("sessions", SESSIONS, cutoffs.ended_before),
            ("one_time_tokens", ONE_TIME_TOKENS, cutoffs.ended_before),
            ("outbox", OUTBOX, cutoffs.outbox_finished_before),
            ("audit_events", AUDIT_EVENTS, cutoffs.audit_before),
            ("mfa_challenges", MFA_CHALLENGES, cutoffs.now),
            ("remembered_devices", REMEMBERED_DEVICES, cutoffs.now),
            ("login_failures", LOGIN_FAILURES, cutoffs.now),
        ];
        let mut counts = [0_u64; 7];
        // Each table on its own: one that fails (a statement timeout on a large backlog, say)
        // must not keep every table after it from ever being swept. Its rows wait for the next
        // round; the failure is logged.
        for ((table, statement, before), count) in steps.iter().zip(counts.iter_mut()) {
            match drain(&mut conn, statement, *before, batch).await {
                Ok(n) => *count = n,
                Err(e) => {
                    tracing::warn!(table, error = %e, "cleanup: this table was not swept this round")
                }
            }
        }
        let [
            sessions,
            one_time_tokens,
            outbox,
            audit_events,
            mfa_challenges,
            remembered_devices,
            login_failures,
        ] = counts;
        // Closing the connection would release it too; unlocking says so explicitly.
        let _ = diesel::sql_query(format!("SELECT pg_advisory_unlock({SWEEP_LOCK})"))
            .execute(&mut conn)
            .await;
        Ok(SweepOutcome::Swept(SweptRows {
            sessions,
            one_time_tokens,
            outbox,
            audit_events,
            mfa_challenges,
            remembered_devices,
            login_failures,
        }))
    }
}

async fn try_lock(conn: &mut AsyncPgConnection) -> Result<bool, PortError> {
    let row: Locked = diesel::sql_query(format!(
        "SELECT pg_try_advisory_lock({SWEEP_LOCK}) AS locked"
    ))
    .get_result(conn)
    .await
    .map_err(TxError::from)?;
    Ok(row.locked)
}

/// Deletes batches of `statement` until one comes back short; the rows deleted in all.
async fn drain(
    conn: &mut AsyncPgConnection,
    statement: &str,
    before: Timestamp,
    batch: i64,
) -> Result<u64, PortError> {
    let mut total: u64 = 0;
    loop {
        let deleted = diesel::sql_query(statement)
            .bind::<Timestamptz, _>(before)
            .bind::<BigInt, _>(batch)
            .execute(conn)
            .await
            .map_err(TxError::from)?;
        total = total.saturating_add(u64::try_from(deleted).unwrap_or(0));
        if i64::try_from(deleted).unwrap_or(i64::MAX) < batch {
            return Ok(total);
        }
        tokio::task::yield_now().await;
    }
}
