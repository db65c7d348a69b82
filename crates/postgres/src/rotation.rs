//! Presenting a refresh token: rotation with reuse detection, or a plain touch when rotation
//! is off, decided by [`authd_domain::policy::rotation::decide`].
//!
//! Optimistic, without an explicit transaction: one statement reads the family (the session,
//! the presented token, the current one and the account, from one snapshot), the policy decides, and the
//! write is a compare-and-swap that applies only if the family is still as read: the presented
//! token still current and the session not revoked. A write that finds the family changed
//! writes nothing, and the presentation is decided again on a fresh read. So of 100 concurrent
//! presentations of one token exactly one rotates (the others' swaps wait on its row lock,
//! then find the current token changed) and the others read its successor: a replay, or reuse
//! once the grace window is over. Two round trips per refresh instead of a locked transaction's
//! five.

use crate::error::TxError;
use crate::rows::{RefreshTokenRow, SessionRow, UserRow};
use crate::schema::{refresh_tokens, sessions, users};
use crate::store::PostgresStore;
use authd_domain::Timestamp;
use authd_domain::error::PortError;
use authd_domain::policy::rotation::{self, RotationDecision, RotationPolicy};
use authd_domain::ports::RotateOutcome;
use authd_domain::session::{RefreshToken, RefreshTokenState, Session};
use authd_domain::token::TokenHash;
use authd_domain::user::User;
use chrono::Duration;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

/// A swap can only fail because another write changed the family after it was read, and each
/// such change (a rotation, a revocation) makes the next decision final: two reads suffice.
/// A third failure means something is wrong, and the refresh answers 503 rather than loop.
const MAX_ATTEMPTS: usize = 3;

/// What presenting a token means, with what the outcome needs.
struct Presented {
    token: RefreshToken,
    session: Session,
    /// The account holding the session, as the outcome reports it.
    account: User,
    /// The expiry of the family's current token.
    current_expires_at: Timestamp,
    decision: RotationDecision,
}

/// Reads the family of `presented` in one statement (one snapshot) and applies the rotation
/// policy; `None` for an unknown token.
async fn present(
    c: &mut AsyncPgConnection,
    presented: &TokenHash,
    now: Timestamp,
    grace: Duration,
) -> Result<Option<Presented>, TxError> {
    // Owned: with the third join, diesel-async's bounds want the query's binds `'static`.
    let presented_hash = presented.as_str().to_owned();
    // The family through an alias: diesel refuses a table inside a subquery of itself.
    let held = diesel::alias!(refresh_tokens as held);
    let family = held
        .filter(held.field(refresh_tokens::hash).eq(presented_hash.clone()))
        .select(held.field(refresh_tokens::session_id))
        .single_value();
    // The tokens by primary key only: a family keeps every token it ever had, so a condition
    // on `session_id` could tempt the planner into scanning all of them.
    let rows: Vec<(SessionRow, RefreshTokenRow, UserRow)> = sessions::table
        .inner_join(
            refresh_tokens::table.on(refresh_tokens::hash
                .eq(presented_hash)
                .or(refresh_tokens::hash.eq(sessions::current_token_hash))),
        )
        .inner_join(users::table.on(users::id.eq(sessions::user_id)))
        .filter(sessions::id.nullable().eq(family))
        .select((
            SessionRow::as_select(),
            RefreshTokenRow::as_select(),
            UserRow::as_select(),
        ))
        .load(c)
        .await?;
    let mut session = None;
    let mut account = None;
    let mut token = None;
    let mut current = None;
    for (s, row, holder) in rows {
        let is_presented = row.hash == presented.as_str();
        let is_current = row.hash == s.current_token_hash;
        let t = row.into_domain()?;
        if is_current {
            current = Some(t.clone());
        }
        if is_presented {
            token = Some(t);
        }
        session = Some(s);
        account = Some(holder);
    }
    let (Some(session), Some(account), Some(token), Some(current)) =
        (session, account, token, current)
    else {
        return Ok(None);
    };
    let account = account.into_domain()?;
    let session = session.into_domain();
    let current_is_successor = rotation::successor_of(&token) == Some(&current.hash)
        && current.state == RefreshTokenState::Active
        && current.expires_at > now;
    let decision = rotation::decide(&token, &session, current_is_successor, now, grace);
    Ok(Some(Presented {
        token,
        session,
        account,
        current_expires_at: current.expires_at,
        decision,
    }))
}

/// Every outcome but `Rotate` (the only one that writes conditionally): `None` for it.
async fn settle(
    c: &mut AsyncPgConnection,
    p: &Presented,
    now: Timestamp,
) -> Result<Option<RotateOutcome>, TxError> {
    Ok(Some(match p.decision {
        RotationDecision::Rotate => return Ok(None),
        RotationDecision::Replay => RotateOutcome::Replayed {
            session: p.session.clone(),
            account: p.account.clone(),
            expires_at: p.current_expires_at,
        },
        // Reuse is a fact about the presented token that no later write undoes. A family that
        // was revoked meanwhile (a logout, an eviction) keeps its revocation time, and the
        // presentation is then simply refused as revoked.
        RotationDecision::ReuseDetected => {
            let revoked: Option<SessionRow> = diesel::update(
                sessions::table
                    .find(p.session.id.as_uuid())
                    .filter(sessions::revoked_at.is_null()),
            )
            .set(sessions::revoked_at.eq(Some(now)))
            .returning(SessionRow::as_returning())
            .get_result(c)
            .await
            .optional()?;
            match revoked {
                Some(row) => RotateOutcome::ReuseDetected {
                    session: row.into_domain(),
                },
                None => RotateOutcome::Revoked,
            }
        }
        RotationDecision::Expired => RotateOutcome::Invalid,
        RotationDecision::Revoked => RotateOutcome::Revoked,
    }))
}

