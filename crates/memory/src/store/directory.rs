//! [`UserDirectory`] over the in-memory tables.

use async_trait::async_trait;
use authd_domain::Timestamp;
use authd_domain::directory::{AccountChange, LastAdminGuard, Page, UserQuery};
use authd_domain::error::PortError;
use authd_domain::ids::UserId;
use authd_domain::ports::{AccountChangeError, AppliedChange, InsertAccountError, UserDirectory};
use authd_domain::user::User;

#[async_trait]
impl UserDirectory for super::MemoryStore {
    async fn search(&self, _query: &UserQuery) -> Result<Page<User>, PortError> {
        todo!("issue 15")
    }

    async fn apply_change(
        &self,
        _id: UserId,
        _change: &AccountChange,
        _guard: &LastAdminGuard,
        _now: Timestamp,
    ) -> Result<AppliedChange, AccountChangeError> {
        todo!("issue 15")
    }

    async fn clear_lockout(&self, _id: UserId, _now: Timestamp) -> Result<bool, PortError> {
        todo!("issue 15")
    }

    async fn any_admin(&self, _guard: &LastAdminGuard) -> Result<bool, PortError> {
        todo!("issue 15")
    }

    async fn insert(&self, _user: &User) -> Result<(), InsertAccountError> {
        todo!("issue 15")
    }
}
