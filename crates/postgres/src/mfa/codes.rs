//! Emailed codes, on the row of their factor or challenge (`code_digest`, `code_expires_at`).
//! Storing one is a plain `UPDATE` of that row, so a target that is gone stores nothing; using
//! one is a compare-and-set that clears it, so concurrent uses queue on the row lock and only
//! the first finds the digest still there.

use crate::schema::{mfa_challenges, mfa_factors};
use authd_domain::Timestamp;
use authd_domain::ports::CodeTarget;
use authd_domain::token::TokenHash;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

/// Replaces the target's code; `false` when the target is gone.
pub(super) async fn store(
    c: &mut AsyncPgConnection,
    target: &CodeTarget,
    digest: &TokenHash,
    expires_at: Timestamp,
) -> QueryResult<bool> {
    let updated = match target {
        CodeTarget::Factor(id) => {
            diesel::update(mfa_factors::table.find(id.as_uuid()))
                .set((
                    mfa_factors::code_digest.eq(digest.as_str()),
                    mfa_factors::code_expires_at.eq(expires_at),
                ))
                .execute(c)
                .await?
        }
        CodeTarget::Challenge(hash) => {
            diesel::update(mfa_challenges::table.find(hash.as_str()))
                .set((
                    mfa_challenges::code_digest.eq(digest.as_str()),
                    mfa_challenges::code_expires_at.eq(expires_at),
                ))
                .execute(c)
                .await?
        }
    };
    Ok(updated == 1)
}

/// Clears the target's code if it is one of `digests` and unexpired at `now`.
pub(super) async fn spend(
    c: &mut AsyncPgConnection,
    target: &CodeTarget,
    digests: &[TokenHash],
    now: Timestamp,
) -> QueryResult<bool> {
    let digests: Vec<&str> = digests.iter().map(TokenHash::as_str).collect();
    let updated = match target {
        CodeTarget::Factor(id) => {
            diesel::update(
                mfa_factors::table
                    .find(id.as_uuid())
                    .filter(mfa_factors::code_digest.eq_any(&digests))
                    .filter(mfa_factors::code_expires_at.gt(now)),
            )
            .set((
                mfa_factors::code_digest.eq(None::<String>),
                mfa_factors::code_expires_at.eq(None::<Timestamp>),
            ))
            .execute(c)
            .await?
        }
        CodeTarget::Challenge(hash) => {
            diesel::update(
                mfa_challenges::table
                    .find(hash.as_str())
                    .filter(mfa_challenges::code_digest.eq_any(&digests))
                    .filter(mfa_challenges::code_expires_at.gt(now)),
            )
            .set((
                mfa_challenges::code_digest.eq(None::<String>),
                mfa_challenges::code_expires_at.eq(None::<Timestamp>),
            ))
            .execute(c)
            .await?
        }
    };
    Ok(updated == 1)
}
