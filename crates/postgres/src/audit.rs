//! [`AuditLog`] over `audit_events`.

use crate::error::{TxError, corrupt};
use crate::schema::audit_events;
use crate::store::PostgresStore;
use async_trait::async_trait;
use authd_domain::Timestamp;
use authd_domain::audit::{AuditEvent, AuditKind};
use authd_domain::error::PortError;
use authd_domain::ids::{EventId, SessionId, UserId};
use authd_domain::ports::AuditLog;
use authd_domain::session::ClientInfo;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_events, check_for_backend(diesel::pg::Pg))]
struct EventRow {
    id: Uuid,
    at: Timestamp,
    kind: String,
    user_id: Option<Uuid>,
    session_id: Option<Uuid>,
    ip: Option<String>,
    user_agent: Option<String>,
    detail: Option<String>,
}

impl EventRow {
    fn from_domain(e: &AuditEvent) -> Self {
        Self {
            id: *e.id.as_uuid(),
            at: e.at,
            kind: e.kind.as_str().to_owned(),
            user_id: e.user_id.map(|id| *id.as_uuid()),
            session_id: e.session_id.map(|id| *id.as_uuid()),
            ip: e.client.ip.clone(),
            user_agent: e.client.user_agent.clone(),
            detail: e.detail.clone(),
        }
    }

    fn into_domain(self) -> Result<AuditEvent, PortError> {
        let kind = AuditKind::ALL
            .into_iter()
            .find(|k| k.as_str() == self.kind)
            .ok_or_else(|| corrupt(format!("unknown audit event kind {:?}", self.kind)))?;
        Ok(AuditEvent {
            id: EventId::from_uuid(self.id),
            at: self.at,
            kind,
            user_id: self.user_id.map(UserId::from_uuid),
            session_id: self.session_id.map(SessionId::from_uuid),
            client: ClientInfo {
                ip: self.ip,
                user_agent: self.user_agent,
            },
            actor_id: None,
            detail: self.detail,
        })
    }
}

#[async_trait]
impl AuditLog for PostgresStore {
    async fn search(
        &self,
        _query: &authd_domain::directory::AuditQuery,
    ) -> Result<authd_domain::directory::Page<AuditEvent>, PortError> {
        todo!("issue 15")
    }

    async fn record(&self, event: &AuditEvent) -> Result<(), PortError> {
        let row = EventRow::from_domain(event);
        self.bounded(async {
            let mut conn = self.conn().await?;
            diesel::insert_into(audit_events::table)
                .values(&row)
                .execute(&mut conn)
                .await
                .map_err(TxError::from)?;
            Ok(())
        })
        .await
    }

    async fn record_all(&self, events: &[AuditEvent]) -> Result<(), PortError> {
        if events.is_empty() {
            return Ok(());
        }
        let rows: Vec<EventRow> = events.iter().map(EventRow::from_domain).collect();
        self.bounded(async {
            let mut conn = self.conn().await?;
            // One multi-row INSERT: `seq` follows the order of `rows`.
            diesel::insert_into(audit_events::table)
                .values(&rows)
                .execute(&mut conn)
                .await
                .map_err(TxError::from)?;
            Ok(())
        })
        .await
    }

    async fn for_user(&self, user_id: UserId, limit: usize) -> Result<Vec<AuditEvent>, PortError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.bounded(async {
            let mut conn = self.conn().await?;
            let rows: Vec<EventRow> = audit_events::table
                .filter(audit_events::user_id.eq(user_id.as_uuid()))
                // Events of the same instant: the latest recorded first.
                .order((audit_events::at.desc(), audit_events::seq.desc()))
                .limit(limit)
                .select(EventRow::as_select())
                .load(&mut conn)
                .await
                .map_err(TxError::from)?;
            rows.into_iter().map(EventRow::into_domain).collect()
        })
        .await
    }
}