/// The swap of a rotation, in one statement: if the family's current token is still the
/// presented one and the session is live, the successor becomes current, the presented token
/// is marked rotated and the successor is stored; otherwise nothing is written and no row is
/// returned. A query type of its own rather than `sql_query`, so that it is prepared once per
/// connection like every other statement instead of parsed and planned at each refresh.
struct Rotation<'a> {
    presented: &'a str,
    successor: &'a str,
    now: Timestamp,
    session_id: &'a uuid::Uuid,
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
        out.push_sql("WITH family AS (UPDATE sessions SET current_token_hash = ");
        out.push_bind_param::<Text, _>(self.successor)?;
        out.push_sql(", last_activity = ");
        out.push_bind_param::<Timestamptz, _>(&self.now)?;
        out.push_sql(" WHERE id = ");
        out.push_bind_param::<SqlUuid, _>(self.session_id)?;
        out.push_sql(" AND current_token_hash = ");
        out.push_bind_param::<Text, _>(self.presented)?;
        // The columns of `SessionRow`, in its order.
        out.push_sql(
            " AND revoked_at IS NULL RETURNING id, user_id, ip, user_agent, remember_me, \
             created_at, last_activity, revoked_at, current_token_hash), \
             rotated AS (UPDATE refresh_tokens SET rotated_at = ",
        );
        out.push_bind_param::<Timestamptz, _>(&self.now)?;
        out.push_sql(", successor_hash = ");
        out.push_bind_param::<Text, _>(self.successor)?;
        out.push_sql(" WHERE hash = ");
        out.push_bind_param::<Text, _>(self.presented)?;
        out.push_sql(
            " AND EXISTS (SELECT 1 FROM family)), \
             successor AS (INSERT INTO refresh_tokens \
             (hash, session_id, user_id, issued_at, expires_at) SELECT ",
        );
        out.push_bind_param::<Text, _>(self.successor)?;
        out.push_sql(", id, user_id, ");
        out.push_bind_param::<Timestamptz, _>(&self.now)?;
        out.push_sql(", ");
        out.push_bind_param::<Timestamptz, _>(&self.expires_at)?;
        out.push_sql(
            " FROM family) SELECT id, user_id, ip, user_agent, remember_me, created_at, \
             last_activity, revoked_at, current_token_hash FROM family",
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
        self.bounded::<_, TxError>(async {
            let mut conn = self.conn().await?;
            for _ in 0..MAX_ATTEMPTS {
                let Some(p) = present(&mut conn, presented, now, policy.grace).await? else {
                    return Ok(RotateOutcome::Invalid);
                };
                if let Some(outcome) = settle(&mut conn, &p, now).await? {
                    return Ok(outcome);
                }
                let expires_at = policy.successor_expiry(&p.session, now);
                let swapped: Option<SessionRow> = Rotation {
                    presented: presented.as_str(),
                    successor: successor.as_str(),
                    now,
                    session_id: p.session.id.as_uuid(),
                    expires_at,
                }
                .get_result(&mut conn)
                .await
                .optional()
                .map_err(TxError::from)?;
                if let Some(row) = swapped {
                    return Ok(RotateOutcome::Rotated {
                        session: row.into_domain(),
                        account: p.account,
                        expires_at,
                    });
                }
            }
            Err(contention())
        })
        .await
        .map_err(PortError::from)
    }

    pub(crate) async fn touch_token(
        &self,
        presented: &TokenHash,
        now: Timestamp,
    ) -> Result<RotateOutcome, PortError> {
        self.bounded::<_, TxError>(async {
            let mut conn = self.conn().await?;
            for _ in 0..MAX_ATTEMPTS {
                // Without rotation there is no grace: a token rotated while rotation was still
                // on is as suspicious as any other reuse.
                let Some(p) = present(&mut conn, presented, now, Duration::zero()).await? else {
                    return Ok(RotateOutcome::Invalid);
                };
                if let Some(outcome) = settle(&mut conn, &p, now).await? {
                    return Ok(outcome);
                }
                let touched: Option<SessionRow> = diesel::update(
                    sessions::table
                        .find(p.session.id.as_uuid())
                        .filter(sessions::current_token_hash.eq(presented.as_str()))
                        .filter(sessions::revoked_at.is_null()),
                )
                .set(sessions::last_activity.eq(now))
                .returning(SessionRow::as_returning())
                .get_result(&mut conn)
                .await
                .optional()
                .map_err(TxError::from)?;
                if let Some(row) = touched {
                    return Ok(RotateOutcome::Rotated {
                        session: row.into_domain(),
                        account: p.account,
                        expires_at: p.token.expires_at,
                    });
                }
            }
            Err(contention())
        })
        .await
        .map_err(PortError::from)
    }
}

fn contention() -> TxError {
    TxError::Port(PortError::unavailable(crate::error::DbFailure::new(
        "a refresh-token family kept changing while it was presented",
    )))
}
