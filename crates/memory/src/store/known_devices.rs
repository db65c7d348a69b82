//! [`KnownDevices`] over the in-memory tables.

use async_trait::async_trait;
use authd_domain::Timestamp;
use authd_domain::error::PortError;
use authd_domain::ids::UserId;
use authd_domain::ports::{DeviceFingerprint, KnownDevices, Sighting};

#[async_trait]
impl KnownDevices for super::MemoryStore {
    async fn observe(
        &self,
        _user_id: UserId,
        _device: &DeviceFingerprint,
        _now: Timestamp,
    ) -> Result<Sighting, PortError> {
        todo!("issue 15")
    }
}
