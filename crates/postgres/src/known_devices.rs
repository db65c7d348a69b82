//! [`KnownDevices`] over `known_devices`.
//!
//! One transaction per login: the account's row is locked first, so the logins of one account
//! observe their devices one at a time and each sees what the previous one stored (of two
//! concurrent first logins from one new device, exactly one finds it new; of two from two new
//! devices of a fresh account, exactly one is the first).

use crate::error::{TxError, corrupt};
use crate::schema::{known_devices, users};
use crate::store::PostgresStore;
use async_trait::async_trait;
use authd_domain::Timestamp;
use authd_domain::error::PortError;
use authd_domain::ids::UserId;
use authd_domain::ports::{DeviceFingerprint, KnownDevices, Sighting};
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::{AsyncConnection, RunQueryDsl};
use uuid::Uuid;

#[async_trait]
impl KnownDevices for PostgresStore {
    async fn observe(
        &self,
        user_id: UserId,
        device: &DeviceFingerprint,
        now: Timestamp,
    ) -> Result<Sighting, PortError> {
        let uid = *user_id.as_uuid();
        let fingerprint = device.as_str();
        self.bounded(async {
            let mut conn = self.conn().await?;
            let sighting = conn
                .transaction::<_, TxError, _>(async |c| {
                    // NO KEY UPDATE: the row lock logins already take, so this waits for no
                    // one but a concurrent login or change of the same account.
                    let account: Option<Uuid> = users::table
                        .find(uid)
                        .select(users::id)
                        .for_no_key_update()
                        .first(c)
                        .await
                        .optional()?;
                    if account.is_none() {
                        return Err(corrupt("a device observed for an unknown account").into());
                    }
                    let seen: Vec<String> = known_devices::table
                        .filter(known_devices::user_id.eq(uid))
                        .select(known_devices::fingerprint)
                        .load(c)
                        .await?;
                    diesel::insert_into(known_devices::table)
                        .values((
                            known_devices::user_id.eq(uid),
                            known_devices::fingerprint.eq(fingerprint),
                            known_devices::first_seen.eq(now),
                            known_devices::last_seen.eq(now),
                        ))
                        .on_conflict((known_devices::user_id, known_devices::fingerprint))
                        .do_update()
                        .set(known_devices::last_seen.eq(excluded(known_devices::last_seen)))
                        .execute(c)
                        .await?;
                    Ok(if seen.is_empty() {
                        Sighting::First
                    } else if seen.iter().any(|f| f == fingerprint) {
                        Sighting::Known
                    } else {
                        Sighting::New
                    })
                })
                .await?;
            Ok(sighting)
        })
        .await
    }
}
