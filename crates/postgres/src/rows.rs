//! Rows as stored, and their translation to and from the domain's types. Anything stored that
//! the domain cannot represent (an unknown status or role) is corrupt data: an internal error,
//! never a panic.

use crate::error::corrupt;
use crate::schema::{one_time_tokens, refresh_tokens, sessions, users};
use authd_domain::Timestamp;
use authd_domain::authorization::RoleName;
use authd_domain::error::PortError;
use authd_domain::ids::{SessionId, UserId};
use authd_domain::policy::lockout::LockoutState;
use authd_domain::session::{ClientInfo, RefreshToken, RefreshTokenState, Session};
use authd_domain::token::{OneTimeToken, TokenHash, TokenPurpose};
use authd_domain::user::{AccountStatus, Profile, User};
use authd_domain::values::{Email, PasswordHash, PersonName, Phone, Username};
use diesel::prelude::*;
use uuid::Uuid;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub(crate) struct UserRow {
    pub id: Uuid,
    pub email: String,
    pub username: String,
    /// [`Username::skeleton`]: written with the account; read back with it but never used, the
    /// domain computes it from the name.
    pub username_skeleton: String,
    pub password_hash: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub preferences: serde_json::Value,
    pub status: String,
    pub email_verified: bool,
    pub phone_verified: bool,
    pub roles: Vec<Option<String>>,
    pub failed_login_attempts: i32,
    pub last_failed_login: Option<Timestamp>,
    pub locked_until: Option<Timestamp>,
    pub mfa_enabled: bool,
    pub last_login: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A counter as stored: the column is an `integer`, and a count past it stays at its maximum.
pub(crate) fn stored_count(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

pub(crate) fn loaded_count(n: i32) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

impl UserRow {
    pub(crate) fn from_domain(u: &User) -> Result<Self, PortError> {
        Ok(Self {
            id: *u.id.as_uuid(),
            email: u.email.as_str().to_owned(),
            username: u.username.as_str().to_owned(),
            username_skeleton: u.username.skeleton().as_str().to_owned(),
            password_hash: u.password_hash.as_str().to_owned(),
            first_name: u.profile.first_name.as_ref().map(|n| n.as_str().to_owned()),
            last_name: u.profile.last_name.as_ref().map(|n| n.as_str().to_owned()),
            phone: u.profile.phone.as_ref().map(|p| p.as_str().to_owned()),
            preferences: serde_json::to_value(&u.profile.preferences)
                .map_err(PortError::internal)?,
            status: u.status.as_str().to_owned(),
            email_verified: u.email_verified,
            phone_verified: u.phone_verified,
            roles: u
                .roles
                .iter()
                .map(|r| Some(r.as_str().to_owned()))
                .collect(),
            failed_login_attempts: stored_count(u.lockout.failed_attempts),
            last_failed_login: u.lockout.last_failed_at,
            locked_until: u.lockout.locked_until,
            mfa_enabled: u.mfa_enabled,
            last_login: u.last_login,
            created_at: u.created_at,
            updated_at: u.updated_at,
        })
    }

    pub(crate) fn into_domain(self) -> Result<User, PortError> {
        let status = AccountStatus::parse(&self.status)
            .ok_or_else(|| corrupt(format!("unknown account status {:?}", self.status)))?;
        let roles = self
            .roles
            .iter()
            .map(|r| {
                r.as_deref()
                    .and_then(|r| RoleName::parse(r).ok())
                    .ok_or_else(|| corrupt(format!("malformed role {r:?}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let preferences = serde_json::from_value(self.preferences).map_err(PortError::internal)?;
        Ok(User {
            id: UserId::from_uuid(self.id),
            email: Email::from_trusted(self.email),
            username: Username::from_trusted(self.username),
            password_hash: PasswordHash::from_trusted(self.password_hash),
            profile: Profile {
                first_name: self.first_name.map(PersonName::from_trusted),
                last_name: self.last_name.map(PersonName::from_trusted),
                phone: self.phone.map(Phone::from_trusted),
                preferences,
            },
            status,
            email_verified: self.email_verified,
            phone_verified: self.phone_verified,
            roles,
            lockout: LockoutState {
                failed_attempts: loaded_count(self.failed_login_attempts),
                last_failed_at: self.last_failed_login,
                locked_until: self.locked_until,
            },
            mfa_enabled: self.mfa_enabled,
            last_login: self.last_login,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// The lockout columns of a user.
#[derive(Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub(crate) struct LockoutRow {
    pub failed_login_attempts: i32,
    pub last_failed_login: Option<Timestamp>,
    pub locked_until: Option<Timestamp>,
}

impl LockoutRow {
    pub(crate) fn into_domain(self) -> LockoutState {
        LockoutState {
            failed_attempts: loaded_count(self.failed_login_attempts),
            last_failed_at: self.last_failed_login,
            locked_until: self.locked_until,
        }
    }
}

#[derive(Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = sessions, check_for_backend(diesel::pg::Pg))]
pub(crate) struct SessionRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub remember_me: bool,
    pub created_at: Timestamp,
    pub last_activity: Timestamp,
    pub revoked_at: Option<Timestamp>,
    pub current_token_hash: String,
}

impl SessionRow {
    pub(crate) fn from_domain(s: &Session, current: &TokenHash) -> Self {
        Self {
            id: *s.id.as_uuid(),
            user_id: *s.user_id.as_uuid(),
            ip: s.client.ip.clone(),
            user_agent: s.client.user_agent.clone(),
            remember_me: s.remember_me,
            created_at: s.created_at,
            last_activity: s.last_activity,
            revoked_at: s.revoked_at,
            current_token_hash: current.as_str().to_owned(),
        }
    }

    pub(crate) fn into_domain(self) -> Session {
        Session {
            id: SessionId::from_uuid(self.id),
            user_id: UserId::from_uuid(self.user_id),
            client: ClientInfo {
                ip: self.ip,
                user_agent: self.user_agent,
            },
            remember_me: self.remember_me,
            created_at: self.created_at,
            last_activity: self.last_activity,
            revoked_at: self.revoked_at,
        }
    }
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = refresh_tokens, check_for_backend(diesel::pg::Pg))]
pub(crate) struct RefreshTokenRow {
    pub hash: String,
    pub session_id: Uuid,
    pub user_id: Uuid,
    pub issued_at: Timestamp,
    pub expires_at: Timestamp,
    pub rotated_at: Option<Timestamp>,
    pub successor_hash: Option<String>,
}

impl RefreshTokenRow {
    pub(crate) fn from_domain(t: &RefreshToken) -> Self {
        let (rotated_at, successor_hash) = match &t.state {
            RefreshTokenState::Active => (None, None),
            RefreshTokenState::Rotated { at, successor } => {
                (Some(*at), Some(successor.as_str().to_owned()))
            }
        };
        Self {
            hash: t.hash.as_str().to_owned(),
            session_id: *t.session_id.as_uuid(),
            user_id: *t.user_id.as_uuid(),
            issued_at: t.issued_at,
            expires_at: t.expires_at,
            rotated_at,
            successor_hash,
        }
    }

    pub(crate) fn into_domain(self) -> Result<RefreshToken, PortError> {
        let state = match (self.rotated_at, self.successor_hash) {
            (None, None) => RefreshTokenState::Active,
            (Some(at), Some(successor)) => RefreshTokenState::Rotated {
                at,
                successor: TokenHash::from_trusted(successor),
            },
            _ => return Err(corrupt("refresh token rotated without a successor")),
        };
        Ok(RefreshToken {
            hash: TokenHash::from_trusted(self.hash),
            session_id: SessionId::from_uuid(self.session_id),
            user_id: UserId::from_uuid(self.user_id),
            issued_at: self.issued_at,
            expires_at: self.expires_at,
            state,
        })
    }
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = one_time_tokens, check_for_backend(diesel::pg::Pg))]
pub(crate) struct OneTimeTokenRow {
    pub hash: String,
    pub user_id: Uuid,
    pub purpose: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub used_at: Option<Timestamp>,
}

pub(crate) fn parse_purpose(s: &str) -> Result<TokenPurpose, PortError> {
    TokenPurpose::ALL
        .into_iter()
        .find(|p| p.as_str() == s)
        .ok_or_else(|| corrupt(format!("unknown token purpose {s:?}")))
}

impl OneTimeTokenRow {
    pub(crate) fn from_domain(t: &OneTimeToken) -> Self {
        Self {
            hash: t.hash.as_str().to_owned(),
            user_id: *t.user_id.as_uuid(),
            purpose: t.purpose.as_str().to_owned(),
            created_at: t.created_at,
            expires_at: t.expires_at,
            used_at: None,
        }
    }

    pub(crate) fn into_domain(self) -> Result<OneTimeToken, PortError> {
        Ok(OneTimeToken {
            hash: TokenHash::from_trusted(self.hash),
            user_id: UserId::from_uuid(self.user_id),
            purpose: parse_purpose(&self.purpose)?,
            created_at: self.created_at,
            expires_at: self.expires_at,
        })
    }
}
