//! The JSON claims of an access token: written from the domain's [`AccessClaims`], and read back
//! and checked (`iss`, `aud`, `exp`, `nbf`) by [`ClaimRules`] once the signature is known good.

use authd_domain::Timestamp;
use authd_domain::authorization::{Permissions, RoleName};
use authd_domain::ids::{SessionId, TokenId, UserId};
use authd_domain::ports::AccessTokenError;
use authd_domain::token::AccessClaims;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;
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
    roles: &'a [RoleName],
    permissions: Permissions,
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
            permissions: claims.permissions,
        }
    }
}

/// Every field but `nbf` is required: a token without `sid`, `jti` or `iat` is not one of ours,
/// and a malformed role name or an unknown permission fails here rather than being dropped.
#[derive(Deserialize)]
pub(super) struct IncomingClaims<'a> {
    #[serde(borrow)]
    iss: OneOrMany<'a>,
    #[serde(borrow)]
    aud: OneOrMany<'a>,
    sub: Uuid,
    sid: Uuid,
    jti: Uuid,
    iat: i64,
    exp: i64,
    nbf: Option<i64>,
    roles: Vec<RoleName>,
    permissions: Permissions,
}

/// What a token must say about who made it, for whom, and when.
#[derive(Debug)]
pub(super) struct ClaimRules {
    pub(super) issuer: String,
    pub(super) audience: String,
    pub(super) leeway_secs: i64,
}

impl ClaimRules {
    /// Checks `exp` first, so a token of ours that merely aged out reads as `Expired`. Also
    /// returns `nbf`, which a remembered token is checked against again at each use.
    pub(super) fn check(
        &self,
        claims: IncomingClaims<'_>,
        now: i64,
    ) -> Result<(AccessClaims, Option<i64>), AccessTokenError> {
        self.check_time(claims.exp, claims.nbf, now)?;
        if !claims.iss.contains(&self.issuer) || !claims.aud.contains(&self.audience) {
            return Err(AccessTokenError::Invalid);
        }
        let verified = AccessClaims {
            user_id: UserId::from_uuid(claims.sub),
            session_id: SessionId::from_uuid(claims.sid),
            token_id: TokenId::from_uuid(claims.jti),
            issued_at: timestamp(claims.iat)?,
            expires_at: timestamp(claims.exp)?,
            roles: claims.roles,
            permissions: claims.permissions,
        };
        Ok((verified, claims.nbf))
    }

    /// What time may change about a token: expired beyond the leeway (`Expired`), or not yet
    /// valid beyond it (`Invalid`).
    pub(super) fn check_time(
        &self,
        exp: i64,
        nbf: Option<i64>,
        now: i64,
    ) -> Result<(), AccessTokenError> {
        if exp < now.saturating_sub(self.leeway_secs) {
            return Err(AccessTokenError::Expired);
        }
        if nbf.is_some_and(|nbf| nbf > now.saturating_add(self.leeway_secs)) {
            return Err(AccessTokenError::Invalid);
        }
        Ok(())
    }
}

fn timestamp(secs: i64) -> Result<Timestamp, AccessTokenError> {
    Timestamp::from_timestamp(secs, 0).ok_or(AccessTokenError::Invalid)
}

/// `iss` and `aud` may be one string or an array of them (RFC 7519 §4.1.3); ours is one string,
/// borrowed from the payload when it has no escapes.
enum OneOrMany<'a> {
    One(Cow<'a, str>),
    Many(Vec<String>),
}

impl OneOrMany<'_> {
    fn contains(&self, wanted: &str) -> bool {
        match self {
            Self::One(value) => value == wanted,
            Self::Many(values) => values.iter().any(|v| v == wanted),
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for OneOrMany<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(OneOrManyVisitor)
    }
}

struct OneOrManyVisitor;

impl<'de> Visitor<'de> for OneOrManyVisitor {
    type Value = OneOrMany<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or an array of strings")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(OneOrMany::One(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(OneOrMany::One(Cow::Owned(v.to_owned())))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut values = Vec::new();
        while let Some(value) = seq.next_element::<String>()? {
            values.push(value);
        }
        Ok(OneOrMany::Many(values))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    const NOW: i64 = 1_800_000_000;

    fn rules() -> ClaimRules {
        ClaimRules {
            issuer: "https://auth.example".to_owned(),
            audience: "example-api".to_owned(),
            leeway_secs: 30,
        }
    }

    fn payload() -> Value {
        json!({
            "iss": "https://auth.example", "aud": "example-api",
            "sub": Uuid::nil(), "sid": Uuid::nil(), "jti": Uuid::nil(),
            "iat": NOW - 60, "exp": NOW + 840, "roles": ["user"], "permissions": [],
        })
    }

    fn check(payload: &Value) -> Result<AccessClaims, AccessTokenError> {
        let bytes = serde_json::to_vec(payload).unwrap();
        let claims: IncomingClaims<'_> = serde_json::from_slice(&bytes).unwrap();
        rules().check(claims, NOW).map(|(claims, _)| claims)
    }

    #[test]
    fn an_audience_array_is_accepted_only_when_it_names_us() {
        let mut p = payload();
        p["aud"] = json!(["other-api", "example-api"]);
        assert!(check(&p).is_ok());
        p["aud"] = json!(["other-api"]);
        assert_eq!(check(&p), Err(AccessTokenError::Invalid));
    }

    #[test]
    fn a_not_before_in_the_future_is_invalid_beyond_the_leeway() {
        let mut p = payload();
        p["nbf"] = json!(NOW + 20);
        assert!(check(&p).is_ok());
        p["nbf"] = json!(NOW + 31);
        assert_eq!(check(&p), Err(AccessTokenError::Invalid));
    }

    #[test]
    fn an_expired_token_reads_as_expired_even_from_another_issuer() {
        let mut p = payload();
        p["exp"] = json!(NOW - 31);
        p["iss"] = json!("https://evil.example");
        assert_eq!(check(&p), Err(AccessTokenError::Expired));
    }
}
