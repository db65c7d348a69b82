//! Backup codes: the confirmed set (`factor_id IS NULL`), which works, and the pending sets that
//! came with a setup and take over when their factor is confirmed.
//!
//! Whatever changes a user's confirmed codes locks them first, all of them and in digest order
//! (spending one, replacing or deleting the set), so two such changes never deadlock and a spend
//! counts exactly the codes that are left after it.

use crate::error::TxError;
use crate::schema::mfa_backup_codes;
use authd_domain::ports::BackupCodeUse;
use authd_domain::token::TokenHash;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

/// Spends one unused confirmed code among the digests `$2` in one statement. `held` locks, in
/// digest order, the user's unused codes and those with one of the digests, and reads them as
/// they are once concurrent changes committed: a code another statement spent first is then no
/// longer unused (neither spent twice nor counted as left) and, if it is this one, known as
/// used; a code a replacement deleted meanwhile is gone, so unknown.
const USE_CODE: &str = "\
WITH held AS (
    SELECT id, digest, used_at FROM mfa_backup_codes
    WHERE user_id = $1 AND factor_id IS NULL AND (used_at IS NULL OR digest = ANY($2))
    ORDER BY digest
    FOR UPDATE
), spent AS (
    UPDATE mfa_backup_codes SET used_at = $3
    WHERE id = (SELECT id FROM held WHERE used_at IS NULL AND digest = ANY($2) LIMIT 1)
    RETURNING id
)
SELECT (SELECT count(*) FROM spent) AS spent,
       (SELECT count(*) FROM held WHERE used_at IS NULL) AS unused,
       EXISTS (SELECT 1 FROM held WHERE digest = ANY($2)) AS known";

/// Deletes the user's confirmed codes, locking them in the order every spend does.
const DELETE_CONFIRMED: &str = "\
DELETE FROM mfa_backup_codes WHERE id IN (
    SELECT id FROM mfa_backup_codes
    WHERE user_id = $1 AND factor_id IS NULL
    ORDER BY digest
    FOR UPDATE
)";

#[derive(QueryableByName)]
struct UseRow {
    #[diesel(sql_type = BigInt)]
    spent: i64,
    #[diesel(sql_type = BigInt)]
    unused: i64,
    #[diesel(sql_type = Bool)]
    known: bool,
}

#[derive(Insertable)]
#[diesel(table_name = mfa_backup_codes, check_for_backend(diesel::pg::Pg))]
struct NewCode<'a> {
    user_id: Uuid,
    digest: &'a str,
    factor_id: Option<Uuid>,
}

fn digests_of(digests: &[TokenHash]) -> Vec<&str> {
    digests.iter().map(TokenHash::as_str).collect()
}

pub(super) async fn spend(
    c: &mut AsyncPgConnection,
    user_id: Uuid,
    digests: &[TokenHash],
    now: authd_domain::Timestamp,
) -> Result<BackupCodeUse, TxError> {
    let row: UseRow = diesel::sql_query(USE_CODE)
        .bind::<diesel::sql_types::Uuid, _>(user_id)
        .bind::<Array<Text>, _>(digests_of(digests))
        .bind::<Timestamptz, _>(now)
        .get_result(c)
        .await?;
    Ok(if row.spent > 0 {
        let left = row.unused.saturating_sub(row.spent);
        BackupCodeUse::Accepted {
            remaining: u32::try_from(left).unwrap_or(u32::MAX),
        }
    } else if row.known {
        BackupCodeUse::AlreadyUsed
    } else {
        BackupCodeUse::Unknown
    })
}

/// Stores `digests` as the user's confirmed codes (`factor_id` `None`) or as the pending set of
/// a factor. A digest given twice is stored once: two equal codes in one set are one code.
pub(super) async fn insert(
    c: &mut AsyncPgConnection,
    user_id: Uuid,
    factor_id: Option<Uuid>,
    digests: &[TokenHash],
) -> QueryResult<()> {
    if digests.is_empty() {
        return Ok(());
    }
    let rows: Vec<NewCode<'_>> = digests
        .iter()
        .map(|d| NewCode {
            user_id,
            digest: d.as_str(),
            factor_id,
        })
        .collect();
    diesel::insert_into(mfa_backup_codes::table)
        .values(&rows)
        .on_conflict_do_nothing()
        .execute(c)
        .await?;
    Ok(())
}

/// Deletes the user's confirmed codes, used or not.
pub(super) async fn delete_confirmed(c: &mut AsyncPgConnection, user_id: Uuid) -> QueryResult<()> {
    diesel::sql_query(DELETE_CONFIRMED)
        .bind::<diesel::sql_types::Uuid, _>(user_id)
        .execute(c)
        .await?;
    Ok(())
}

/// Deletes the pending set of a factor.
pub(super) async fn delete_pending(c: &mut AsyncPgConnection, factor_id: Uuid) -> QueryResult<()> {
    diesel::delete(mfa_backup_codes::table.filter(mfa_backup_codes::factor_id.eq(factor_id)))
        .execute(c)
        .await?;
    Ok(())
}

/// The pending set of a factor just confirmed becomes the user's confirmed set, replacing it.
pub(super) async fn promote(
    c: &mut AsyncPgConnection,
    user_id: Uuid,
    factor_id: Uuid,
) -> QueryResult<()> {
    delete_confirmed(c, user_id).await?;
    diesel::update(mfa_backup_codes::table.filter(mfa_backup_codes::factor_id.eq(factor_id)))
        .set(mfa_backup_codes::factor_id.eq(None::<Uuid>))
        .execute(c)
        .await?;
    Ok(())
}

/// How many confirmed codes the user has not used.
pub(super) async fn unused_count(c: &mut AsyncPgConnection, user_id: Uuid) -> QueryResult<i64> {
    mfa_backup_codes::table
        .filter(mfa_backup_codes::user_id.eq(user_id))
        .filter(mfa_backup_codes::factor_id.is_null())
        .filter(mfa_backup_codes::used_at.is_null())
        .count()
        .get_result(c)
        .await
}
