//! The end every successful login shares, whether it passed with the password alone, with a
//! remembered device, or with a second factor: count the success, start the session under the
//! session limit, issue the token pair, audit it and note the device.

use super::{Login, LoginSuccess};
use crate::Timestamp;
use crate::audit::{AuditEvent, AuditKind};
use crate::error::InfraError;
use crate::ids::SessionId;
use crate::policy::lockout::LockoutPolicy;
use crate::ports::{CreateSessionError, Rehash};
use crate::services::shared::{Grant, audit, denial_until, issue_tokens};
use crate::session::{ClientInfo, RefreshToken, RefreshTokenState, Session};
use crate::user::User;
use crate::values::PasswordHash;

/// How a login that passed every check ends.
pub(super) struct Completion {
    /// A stronger hash of the password, to store with the success.
    pub rehash: Option<Rehash>,
    pub remember_me: bool,
    /// Why the second factor was not asked for, for the audit trail.
    pub detail: Option<&'static str>,
}

/// Why a login that passed every check still did not end in a session.
pub(super) enum Incomplete {
    /// The password changed (or the account went away) since it was checked.
    CredentialsChanged,
    Infra(InfraError),
}

impl From<InfraError> for Incomplete {
    fn from(e: InfraError) -> Self {
        Self::Infra(e)
    }
}

impl Login {
    /// Records the success (clearing the failure count), starts the session and issues the
    /// tokens. The session is created only while the account still holds `verified` (the hash
    /// checked), or the re-hash's replacement if it applied: a reset or change that raced the
    /// login leaves a hash that is neither, and the session is refused.
    pub(super) async fn complete(
        &self,
        user: User,
        verified: &PasswordHash,
        completion: Completion,
        now: Timestamp,
        client: &ClientInfo,
    ) -> Result<LoginSuccess, Incomplete> {
        let Completion {
            rehash,
            remember_me,
            detail,
        } = completion;
        self.ports
            .users
            .record_login_success(user.id, now, rehash.clone())
            .await
            .map_err(InfraError::from)?;
        let expected = rehash.as_ref().map_or(verified, |r| &r.replacement);
        let (session, refresh) = match self
            .start_session(&user, expected, remember_me, now, client)
            .await
        {
            Ok(started) => started,
            Err(CreateSessionError::CredentialsChanged) => {
                self.audit_failure(Some(&user), now, client, "credentials changed during login")
                    .await;
                return Err(Incomplete::CredentialsChanged);
            }
            Err(CreateSessionError::Port(e)) => return Err(InfraError::from(e).into()),
        };
        let tokens = issue_tokens(
            &*self.ports.access_tokens,
            self.settings.access_ttl,
            &self.settings.roles,
            Grant {
                user_id: user.id,
                session_id: session.id,
                roles: &user.roles,
                now,
                refresh_token: Some(refresh.raw),
                refresh_expires_at: refresh.expires_at,
                remember_me,
            },
        )?;
        let event = AuditEvent::new(AuditKind::LoginSucceeded, now, Some(user.id), client)
            .with_session(session.id);
        audit(
            &*self.ports.audit,
            match detail {
                Some(detail) => event.with_detail(detail),
                None => event,
            },
        )
        .await;
        self.observe_device(&user, session.id, now, client).await;

        let permissions = self.settings.roles.permissions_of(&user.roles);
        let mut user = user;
        user.last_login = Some(now);
        user.lockout = LockoutPolicy::cleared();
        if let Some(r) = rehash {
            user.password_hash = r.replacement;
        }
        Ok(LoginSuccess {
            tokens,
            session_id: session.id,
            user,
            permissions,
        })
    }

    /// Creates the session with its first refresh token and cuts off the sessions the limit
    /// evicted.
    async fn start_session(
        &self,
        user: &User,
        verified: &PasswordHash,
        remember_me: bool,
        now: Timestamp,
        client: &ClientInfo,
    ) -> Result<(Session, FirstRefresh), CreateSessionError> {
        let session = Session {
            id: SessionId::new(),
            user_id: user.id,
            client: client.clone(),
            remember_me,
            created_at: now,
            last_activity: now,
            revoked_at: None,
        };
        let token = self.ports.tokens.generate();
        let ttl = if remember_me {
            self.settings.refresh_ttl
        } else {
            self.settings.refresh_ttl_short
        };
        let refresh = RefreshToken {
            hash: token.hash,
            session_id: session.id,
            user_id: user.id,
            issued_at: now,
            expires_at: now + ttl,
            state: RefreshTokenState::Active,
        };
        let evicted = self
            .ports
            .sessions
            .create(&session, &refresh, self.settings.max_sessions, verified)
            .await?;
        if !evicted.is_empty() {
            // The evicted sessions are already revoked in storage, so their refresh tokens are
            // dead; the denylist only shortens the life of their access tokens. If it fails, those
            // live out their (short) lifetime, the baseline of any stateless token. Failing the
            // login instead would not undo the eviction and would make the user retry, evicting
            // yet another session.
            let until = denial_until(self.settings.access_ttl, now);
            if let Err(e) = self
                .ports
                .denylist
                .deny_sessions(session.user_id, &evicted, until)
                .await
            {
                tracing::error!(error = %e, evicted = evicted.len(),
                    "could not deny the access tokens of sessions evicted by the session limit");
            }
            for id in evicted {
                audit(
                    &*self.ports.audit,
                    AuditEvent::new(AuditKind::SessionRevoked, now, Some(user.id), client)
                        .with_session(id)
                        .with_detail("evicted by session limit"),
                )
                .await;
            }
        }
        Ok((
            session,
            FirstRefresh {
                raw: token.raw,
                expires_at: refresh.expires_at,
            },
        ))
    }
}

/// The raw first refresh token of a new session, for the client only.
struct FirstRefresh {
    raw: crate::token::RawToken,
    expires_at: Timestamp,
}
