//! Audit events: the whole trail for administrators (`GET /v1/admin/audit-events`) and a
//! holder's own (`GET /v1/users/me/activity`).

use super::Pagination;
use crate::dto::{DeviceInfo, device_info, rfc3339};
use authd_domain::audit::AuditEvent;
use authd_domain::directory::Page;
use serde::Serialize;
use utoipa::ToSchema;

/// One event of the audit trail.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "0190c5e2-8a4b-7c3d-9e1f-2a3b4c5d6e7f", "type": "account_suspended",
    "userId": "123e4567-e89b-12d3-a456-426614174000",
    "actorId": "0190c5e2-0000-7000-8000-000000000001", "ipAddress": "192.168.1.10",
    "userAgent": "Mozilla/5.0", "note": null, "createdAt": "2023-12-01T10:30:00Z"
}))]
pub struct AuditEventData {
    #[schema(format = Uuid)]
    id: String,
    #[serde(rename = "type")]
    #[schema(schema_with = crate::dto::schemas::audit_kind)]
    kind: &'static str,
    /// The account the event is about; `null` for an unknown identifier or an address-wide
    /// event (`credential_stuffing_suspected`).
    #[schema(required, format = Uuid)]
    user_id: Option<String>,
    /// The administrator who caused it; `null` when the holder (or nobody) did.
    #[schema(required, format = Uuid)]
    actor_id: Option<String>,
    #[schema(required)]
    ip_address: Option<String>,
    #[schema(required)]
    user_agent: Option<String>,
    /// A short note (`unknown user`, `12 accounts in 15 minutes`).
    #[schema(required)]
    note: Option<String>,
    #[schema(format = DateTime)]
    created_at: String,
}

impl From<&AuditEvent> for AuditEventData {
    fn from(e: &AuditEvent) -> Self {
        Self {
            id: e.id.to_string(),
            kind: e.kind.as_str(),
            user_id: e.user_id.map(|id| id.to_string()),
            actor_id: e.actor_id.map(|id| id.to_string()),
            ip_address: e.client.ip.clone(),
            user_agent: e.client.user_agent.clone(),
            note: e.detail.clone(),
            created_at: rfc3339(&e.at),
        }
    }
}

/// `GET /v1/admin/audit-events`, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventList {
    events: Vec<AuditEventData>,
    pagination: Pagination,
}

impl From<&Page<AuditEvent>> for AuditEventList {
    fn from(page: &Page<AuditEvent>) -> Self {
        Self {
            events: page.items.iter().map(AuditEventData::from).collect(),
            pagination: Pagination::from(page),
        }
    }
}

/// One event of the caller's own activity. An event an administrator caused carries neither
/// their address nor their User-Agent.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "0190c5e2-8a4b-7c3d-9e1f-2a3b4c5d6e7f", "type": "login_succeeded",
    "ipAddress": "192.168.1.100",
    "userAgent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0.0.0 Safari/537.36",
    "device": {"browser": "Chrome", "os": "Windows", "device": "Desktop"},
    "createdAt": "2023-12-01T10:30:00Z", "note": null
}))]
pub struct ActivityEventData {
    #[schema(format = Uuid)]
    id: String,
    #[serde(rename = "type")]
    #[schema(schema_with = crate::dto::schemas::audit_kind)]
    kind: &'static str,
    #[schema(required)]
    ip_address: Option<String>,
    #[schema(required)]
    user_agent: Option<String>,
    /// The User-Agent in words, as sessions show it; `null` without a User-Agent.
    #[schema(required)]
    device: Option<DeviceInfo>,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(required)]
    note: Option<String>,
}

impl From<&AuditEvent> for ActivityEventData {
    fn from(e: &AuditEvent) -> Self {
        let user_agent = e.client.user_agent.as_deref();
        Self {
            id: e.id.to_string(),
            kind: e.kind.as_str(),
            ip_address: e.client.ip.clone(),
            user_agent: user_agent.map(str::to_owned),
            device: user_agent.map(|ua| device_info(Some(ua))),
            created_at: rfc3339(&e.at),
            note: e.detail.clone(),
        }
    }
}

/// `GET /v1/users/me/activity`, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityList {
    events: Vec<ActivityEventData>,
    pagination: Pagination,
}

impl From<&Page<AuditEvent>> for ActivityList {
    fn from(page: &Page<AuditEvent>) -> Self {
        Self {
            events: page.items.iter().map(ActivityEventData::from).collect(),
            pagination: Pagination::from(page),
        }
    }
}
