//! `PUT /v1/admin/users/{userId}`.

use crate::dto::requests::present;
use authd_domain::services::AdminUpdate;
use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;

/// An absent field is left as it is; `null` clears a profile field.
#[derive(Debug, Default, Deserialize, ToSchema)]
// A misspelt field (`role` for `roles`) must not answer "User updated successfully" having
// changed nothing: an administrator would believe a demotion happened.
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({
    "firstName": "John", "lastName": "Smith", "status": "active", "roles": ["user", "moderator"]
}))]
pub struct AdminUpdateRequest {
    /// At most 100 characters; `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    first_name: Option<Option<String>>,
    /// At most 100 characters; `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    last_name: Option<Option<String>>,
    /// At most 20 characters; `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    phone: Option<Option<String>>,
    /// `active`, `suspended` or `deleted` (final); `pending` only while the account still is.
    /// Suspending or deleting ends every session and cuts off every access token at once.
    #[serde(default, deserialize_with = "not_null")]
    #[schema(schema_with = crate::dto::schemas::account_status)]
    status: Option<String>,
    /// The whole new list, each a role configured in ROLE_PERMISSIONS. Needs the
    /// `admin.roles.write` permission; the account's earlier access tokens are cut off.
    #[serde(default, deserialize_with = "not_null")]
    #[schema(schema_with = crate::dto::schemas::roles)]
    roles: Option<Vec<String>>,
    /// `true` on a pending account makes it active, as verifying the address would.
    #[serde(default, deserialize_with = "not_null")]
    email_verified: Option<bool>,
}

/// A field that cannot be cleared: absent leaves it alone (`default`), `null` is refused as a
/// type error on the field. Plain `Option` would read `null` as absent, and `{"status": null}`
/// would answer "User updated successfully" having changed nothing.
fn not_null<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

impl From<AdminUpdateRequest> for AdminUpdate {
    fn from(r: AdminUpdateRequest) -> Self {
        Self {
            first_name: r.first_name,
            last_name: r.last_name,
            phone: r.phone,
            status: r.status,
            roles: r.roles,
            email_verified: r.email_verified,
        }
    }
}
