//! Presenting a refresh token: rotation with reuse detection, or a plain touch when rotation
//! is off, decided by [`authd_domain::policy::rotation::decide`] while the family is locked.
//!
//! One transaction per presentation: lock the session (the family) row, read the presented
//! and current tokens with a fresh snapshot (the two pipelined), decide, write. Everything that changes a family
//! takes the same lock, so of 100 concurrent presentations of one token exactly one rotates
//! and the others see its successor (a replay, or reuse once the grace window is over).

use crate::error::TxError;
use crate::rows::{RefreshTokenRow, SessionRow};
use crate::schema::{refresh_tokens, sessions};
use crate::store::PostgresStore;
use authd_domain::Timestamp;
use authd_domain::error::PortError;
use authd_domain::policy::rotation::{self, RotationDecision, RotationPolicy};
use authd_domain::ports::RotateOutcome;
use authd_domain::session::{RefreshToken, RefreshTokenState, Session};
use authd_domain::token::TokenHash;
use chrono::Duration;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

/// What presenting a token means, with what the outcome needs.
struct Presented {
    token: RefreshToken,
    session: Session,
    /// The expiry of the family's current token.
    current_expires_at: Timestamp,
    decision: RotationDecision,
}

/// Locks the family of `presented` and applies the rotation policy; `None` for an unknown token.
///
/// Two statements, pipelined (sent together, run in order by the server): the first locks the
/// session (the family) row; the second, a new statement and so a new snapshot taken once the
/// lock is held, reads the presented and the current token. A rotation that committed while
/// the first waited for the lock is therefore visible to the second.
async fn present(
    c: &mut AsyncPgConnection,
    presented: &TokenHash,
    now: Timestamp,
    grace: Duration,
) -> Result<Option<Presented>, TxError> {
    let family = refresh_tokens::table
        .filter(refresh_tokens::hash.eq(presented.as_str()))
        .select(refresh_tokens::session_id)
        .single_value();
    let lock = sessions::table
        .filter(sessions::id.nullable().eq(family))
        .select(SessionRow::as_select())
        .for_update()
        .first::<SessionRow>(&mut &*c);
    // The same family, through an alias: diesel refuses a table inside a subquery of itself.
    let held = diesel::alias!(refresh_tokens as held);
    let held_family = held
        .filter(held.field(refresh_tokens::hash).eq(presented.as_str()))
        .select(held.field(refresh_tokens::session_id))
        .single_value();
    let current = sessions::table
        .filter(sessions::id.nullable().eq(held_family))
        .select(sessions::current_token_hash)
        .single_value();
    let read = refresh_tokens::table
        .filter(
            refresh_tokens::hash
                .eq(presented.as_str())
                .or(refresh_tokens::hash.nullable().eq(current)),
        )
        .select(RefreshTokenRow::as_select())
        .load::<RefreshTokenRow>(&mut &*c);
    let (session, rows) = futures_util::future::join(lock, read).await;
    let Some(session) = session.optional()? else {
        return Ok(None);
    };
    let rows = rows?;
    let mut token = None;
    let mut current = None;
    for row in rows {
        let is_presented = row.hash == presented.as_str();
        let is_current = row.hash == session.current_token_hash;
        let t = row.into_domain()?;
        if is_current {
            current = Some(t.clone());
        }
        if is_presented {
            token = Some(t);
        }
    }
    let (Some(token), Some(current)) = (token, current) else {
        return Ok(None);
    };
    let session = session.into_domain();
    let current_is_successor = rotation::successor_of(&token) == Some(&current.hash)
        && current.state == RefreshTokenState::Active
        && current.expires_at > now;
    let decision = rotation::decide(&token, &session, current_is_successor, now, grace);
    Ok(Some(Presented {
        token,
        session,
        current_expires_at: current.expires_at,
        decision,
    }))
}

/// Every outcome but `Rotate` (the only one that differs between rotating and touching):
/// `None` for it.
async fn settle(
    c: &mut AsyncPgConnection,
    p: &Presented,
    now: Timestamp,
) -> Result<Option<RotateOutcome>, TxError> {
    Ok(Some(match p.decision {
        RotationDecision::Rotate => return Ok(None),
        RotationDecision::Replay => RotateOutcome::Replayed {
            session: p.session.clone(),
            expires_at: p.current_expires_at,
        },
        RotationDecision::ReuseDetected => {
            let row: SessionRow = diesel::update(sessions::table.find(p.session.id.as_uuid()))
                .set(sessions::revoked_at.eq(Some(now)))
                .returning(SessionRow::as_returning())
                .get_result(c)
                .await?;
            RotateOutcome::ReuseDetected {
                session: row.into_domain(),
            }
        }
        RotationDecision::Expired => RotateOutcome::Invalid,
        RotationDecision::Revoked => RotateOutcome::Revoked,
    }))
}

