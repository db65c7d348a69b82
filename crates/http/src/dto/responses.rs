//! Response data, field for field as the Perfect21 document shows it.

use super::{DeviceInfo, device_info, rfc3339};
use authd_domain::authorization::{Permissions, RoleName};
use authd_domain::ports::{Geolocator, Location};
use authd_domain::services::{IssuedTokens, LoginSuccess, SessionView, UserView};
use authd_domain::user::User;
use authd_domain::values::Preferences;
use serde::Serialize;
use utoipa::ToSchema;

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
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "userId": "123e4567-e89b-12d3-a456-426614174000", "email": "user@example.com",
    "username": "johndoe", "status": "pending", "emailVerified": false,
    "createdAt": "2023-12-01T09:00:00Z"
}))]
pub struct RegisterData {
    #[schema(format = Uuid)]
    user_id: String,
    email: String,
    username: String,
    #[schema(schema_with = super::schemas::account_status)]
    status: &'static str,
    email_verified: bool,
    #[schema(format = DateTime)]
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
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LoginUser {
    #[schema(format = Uuid)]
    id: String,
    email: String,
    username: String,
    #[schema(required)]
    first_name: Option<String>,
    #[schema(required)]
    last_name: Option<String>,
    #[schema(schema_with = super::schemas::account_status)]
    status: &'static str,
    email_verified: bool,
    #[schema(schema_with = super::schemas::roles)]
    roles: Vec<RoleName>,
    #[schema(schema_with = super::schemas::permissions)]
    permissions: Permissions,
    /// The login before this one; `null` on the first.
    #[schema(required, format = DateTime)]
    last_login: Option<String>,
    /// The account has a confirmed second factor (logins ask for it while `ENABLE_MFA` is on).
    mfa_enabled: bool,
}

/// `POST /v1/auth/login`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "accessToken": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...",
    "refreshToken": "def502004e6a0b5c9df6e5...", "expiresIn": 900, "tokenType": "Bearer",
    "user": {
        "id": "123e4567-e89b-12d3-a456-426614174000", "email": "user@example.com",
        "username": "johndoe", "firstName": "John", "lastName": "Doe", "status": "active",
        "emailVerified": true, "roles": ["user"], "permissions": ["users.read"],
        "lastLogin": "2023-12-01T10:30:00Z", "mfaEnabled": false
    }
}))]
pub struct LoginData {
    /// A JWT for `Authorization: Bearer`.
    access_token: String,
    /// Also set as the `refresh_token` cookie; absent when `REFRESH_TOKEN_IN_BODY=false`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    refresh_token: Option<String>,
    /// Seconds the access token is valid.
    expires_in: i64,
    #[schema(schema_with = super::schemas::bearer)]
    token_type: &'static str,
    user: LoginUser,
    /// After an MFA verification with `rememberDevice: true`: the remembered device's token
    /// (also the `mfa_device` cookie), for `deviceToken` of later logins.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    device_token: Option<String>,
}

impl LoginData {
    /// The answer of an MFA verification that remembered the device.
    #[must_use]
    pub fn with_device_token(self, token: Option<&str>) -> Self {
        Self {
            device_token: token.map(str::to_owned),
            ..self
        }
    }
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
                permissions: s.permissions,
                last_login: u.last_login.as_ref().map(rfc3339),
                mfa_enabled: u.mfa_enabled,
            },
            device_token: None,
        }
    }
}

/// `POST /v1/auth/refresh`; `refreshToken` whenever rotation is on.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "accessToken": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...", "expiresIn": 900,
    "tokenType": "Bearer"
}))]
pub struct RefreshData {
    access_token: String,
    /// The rotated refresh token (also set as the cookie), when rotation is on.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    refresh_token: Option<String>,
    expires_in: i64,
    #[schema(schema_with = super::schemas::bearer)]
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
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "123e4567-e89b-12d3-a456-426614174000", "email": "user@example.com",
    "username": "johndoe", "firstName": "John", "lastName": "Doe", "phone": "+1234567890",
    "status": "active", "emailVerified": true, "phoneVerified": false,
    "lastLogin": "2023-12-01T10:30:00Z", "createdAt": "2023-11-01T09:00:00Z",
    "updatedAt": "2023-12-01T10:30:00Z", "roles": ["user"], "permissions": ["users.read"],
    "preferences": {}, "mfaEnabled": false
}))]
pub struct ProfileData {
    #[schema(format = Uuid)]
    id: String,
    email: String,
    username: String,
    #[schema(required)]
    first_name: Option<String>,
    #[schema(required)]
    last_name: Option<String>,
    #[schema(required)]
    phone: Option<String>,
    #[schema(schema_with = super::schemas::account_status)]
    status: &'static str,
    email_verified: bool,
    phone_verified: bool,
    #[schema(required, format = DateTime)]
    last_login: Option<String>,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
    #[schema(schema_with = super::schemas::roles)]
    roles: Vec<RoleName>,
    #[schema(schema_with = super::schemas::permissions)]
    permissions: Permissions,
    #[schema(schema_with = super::schemas::preferences)]
    preferences: Preferences,
    /// The account has a confirmed second factor (logins ask for it while `ENABLE_MFA` is on).
    mfa_enabled: bool,
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
            permissions: v.permissions,
            preferences: u.profile.preferences.clone(),
            mfa_enabled: u.mfa_enabled,
        }
    }
}

/// One entry of `GET /v1/users/me/sessions`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "0190c5e2-8a4b-7c3d-9e1f-2a3b4c5d6e7f",
    "deviceInfo": {"browser": "Chrome", "os": "Windows", "device": "Desktop"},
    "ipAddress": "192.168.1.100", "location": null, "createdAt": "2023-12-01T09:00:00Z",
    "lastActivity": "2023-12-01T10:30:00Z", "isCurrent": true
}))]
pub struct SessionData {
    #[schema(format = Uuid)]
    id: String,
    device_info: DeviceInfo,
    #[schema(required)]
    ip_address: Option<String>,
    /// Where the session's address is, from the GeoIP database (`GEOIP_DATABASE`); `null`
    /// without one, or for an address it does not know (a private one).
    #[schema(required)]
    location: Option<LocationData>,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    last_activity: String,
    /// The session of the access token making this request.
    is_current: bool,
}

/// `location` of a session.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"country": "VN", "city": "Hanoi"}))]
pub struct LocationData {
    /// ISO 3166-1 alpha-2.
    country: String,
    #[schema(required)]
    city: Option<String>,
}

impl From<Location> for LocationData {
    fn from(l: Location) -> Self {
        Self {
            country: l.country,
            city: l.city,
        }
    }
}

impl SessionData {
    /// The session `v`, located by `geolocator`.
    #[must_use]
    pub fn new(v: &SessionView, geolocator: &dyn Geolocator) -> Self {
        let s = &v.session;
        Self {
            id: s.id.to_string(),
            device_info: device_info(s.client.user_agent.as_deref()),
            ip_address: s.client.ip.clone(),
            location: s
                .client
                .ip
                .as_deref()
                .and_then(|ip| geolocator.locate(ip))
                .map(LocationData::from),
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
