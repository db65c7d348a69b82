//! [`FailureSpread`] over Redis sets.

use async_trait::async_trait;
use authd_domain::Timestamp;
use authd_domain::error::PortError;
use authd_domain::ports::{FailureSpread, SpreadLimit};

#[async_trait]
impl FailureSpread for crate::store::RedisStore {
    async fn record(
        &self,
        _ip: &str,
        _target: &str,
        _limit: SpreadLimit,
        _now: Timestamp,
    ) -> Result<bool, PortError> {
        todo!("issue 15")
    }
}
