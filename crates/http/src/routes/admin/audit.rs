//! The audit trail of every account.

use super::Answer;
use crate::dto::admin::AuditEventList;
use crate::dto::{Success, success};
use crate::extractors::AuditEventsQuery;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::web::Data;

/// The audit trail
///
/// Newest first. Every administrator's action is an event naming them in `actorId`.
#[utoipa::path(
    get, path = "/v1/admin/audit-events", tag = "admin", operation_id = "adminAuditEvents",
    params(
        ("userId" = Option<String>, Query, format = Uuid, description = "Only events about this account"),
        ("type" = Option<String>, Query, description = "Only events of these types, separated by commas (login_succeeded, account_locked, ...)"),
        ("from" = Option<String>, Query, format = DateTime, description = "From this time on, inclusive (RFC 3339; send a `+` offset as %2B)"),
        ("to" = Option<String>, Query, format = DateTime, description = "Before this time, exclusive (RFC 3339); not before from"),
        ("page" = Option<u32>, Query, description = "Page number, 1-100000 (default 1)", minimum = 1, maximum = 100000),
        ("limit" = Option<u32>, Query, description = "Events per page, 1-100 (default 20)", minimum = 1, maximum = 100),
    ),
    responses(
        (status = 200, description = "One page of events", body = Success<AuditEventList>, example = json!({
            "success": true,
            "data": {
                "events": [{
                    "id": "0190c5e2-8a4b-7c3d-9e1f-2a3b4c5d6e7f", "type": "account_suspended",
                    "userId": "123e4567-e89b-12d3-a456-426614174000",
                    "actorId": "0190c5e2-0000-7000-8000-000000000001",
                    "ipAddress": "192.168.1.10", "userAgent": "Mozilla/5.0", "note": null,
                    "createdAt": "2023-12-01T10:30:00Z"
                }],
                "pagination": {"page": 1, "limit": 20, "total": 1, "pages": 1}
            }
        })),
        (status = 400, description = "`VALIDATION_ERROR`: a bad query parameter, each named in `details`"),
    )
)]
pub async fn audit_events(state: Data<AppState>, query: AuditEventsQuery) -> Answer {
    let page = state.services.admin.audit_events(&query.0).await?;
    Ok(success(
        StatusCode::OK,
        None,
        Some(AuditEventList::from(&page)),
    ))
}
