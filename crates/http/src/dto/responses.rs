//! Response data, field for field as the Perfect21 document shows it.

use super::{DeviceInfo, device_info, rfc3339};
use authd_domain::authorization::Role;
use authd_domain::services::{IssuedTokens, LoginSuccess, SessionView, UserView};
use authd_domain::user::User;
use authd_domain::values::Preferences;
use serde::Serialize;

const TOKEN_TYPE: &str = "Bearer";

fn first_name(user: &User) -> Option<String> {
    user.profile
        .first_name
        .as_ref()
        .map(|n| n.as_str().to_owned())
}

fn last_name(user: &User) -> Option<String> {
    user.profile
        .last_name
        .as_ref()
        .map(|n| n.as_str().to_owned())
}

/// `POST /v1/auth/register`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegisterData {
    user_id: String,
    email: String,
    username: String,
    status: &'static str,
    email_verified: bool,
    created_at: String,
}

impl From<&User> for RegisterData {
    fn from(u: &User) -> Self {
        Self {
            user_id: u.id.to_string(),
            email: u.email.as_str().to_owned(),
            username: u.username.as_str().to_owned(),
            status: u.status.as_str(),
            email_verified: u.email_verified,
            created_at: rfc3339(&u.created_at),
        }
    }
}

/// `data.user` of a login.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginUser {
    id: String,
    email: String,
    username: String,
    first_name: Option<String>,
    last_name: Option<String>,
    status: &'static str,
    email_verified: bool,
    roles: Vec<Role>,
    permissions: Vec<String>,
    last_login: Option<String>,
}

/// `POST /v1/auth/login`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginData {
    access_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    expires_in: i64,
    token_type: &'static str,
    user: LoginUser,
}

impl From<&LoginSuccess> for LoginData {
    fn from(s: &LoginSuccess) -> Self {
        let u = &s.user;
        Self {
            access_token: s.tokens.access_token.clone(),
            refresh_token: s
                .tokens
                .refresh_token
                .as_ref()
                .map(|t| t.expose().to_owned()),
            expires_in: s.tokens.expires_in,
            token_type: TOKEN_TYPE,
            user: LoginUser {
                id: u.id.to_string(),
                email: u.email.as_str().to_owned(),
                username: u.username.as_str().to_owned(),
                first_name: first_name(u),
                last_name: last_name(u),
                status: u.status.as_str(),
                email_verified: u.email_verified,
                roles: u.roles.clone(),
                permissions: s.permissions.clone(),
                last_login: u.last_login.as_ref().map(rfc3339),
            },
        }
    }
}

/// `POST /v1/auth/refresh`; `refreshToken` whenever rotation is on.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshData {
    access_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    expires_in: i64,
    token_type: &'static str,
}

impl From<&IssuedTokens> for RefreshData {
    fn from(t: &IssuedTokens) -> Self {
        Self {
            access_token: t.access_token.clone(),
            refresh_token: t.refresh_token.as_ref().map(|t| t.expose().to_owned()),
            expires_in: t.expires_in,
            token_type: TOKEN_TYPE,
        }
    }
}

/// `GET` and `PUT /v1/users/me`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileData {
    id: String,
    email: String,
    username: String,
    first_name: Option<String>,
    last_name: Option<String>,
    phone: Option<String>,
    status: &'static str,
    email_verified: bool,
    phone_verified: bool,
    last_login: Option<String>,
    created_at: String,
    updated_at: String,
    roles: Vec<Role>,
    permissions: Vec<String>,
    preferences: Preferences,
}

impl From<&UserView> for ProfileData {
    fn from(v: &UserView) -> Self {
        let u = &v.user;
        Self {
            id: u.id.to_string(),
            email: u.email.as_str().to_owned(),
            username: u.username.as_str().to_owned(),
            first_name: first_name(u),
            last_name: last_name(u),
            phone: u.profile.phone.as_ref().map(|p| p.as_str().to_owned()),
            status: u.status.as_str(),
            email_verified: u.email_verified,
            phone_verified: u.phone_verified,
            last_login: u.last_login.as_ref().map(rfc3339),
            created_at: rfc3339(&u.created_at),
            updated_at: rfc3339(&u.updated_at),
            roles: u.roles.clone(),
            permissions: v.permissions.clone(),
            preferences: u.profile.preferences.clone(),
        }
    }
}

/// One entry of `GET /v1/users/me/sessions`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionData {
    id: String,
    device_info: DeviceInfo,
    ip_address: Option<String>,
    /// Always `null`: no GeoIP database is wired in.
    location: Option<()>,
    created_at: String,
    last_activity: String,
    is_current: bool,
}

impl From<&SessionView> for SessionData {
    fn from(v: &SessionView) -> Self {
        let s = &v.session;
        Self {
            id: s.id.to_string(),
            device_info: device_info(s.client.user_agent.as_deref()),
            ip_address: s.client.ip.clone(),
            location: None,
            created_at: rfc3339(&s.created_at),
            last_activity: rfc3339(&s.last_activity),
            is_current: v.is_current,
        }
    }
}

/// The answers that carry tokens show none in `Debug`.
macro_rules! redacted_debug {
    ($($name:ident),*) => {$(
        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("access_token", &"<redacted>")
                    .field("refresh_token", &self.refresh_token.as_ref().map(|_| "<redacted>"))
                    .field("expires_in", &self.expires_in)
                    .finish_non_exhaustive()
            }
        }
    )*};
}
redacted_debug!(LoginData, RefreshData);

#[cfg(test)]
mod tests {
    use super::*;
    use authd_domain::token::RawToken;

    #[test]
    fn the_token_answers_show_no_token_in_debug() {
        let tokens = IssuedTokens {
            access_token: "eyJ.access.secret".into(),
            expires_in: 900,
            refresh_token: Some(RawToken::new("refresh-secret".into())),
            refresh_expires_in: 3600,
            remember_me: true,
        };
        let shown = format!("{tokens:?} {:?}", RefreshData::from(&tokens));
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("900"), "{shown}");
    }
}