/// Marks the presented token rotated, stores its successor and makes it the family's current
/// token, in one statement. A query type of its own rather than `sql_query`, so that it is
/// prepared once per connection like every other statement instead of parsed and planned at
/// each refresh.
struct Rotation<'a> {
    presented: &'a str,
    successor: &'a str,
    now: Timestamp,
    session_id: &'a uuid::Uuid,
    user_id: &'a uuid::Uuid,
    expires_at: Timestamp,
}

impl QueryId for Rotation<'_> {
    type QueryId = Rotation<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl Query for Rotation<'_> {
    type SqlType = diesel::dsl::AsSelect<SessionRow, Pg>;
}

impl QueryFragment<Pg> for Rotation<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("WITH rotated AS (UPDATE refresh_tokens SET rotated_at = ");
        out.push_bind_param::<Timestamptz, _>(&self.now)?;
        out.push_sql(", successor_hash = ");
        out.push_bind_param::<Text, _>(self.successor)?;
        out.push_sql(" WHERE hash = ");
        out.push_bind_param::<Text, _>(self.presented)?;
        out.push_sql(
            "), successor AS (INSERT INTO refresh_tokens \
             (hash, session_id, user_id, issued_at, expires_at) VALUES (",
        );
        out.push_bind_param::<Text, _>(self.successor)?;
        out.push_sql(", ");
        out.push_bind_param::<SqlUuid, _>(self.session_id)?;
        out.push_sql(", ");
        out.push_bind_param::<SqlUuid, _>(self.user_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Timestamptz, _>(&self.now)?;
        out.push_sql(", ");
        out.push_bind_param::<Timestamptz, _>(&self.expires_at)?;
        out.push_sql(")) UPDATE sessions SET current_token_hash = ");
        out.push_bind_param::<Text, _>(self.successor)?;
        out.push_sql(", last_activity = ");
        out.push_bind_param::<Timestamptz, _>(&self.now)?;
        out.push_sql(" WHERE id = ");
        out.push_bind_param::<SqlUuid, _>(self.session_id)?;
        // The columns of `SessionRow`, in its order.
        out.push_sql(
            " RETURNING id, user_id, ip, user_agent, remember_me, created_at, last_activity, \
             revoked_at, current_token_hash",
        );
        Ok(())
    }
}

impl PostgresStore {
    pub(crate) async fn rotate_token(
        &self,
        presented: &TokenHash,
        successor: &TokenHash,
        now: Timestamp,
        policy: &RotationPolicy,
    ) -> Result<RotateOutcome, PortError> {
        self.bounded(async {
            let mut conn = self.conn().await?;
            let outcome = conn
                .transaction::<_, TxError, _>(async |c| {
                    let Some(p) = present(c, presented, now, policy.grace).await? else {
                        return Ok(RotateOutcome::Invalid);
                    };
                    if let Some(outcome) = settle(c, &p, now).await? {
                        return Ok(outcome);
                    }
                    let expires_at = policy.successor_expiry(&p.session, now);
                    let row: SessionRow = Rotation {
                        presented: presented.as_str(),
                        successor: successor.as_str(),
                        now,
                        session_id: p.token.session_id.as_uuid(),
                        user_id: p.token.user_id.as_uuid(),
                        expires_at,
                    }
                    .get_result(c)
                    .await?;
                    Ok(RotateOutcome::Rotated {
                        session: row.into_domain(),
                        expires_at,
                    })
                })
                .await?;
            Ok(outcome)
        })
        .await
    }

    pub(crate) async fn touch_token(
        &self,
        presented: &TokenHash,
        now: Timestamp,
    ) -> Result<RotateOutcome, PortError> {
        self.bounded(async {
            let mut conn = self.conn().await?;
            let outcome = conn
                .transaction::<_, TxError, _>(async |c| {
                    // Without rotation there is no grace: a token rotated while rotation was
                    // still on is as suspicious as any other reuse.
                    let Some(p) = present(c, presented, now, Duration::zero()).await? else {
                        return Ok(RotateOutcome::Invalid);
                    };
                    if let Some(outcome) = settle(c, &p, now).await? {
                        return Ok(outcome);
                    }
                    let row: SessionRow =
                        diesel::update(sessions::table.find(p.session.id.as_uuid()))
                            .set(sessions::last_activity.eq(now))
                            .returning(SessionRow::as_returning())
                            .get_result(c)
                            .await?;
                    Ok(RotateOutcome::Rotated {
                        session: row.into_domain(),
                        expires_at: p.token.expires_at,
                    })
                })
                .await?;
            Ok(outcome)
        })
        .await
    }
}
