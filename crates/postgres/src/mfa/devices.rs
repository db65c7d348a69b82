//! Remembered devices, under the hash of their token.

use super::rows::DeviceRow;
use crate::error::TxError;
use crate::schema::mfa_remembered_devices as devices;
use authd_domain::Timestamp;
use authd_domain::ids::{DeviceId, UserId};
use authd_domain::mfa::RememberedDevice;
use authd_domain::token::TokenHash;
use authd_domain::values::PasswordHash;
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

/// Stores a device, only while its user has MFA on, is neither suspended nor deleted (each of
/// which forgets the devices) and still holds the password hash `$9` the login verified, and deletes the user's expired ones, in one statement: an expired device
/// answers exactly as no device does, and this keeps them from piling up.
///
/// `FOR SHARE` settles the races with turning MFA off and with a password change or reset:
/// each of those updates the account row before it deletes the devices, in its transaction. If
/// one holds the row, this waits for it to commit and then re-checks the condition on the row as
/// it left it (nothing is stored); if this holds the row first, the other waits, and its later
/// delete sees the device.
const REMEMBER: &str = "\
WITH expired AS (
    DELETE FROM mfa_remembered_devices WHERE user_id = $3 AND expires_at <= $6
)
INSERT INTO mfa_remembered_devices (id, hash, user_id, user_agent, ip, created_at, expires_at,
                                    last_used_at)
SELECT $1, $2, $3, $4, $5, $6, $7, $8
FROM (SELECT id FROM users WHERE id = $3 AND mfa_enabled AND password_hash = $9
      AND status NOT IN ('suspended', 'deleted') FOR SHARE) AS u";

/// `false`, storing nothing, when the account has MFA off or another password hash.
pub(super) async fn remember(
    c: &mut AsyncPgConnection,
    device: &RememberedDevice,
    verified: &PasswordHash,
) -> QueryResult<bool> {
    let row = DeviceRow::from_domain(device);
    let stored = diesel::sql_query(REMEMBER)
        .bind::<diesel::sql_types::Uuid, _>(row.id)
        .bind::<Text, _>(row.hash)
        .bind::<diesel::sql_types::Uuid, _>(row.user_id)
        .bind::<Nullable<Text>, _>(row.user_agent)
        .bind::<Nullable<Text>, _>(row.ip)
        .bind::<Timestamptz, _>(row.created_at)
        .bind::<Timestamptz, _>(row.expires_at)
        .bind::<Nullable<Timestamptz>, _>(row.last_used_at)
        .bind::<Text, _>(verified.as_str())
        .execute(c)
        .await?;
    Ok(stored > 0)
}

/// The device if it is the user's and live at `now`, marked used.
pub(super) async fn use_device(
    c: &mut AsyncPgConnection,
    user_id: UserId,
    hash: &TokenHash,
    now: Timestamp,
) -> Result<Option<RememberedDevice>, TxError> {
    let row: Option<DeviceRow> = diesel::update(
        devices::table
            .filter(devices::hash.eq(hash.as_str()))
            .filter(devices::user_id.eq(user_id.as_uuid()))
            .filter(devices::expires_at.gt(now)),
    )
    .set(devices::last_used_at.eq(Some(now)))
    .returning(DeviceRow::as_returning())
    .get_result(c)
    .await
    .optional()?;
    Ok(row.map(DeviceRow::into_domain))
}

pub(super) async fn forget(
    c: &mut AsyncPgConnection,
    user_id: UserId,
    id: DeviceId,
) -> QueryResult<bool> {
    let deleted = diesel::delete(
        devices::table
            .filter(devices::id.eq(id.as_uuid()))
            .filter(devices::user_id.eq(user_id.as_uuid())),
    )
    .execute(c)
    .await?;
    Ok(deleted > 0)
}

/// The user's devices live at `now`, most recently created first.
pub(super) async fn live(
    c: &mut AsyncPgConnection,
    user_id: Uuid,
    now: Timestamp,
) -> QueryResult<Vec<RememberedDevice>> {
    let rows: Vec<DeviceRow> = devices::table
        .filter(devices::user_id.eq(user_id))
        .filter(devices::expires_at.gt(now))
        .order((devices::created_at.desc(), devices::id.desc()))
        .select(DeviceRow::as_select())
        .load(c)
        .await?;
    Ok(rows.into_iter().map(DeviceRow::into_domain).collect())
}

/// Forgets every device of the user: on the caller's connection, inside the transaction of the
/// password change, reset or deactivation that causes it.
pub(crate) async fn forget_all(c: &mut AsyncPgConnection, user_id: Uuid) -> QueryResult<()> {
    diesel::delete(devices::table.filter(devices::user_id.eq(user_id)))
        .execute(c)
        .await?;
    Ok(())
}
