//! [`KnownDevices`] over the in-memory tables: each account's device fingerprints (digests)
//! and when each was last seen, looked up and recorded in one step under the store's lock.

use super::{MAX_KNOWN_DEVICES, MemoryStore};
use async_trait::async_trait;
use authd_domain::Timestamp;
use authd_domain::error::PortError;
use authd_domain::ids::UserId;
use authd_domain::ports::{DeviceFingerprint, KnownDevices, Sighting};

#[async_trait]
impl KnownDevices for MemoryStore {
    async fn observe(
        &self,
        user_id: UserId,
        device: &DeviceFingerprint,
        now: Timestamp,
    ) -> Result<Sighting, PortError> {
        let mut t = self.lock();
        if !t.users.contains_key(&user_id) {
            return Err(PortError::internal("a device of an unknown account"));
        }
        let devices = t.known_devices.entry(user_id).or_default();
        if let Some(last_seen) = devices.get_mut(device.as_str()) {
            *last_seen = (*last_seen).max(now);
            return Ok(Sighting::Known);
        }
        let sighting = if devices.is_empty() {
            Sighting::First
        } else {
            Sighting::New
        };
        if devices.len() >= MAX_KNOWN_DEVICES
            && let Some(stalest) = devices
                .iter()
                .min_by_key(|(_, seen)| **seen)
                .map(|(fingerprint, _)| fingerprint.clone())
        {
            devices.remove(&stalest);
        }
        devices.insert(device.as_str().to_owned(), now);
        Ok(sighting)
    }
}
