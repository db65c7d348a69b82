//! Login challenges. An attempt is taken by one conditional `UPDATE ... RETURNING` (concurrent
//! ones queue on the row lock, and each re-checks the count once it has it), so at most
//! [`MfaChallenge::MAX_ATTEMPTS`] codes are ever checked against one challenge. It is consumed
//! by one conditional `DELETE ... RETURNING`, so exactly one of concurrent verifications gets
//! it. A challenge whose attempts are all taken is kept (the last code may still be the right
//! one) until the user's next challenge clears it out with the expired ones.

use super::rows::ChallengeRow;
use crate::error::TxError;
use crate::schema::mfa_challenges;
use authd_domain::Timestamp;
use authd_domain::mfa::MfaChallenge;
use authd_domain::token::TokenHash;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Int4, Nullable, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

/// Stores a challenge and deletes the user's dead ones (expired or out of attempts), in one
/// statement.
const CREATE: &str = "\
WITH dead AS (
    DELETE FROM mfa_challenges WHERE user_id = $2 AND (expires_at <= $7 OR attempts >= $10)
)
INSERT INTO mfa_challenges (hash, user_id, verified, remember_me, ip, user_agent, created_at,
                            expires_at, attempts, lock_bypass)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $11)";

fn max_attempts() -> i32 {
    crate::rows::stored_count(MfaChallenge::MAX_ATTEMPTS)
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
        .bind::<Int4, _>(row.attempts)
        .bind::<Int4, _>(max_attempts())
        .bind::<Bool, _>(row.lock_bypass)
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

/// Counts one attempt if the challenge is unexpired and has attempts left, in one statement:
/// concurrent ones queue on the row lock and each re-evaluates `attempts < 5` on the row as the
/// one before it left it, so exactly 5 of any number succeed.
pub(super) async fn take_attempt(
    c: &mut AsyncPgConnection,
    hash: &TokenHash,
    now: Timestamp,
) -> Result<Option<MfaChallenge>, TxError> {
    let row: Option<ChallengeRow> = diesel::update(
        mfa_challenges::table
            .find(hash.as_str())
            .filter(mfa_challenges::expires_at.gt(now))
            .filter(mfa_challenges::attempts.lt(max_attempts())),
    )
    .set(mfa_challenges::attempts.eq(mfa_challenges::attempts + 1))
    .returning(ChallengeRow::as_returning())
    .get_result(c)
    .await
    .optional()?;
    Ok(row.map(ChallengeRow::into_domain))
}

/// Whatever its attempts: the caller took one before checking the code.
pub(super) async fn consume(
    c: &mut AsyncPgConnection,
    hash: &TokenHash,
    now: Timestamp,
) -> Result<Option<MfaChallenge>, TxError> {
    let row: Option<ChallengeRow> = diesel::delete(
        mfa_challenges::table
            .find(hash.as_str())
            .filter(mfa_challenges::expires_at.gt(now)),
    )
    .returning(ChallengeRow::as_returning())
    .get_result(c)
    .await
    .optional()?;
    Ok(row.map(ChallengeRow::into_domain))
}
