//! Factors: setting one up, accepting a TOTP step (which confirms a pending factor), turning MFA
//! off. The rows that serialize the races are the factor rows: a setup takes the user's pending
//! row (INSERT ... ON CONFLICT DO UPDATE), an accepted step the factor's row, turning MFA off the
//! confirmed one; each then checks what it must under that lock.

use super::backup_codes;
use super::rows::{FactorRow, stored_step};
use crate::error::TxError;
use crate::schema::{mfa_factors, users};
use crate::shared_writes::queue_mail;
use authd_domain::Timestamp;
use authd_domain::error::PortError;
use authd_domain::ids::FactorId;
use authd_domain::mfa::{Factor, TotpStep};
use authd_domain::notification::Notification;
use authd_domain::token::TokenHash;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Timestamptz};
use diesel::upsert::excluded;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

/// Why a setup stored nothing: the transaction rolls back on either.
#[derive(Debug)]
pub(super) enum SetupFailure {
    AlreadyEnabled,
    Tx(TxError),
}

impl From<diesel::result::Error> for SetupFailure {
    fn from(e: diesel::result::Error) -> Self {
        Self::Tx(e.into())
    }
}

/// Stores `factor` as the user's pending factor of its kind, replacing one that is pending, and
/// the backup codes that come with it; refuses if a factor of that kind is confirmed. Run in a
/// transaction.
///
/// The upsert comes first so that the confirmed check runs under the pending row's lock: a
/// confirmation of the old pending factor that was under way has committed by then (the upsert
/// waited for it), and one that starts later finds its factor replaced.
pub(super) async fn begin_setup(
    c: &mut AsyncPgConnection,
    factor: &Factor,
    codes: &[TokenHash],
) -> Result<(), SetupFailure> {
    let row = FactorRow::pending(factor);
    let (user_id, factor_id, kind) = (row.user_id, row.id, row.kind.clone());
    // A replaced pending factor takes the new id; its backup codes follow it (ON UPDATE
    // CASCADE) and are deleted next, before the new ones are stored.
    diesel::insert_into(mfa_factors::table)
        .values(&row)
        .on_conflict((mfa_factors::user_id, mfa_factors::kind))
        .filter_target(mfa_factors::confirmed_at.is_null())
        .do_update()
        .set((
            mfa_factors::id.eq(excluded(mfa_factors::id)),
            mfa_factors::device_name.eq(excluded(mfa_factors::device_name)),
            mfa_factors::secret.eq(excluded(mfa_factors::secret)),
            mfa_factors::last_step.eq(None::<i64>),
            mfa_factors::created_at.eq(excluded(mfa_factors::created_at)),
            mfa_factors::last_used_at.eq(None::<Timestamp>),
            mfa_factors::code_digest.eq(None::<String>),
            mfa_factors::code_expires_at.eq(None::<Timestamp>),
            mfa_factors::phone.eq(excluded(mfa_factors::phone)),
        ))
        .execute(c)
        .await?;
    let confirmed: bool = diesel::select(diesel::dsl::exists(
        mfa_factors::table
            .filter(mfa_factors::user_id.eq(user_id))
            .filter(mfa_factors::kind.eq(&kind))
            .filter(mfa_factors::confirmed_at.is_not_null()),
    ))
    .get_result(c)
    .await?;
    if confirmed {
        return Err(SetupFailure::AlreadyEnabled);
    }
    backup_codes::delete_pending(c, factor_id).await?;
    backup_codes::insert(c, user_id, Some(factor_id), codes).await?;
    Ok(())
}

/// The compare-and-set of a TOTP step, in one statement. `before` locks the factor's row and
/// reads it as it is after any concurrent change committed, so `confirms` is true for exactly
/// the one call that turns a pending factor into a confirmed one.
const ACCEPT_STEP: &str = "\
WITH before AS (
    SELECT id, confirmed_at FROM mfa_factors WHERE id = $1 FOR UPDATE
)
UPDATE mfa_factors f
SET last_step = $2, last_used_at = $3, confirmed_at = COALESCE(f.confirmed_at, $3)
FROM before
WHERE f.id = before.id AND (f.last_step IS NULL OR f.last_step < $2)
RETURNING f.user_id, before.confirmed_at IS NULL AS confirms";

#[derive(QueryableByName)]
struct Accepted {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    user_id: Uuid,
    #[diesel(sql_type = Bool)]
    confirms: bool,
}

/// Records an accepted step; when it confirms the factor, its backup codes replace the user's,
/// MFA turns on and `mail` is queued. Run in a transaction.
pub(super) async fn accept_step(
    c: &mut AsyncPgConnection,
    factor_id: FactorId,
    step: TotpStep,
    now: Timestamp,
    mail: &Notification,
) -> Result<bool, TxError> {
    let accepted: Option<Accepted> = diesel::sql_query(ACCEPT_STEP)
        .bind::<diesel::sql_types::Uuid, _>(factor_id.as_uuid())
        .bind::<BigInt, _>(stored_step(step)?)
        .bind::<Timestamptz, _>(now)
        .get_result(c)
        .await
        .optional()?;
    let Some(accepted) = accepted else {
        return Ok(false);
    };
    if accepted.confirms {
        backup_codes::promote(c, accepted.user_id, *factor_id.as_uuid()).await?;
        set_mfa_enabled(c, accepted.user_id, true).await?;
        queue_mail(c, mail, now).await?;
    }
    Ok(true)
}

