//! Login challenges. Each is consumed by one conditional `DELETE ... RETURNING`, so exactly one
//! of concurrent verifications gets it. A challenge that reached
//! [`MfaChallenge::MAX_FAILURES`] is kept, dead (consuming refuses it, finding shows its count),
//! until the user's next challenge clears it out with the expired ones.

use super::rows::ChallengeRow;
use crate::error::TxError;
use crate::rows::loaded_count;
use crate::schema::mfa_challenges;
use authd_domain::Timestamp;
use authd_domain::mfa::MfaChallenge;
use authd_domain::token::TokenHash;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Int4, Nullable, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

/// Stores a challenge and deletes the user's dead ones (expired or failed out), in one statement.
const CREATE: &str = "\
WITH dead AS (
    DELETE FROM mfa_challenges WHERE user_id = $2 AND (expires_at <= $7 OR failures >= $10)
)
INSERT INTO mfa_challenges (hash, user_id, verified, remember_me, ip, user_agent, created_at,
                            expires_at, failures)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

fn max_failures() -> i32 {
    crate::rows::stored_count(MfaChallenge::MAX_FAILURES)
}

pub(super) async fn create(c: &mut AsyncPgConnection, challenge: &MfaChallenge) -> QueryResult<()> {
    let row = ChallengeRow::from_domain(challenge);
    diesel::sql_query(CREATE)
        .bind::<Text, _>(row.hash)
        .bind::<diesel::sql_types::Uuid, _>(row.user_id)
        .bind::<Text, _>(row.verified)
        .bind::<Bool, _>(row.remember_me)
        .bind::<Nullable<Text>, _>(row.ip)
        .bind::<Nullable<Text>, _>(row.user_agent)
        .bind::<Timestamptz, _>(row.created_at)
        .bind::<Timestamptz, _>(row.expires_at)
        .bind::<Int4, _>(row.failures)
        .bind::<Int4, _>(max_failures())
        .execute(c)
        .await?;
    Ok(())
}

pub(super) async fn find(
    c: &mut AsyncPgConnection,
    hash: &TokenHash,
) -> Result<Option<MfaChallenge>, TxError> {
    let row: Option<ChallengeRow> = mfa_challenges::table
        .find(hash.as_str())
        .select(ChallengeRow::as_select())
        .first(c)
        .await
        .optional()?;
    Ok(row.map(ChallengeRow::into_domain))
}

/// One more wrong code, counted by the row's own update: concurrent counts queue on the row
/// lock and none is lost.
pub(super) async fn record_failure(
    c: &mut AsyncPgConnection,
    hash: &TokenHash,
) -> Result<Option<u32>, TxError> {
    let failures: Option<i32> = diesel::update(mfa_challenges::table.find(hash.as_str()))
        .set(mfa_challenges::failures.eq(mfa_challenges::failures + 1))
        .returning(mfa_challenges::failures)
        .get_result(c)
        .await
        .optional()?;
    Ok(failures.map(loaded_count))
}

pub(super) async fn consume(
    c: &mut AsyncPgConnection,
    hash: &TokenHash,
    now: Timestamp,
) -> Result<Option<MfaChallenge>, TxError> {
    let row: Option<ChallengeRow> = diesel::delete(
        mfa_challenges::table
            .find(hash.as_str())
            .filter(mfa_challenges::expires_at.gt(now))
            .filter(mfa_challenges::failures.lt(max_failures())),
    )
    .returning(ChallengeRow::as_returning())
    .get_result(c)
    .await
    .optional()?;
    Ok(row.map(ChallengeRow::into_domain))
}
