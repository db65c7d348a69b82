//! What the use cases share: issuing the token pair (login and refresh), writing the audit trail
//! on a best-effort basis, and translating hashing failures.

use super::{AuthSettings, Ports};
use crate::Timestamp;
use crate::audit::AuditEvent;
use crate::authorization::Role;
use crate::error::InfraError;
use crate::ids::{SessionId, TokenId, UserId};
use crate::ports::HashError;
use crate::token::{AccessClaims, RawToken};

/// What a successful login or refresh hands to the client.
#[derive(Debug, Clone)]
pub struct IssuedTokens {
    pub access_token: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// `None` on a refresh with rotation turned off.
    pub refresh_token: Option<RawToken>,
    /// Seconds until the refresh token expires (for the cookie's `Max-Age`).
    pub refresh_expires_in: i64,
    /// `false`: the refresh cookie is a session cookie.
    pub remember_me: bool,
}

/// Everything an access token and its refresh companion are made from.
pub(super) struct Grant<'a> {
    pub user_id: UserId,
    pub session_id: SessionId,
    pub roles: &'a [Role],
    pub now: Timestamp,
    pub refresh_token: Option<RawToken>,
    pub refresh_expires_at: Timestamp,
    pub remember_me: bool,
}

/// Signs a fresh access token for `grant` and pairs it with the refresh token.
pub(super) fn issue_tokens(
    ports: &Ports,
    settings: &AuthSettings,
    grant: Grant<'_>,
) -> Result<IssuedTokens, InfraError> {
    let claims = AccessClaims {
        user_id: grant.user_id,
        session_id: grant.session_id,
        token_id: TokenId::new(),
        issued_at: grant.now,
        expires_at: grant.now + settings.access_ttl,
        roles: grant.roles.to_vec(),
        permissions: settings.permissions.for_roles(grant.roles),
    };
    let access_token = ports.access_tokens.issue(&claims)?;
    Ok(IssuedTokens {
        access_token,
        expires_in: settings.access_ttl.num_seconds(),
        refresh_token: grant.refresh_token,
        refresh_expires_in: (grant.refresh_expires_at - grant.now).num_seconds().max(0),
        remember_me: grant.remember_me,
    })
}

/// Records `event`. The audit trail is for administrators: losing one entry is logged loudly,
/// but never turns a login or a logout the user already earned into an error.
pub(super) async fn audit(ports: &Ports, event: AuditEvent) {
    if let Err(e) = ports.audit.record(&event).await {
        tracing::error!(error = %e, kind = event.kind.as_str(), "audit event lost");
    }
}

/// A full hashing queue is the caller's 503 SERVICE_BUSY; anything else is a bug.
pub(super) fn hash_failure(e: HashError) -> InfraError {
    match e {
        HashError::Busy => InfraError::Busy,
        HashError::Failed(reason) => InfraError::internal(reason),
    }
}
