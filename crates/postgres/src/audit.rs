//! [`AuditLog`] over `audit_events`.

use crate::error::{TxError, corrupt};
use crate::schema::audit_events;
use crate::store::PostgresStore;
use async_trait::async_trait;
use authd_domain::Timestamp;
use authd_domain::audit::{AuditEvent, AuditKind};
use authd_domain::directory::{AuditQuery, Page};
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
    actor_id: Option<Uuid>,
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
            actor_id: e.actor_id.map(|id| *id.as_uuid()),
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
            actor_id: self.actor_id.map(UserId::from_uuid),
            detail: self.detail,
        })
    }
}

/// The events `query` selects: its account, its kinds, `from` inclusive, `to` exclusive.
fn matching<'a>(
    query: &'a AuditQuery,
    kinds: &'a [&'static str],
) -> audit_events::BoxedQuery<'a, diesel::pg::Pg> {
    let mut q = audit_events::table.into_boxed();
    if let Some(user_id) = query.user_id {
        q = q.filter(audit_events::user_id.eq(*user_id.as_uuid()));
    }
    if !kinds.is_empty() {
        q = q.filter(audit_events::kind.eq_any(kinds));
    }
    if let Some(from) = query.from {
        q = q.filter(audit_events::at.ge(from));
    }
    if let Some(to) = query.to {
        q = q.filter(audit_events::at.lt(to));
    }
    q
}

#[async_trait]
impl AuditLog for PostgresStore {
    async fn search(&self, query: &AuditQuery) -> Result<Page<AuditEvent>, PortError> {
        let kinds: Vec<&'static str> = query.kinds.iter().map(|k| k.as_str()).collect();
        let limit = i64::from(query.page.limit());
        let offset = i64::try_from(query.page.offset()).unwrap_or(i64::MAX);
        self.bounded(async {
            let mut conn = self.conn().await?;
            // The page and the total from one snapshot, so they agree.
            let (rows, total) = conn
                .build_transaction()
                .repeatable_read()
                .read_only()
                .run::<_, TxError, _>(async |c| {
                    let rows: Vec<EventRow> = matching(query, &kinds)
                        .order((audit_events::at.desc(), audit_events::id.desc()))
                        .limit(limit)
                        .offset(offset)
                        .select(EventRow::as_select())
                        .load(c)
                        .await?;
                    let total: i64 = matching(query, &kinds).count().get_result(c).await?;
                    Ok((rows, total))
                })
                .await?;
            Ok(Page {
                items: rows
                    .into_iter()
                    .map(EventRow::into_domain)
                    .collect::<Result<_, _>>()?,
                request: query.page,
                total: u64::try_from(total).unwrap_or(0),
            })
        })
        .await
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