/// Confirms a pending factor, whatever its kind (an email factor has no step to record).
/// The `UPDATE ... WHERE confirmed_at IS NULL` is the compare-and-set: concurrent calls queue on
/// the row lock and only the first finds the factor still pending.
const CONFIRM: &str = "\
UPDATE mfa_factors SET confirmed_at = $2, last_used_at = $2
WHERE id = $1 AND confirmed_at IS NULL
RETURNING user_id";

#[derive(QueryableByName)]
struct Confirmed {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    user_id: Uuid,
}

/// Confirms the pending factor: its backup codes replace the user's, MFA turns on and `mail` is
/// queued. `false` when it is confirmed already or gone. Run in a transaction.
pub(super) async fn confirm(
    c: &mut AsyncPgConnection,
    factor_id: FactorId,
    now: Timestamp,
    mail: &Notification,
) -> Result<bool, TxError> {
    let confirmed: Option<Confirmed> = diesel::sql_query(CONFIRM)
        .bind::<diesel::sql_types::Uuid, _>(factor_id.as_uuid())
        .bind::<Timestamptz, _>(now)
        .get_result(c)
        .await
        .optional()?;
    let Some(confirmed) = confirmed else {
        return Ok(false);
    };
    backup_codes::promote(c, confirmed.user_id, *factor_id.as_uuid()).await?;
    set_mfa_enabled(c, confirmed.user_id, true).await?;
    queue_mail(c, mail, now).await?;
    Ok(true)
}

async fn set_mfa_enabled(c: &mut AsyncPgConnection, user_id: Uuid, on: bool) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set(users::mfa_enabled.eq(on))
        .execute(c)
        .await?;
    Ok(())
}

/// Deletes everything MFA of the user but the factors' own backup codes (their foreign key
/// cascades) and the confirmed codes (deleted first, in lock order), and turns MFA off.
const FORGET_MFA: &str = "\
WITH factors AS (DELETE FROM mfa_factors WHERE user_id = $1),
     challenges AS (DELETE FROM mfa_challenges WHERE user_id = $1),
     devices AS (DELETE FROM mfa_remembered_devices WHERE user_id = $1)
UPDATE users SET mfa_enabled = false WHERE id = $1";

/// Turns MFA off if the user has a confirmed factor. Run in a transaction.
pub(super) async fn disable(
    c: &mut AsyncPgConnection,
    user_id: Uuid,
    now: Timestamp,
    mail: &Notification,
) -> Result<bool, TxError> {
    // Locks the confirmed factors: a concurrent step or setup waits, then finds them gone.
    let confirmed: Vec<Uuid> = mfa_factors::table
        .filter(mfa_factors::user_id.eq(user_id))
        .filter(mfa_factors::confirmed_at.is_not_null())
        .select(mfa_factors::id)
        .for_update()
        .load(c)
        .await?;
    if confirmed.is_empty() {
        return Ok(false);
    }
    backup_codes::delete_confirmed(c, user_id).await?;
    // The account row first, in its own statement (the lock the `UPDATE users` below would take
    // anyway): a device being remembered, which locks the row `FOR SHARE`, then either commits
    // first and is seen by the delete below, whose snapshot is taken after this lock, or waits
    // and finds MFA off.
    diesel::sql_query("SELECT id FROM users WHERE id = $1 FOR NO KEY UPDATE")
        .bind::<diesel::sql_types::Uuid, _>(user_id)
        .execute(c)
        .await?;
    diesel::sql_query(FORGET_MFA)
        .bind::<diesel::sql_types::Uuid, _>(user_id)
        .execute(c)
        .await?;
    queue_mail(c, mail, now).await?;
    Ok(true)
}

/// The user's factor of this kind; the confirmed one if there were both.
pub(super) async fn find(
    c: &mut AsyncPgConnection,
    user_id: Uuid,
    kind: &str,
) -> Result<Option<Factor>, PortError> {
    let row: Option<FactorRow> = mfa_factors::table
        .filter(mfa_factors::user_id.eq(user_id))
        .filter(mfa_factors::kind.eq(kind))
        .order(mfa_factors::confirmed_at.is_null())
        .select(FactorRow::as_select())
        .first(c)
        .await
        .optional()
        .map_err(TxError::from)?;
    row.map(FactorRow::into_domain).transpose()
}

/// The user's factors, oldest first.
pub(super) async fn all_of(
    c: &mut AsyncPgConnection,
    user_id: Uuid,
) -> Result<Vec<Factor>, PortError> {
    let rows: Vec<FactorRow> = mfa_factors::table
        .filter(mfa_factors::user_id.eq(user_id))
        .order((mfa_factors::created_at, mfa_factors::id))
        .select(FactorRow::as_select())
        .load(c)
        .await
        .map_err(TxError::from)?;
    rows.into_iter().map(FactorRow::into_domain).collect()
}

/// Locks the user's confirmed factors against deletion (`FOR KEY SHARE`: an accepted step still
/// goes ahead); `false` if there is none.
pub(super) async fn hold_confirmed(c: &mut AsyncPgConnection, user_id: Uuid) -> QueryResult<bool> {
    let held: Vec<Uuid> = mfa_factors::table
        .filter(mfa_factors::user_id.eq(user_id))
        .filter(mfa_factors::confirmed_at.is_not_null())
        .select(mfa_factors::id)
        .for_key_share()
        .load(c)
        .await?;
    Ok(!held.is_empty())
}
