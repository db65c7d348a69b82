//! The JSON claims of an access token and their mapping to and from the domain's
//! [`AccessClaims`]. `iss` and `aud` are written here but checked by the `Validation`.

use authd_domain::Timestamp;
use authd_domain::authorization::Role;
use authd_domain::ids::{SessionId, TokenId, UserId};
use authd_domain::token::AccessClaims;
use serde::{Deserialize, Serialize, Serializer};
use uuid::Uuid;

#[derive(Serialize)]
pub(super) struct OutgoingClaims<'a> {
    iss: &'a str,
    aud: &'a str,
    sub: &'a Uuid,
    sid: &'a Uuid,
    jti: &'a Uuid,
    iat: i64,
    exp: i64,
    #[serde(serialize_with = "role_names")]
    roles: &'a [Role],
    permissions: &'a [String],
}

impl<'a> OutgoingClaims<'a> {
    pub(super) fn new(issuer: &'a str, audience: &'a str, claims: &'a AccessClaims) -> Self {
        Self {
            iss: issuer,
            aud: audience,
            sub: claims.user_id.as_uuid(),
            sid: claims.session_id.as_uuid(),
            jti: claims.token_id.as_uuid(),
            iat: claims.issued_at.timestamp(),
            exp: claims.expires_at.timestamp(),
            roles: &claims.roles,
            permissions: &claims.permissions,
        }
    }
}

/// Roles travel as the same names [`Role::parse`] reads back.
fn role_names<S: Serializer>(roles: &&[Role], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(roles.iter().map(|r| r.as_str()))
}

/// Every field is required: a token without `sid`, `jti` or `iat` is not one of ours.
#[derive(Deserialize)]
pub(super) struct IncomingClaims {
    sub: Uuid,
    sid: Uuid,
    jti: Uuid,
    iat: i64,
    exp: i64,
    roles: Vec<String>,
    permissions: Vec<String>,
}

impl IncomingClaims {
    /// `None` when a role is unknown or a time is out of range.
    pub(super) fn into_domain(self) -> Option<AccessClaims> {
        let roles = self
            .roles
            .iter()
            .map(|r| Role::parse(r))
            .collect::<Option<Vec<_>>>()?;
        Some(AccessClaims {
            user_id: UserId::from_uuid(self.sub),
            session_id: SessionId::from_uuid(self.sid),
            token_id: TokenId::from_uuid(self.jti),
            issued_at: timestamp(self.iat)?,
            expires_at: timestamp(self.exp)?,
            roles,
            permissions: self.permissions,
        })
    }
}

fn timestamp(secs: i64) -> Option<Timestamp> {
    Timestamp::from_timestamp(secs, 0)
}
