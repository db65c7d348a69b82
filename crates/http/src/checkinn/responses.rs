//! The CheckInn success bodies, field for field as its document shows them: the access token
//! is `token`, the account is `user` with its whole `name` and its first role as `role`.

use crate::dto::rfc3339;
use crate::dto::schemas;
use authd_domain::authorization::RoleName;
use authd_domain::services::{IssuedTokens, LoginSuccess};
use authd_domain::user::User;
use authd_domain::values::Preferences;
use serde::Serialize;
use utoipa::ToSchema;

/// `"first last"`, without the blanks of a missing part.
fn whole_name(user: &User) -> String {
    let part = |p: Option<&authd_domain::values::PersonName>| {
        p.map(|n| n.as_str().to_owned()).unwrap_or_default()
    };
    let first = part(user.profile.first_name.as_ref());
    let last = part(user.profile.last_name.as_ref());
    format!("{first} {last}").trim().to_owned()
}

fn first_role(user: &User) -> Option<String> {
    user.roles.first().map(|r| r.as_str().to_owned())
}

/// `data.user` of a sign-in.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = CheckInnUser, example = json!({
    "id": "123e4567-e89b-12d3-a456-426614174000", "name": "John Doe",
    "email": "john@example.com", "role": "Customer", "isEmailVerified": false
}))]
pub struct SignedInUser {
    #[schema(format = Uuid)]
    id: String,
    name: String,
    email: String,
    /// The account's first role.
    #[schema(required)]
    role: Option<String>,
    is_email_verified: bool,
}

impl From<&User> for SignedInUser {
    fn from(u: &User) -> Self {
        Self {
            id: u.id.to_string(),
            name: whole_name(u),
            email: u.email.as_str().to_owned(),
            role: first_role(u),
            is_email_verified: u.email_verified,
        }
    }
}

/// `data` of register, login and update-password.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = CheckInnAuthData)]
pub struct AuthData {
    /// The access token, for `Authorization: Bearer`.
    token: String,
    /// Also set as the `refresh_token` cookie (path `/api/auth`).
    #[schema(required)]
    refresh_token: Option<String>,
    user: SignedInUser,
}

impl From<&LoginSuccess> for AuthData {
    fn from(s: &LoginSuccess) -> Self {
        Self {
            token: s.tokens.access_token.clone(),
            refresh_token: s
                .tokens
                .refresh_token
                .as_ref()
                .map(|t| t.expose().to_owned()),
            user: SignedInUser::from(&s.user),
        }
    }
}

/// `{success: true, message, data: {token, refreshToken, user}}`.
#[derive(Serialize, ToSchema)]
#[schema(as = CheckInnAuthAnswer, example = json!({
    "success": true, "message": "Authentication successful",
    "data": {
        "token": "eyJhbGciOiJSUzI1NiIsInR5cCI6ImF0K2p3dCJ9...",
        "refreshToken": "def502004e6a0b5c9df6e5...",
        "user": {
            "id": "123e4567-e89b-12d3-a456-426614174000", "name": "John Doe",
            "email": "john@example.com", "role": "Customer", "isEmailVerified": false
        }
    }
}))]
pub struct AuthAnswer {
    #[schema(schema_with = schemas::always_true)]
    success: bool,
    #[schema(value_type = String)]
    message: &'static str,
    data: AuthData,
}

impl AuthAnswer {
    pub fn new(message: &'static str, done: &LoginSuccess) -> Self {
        Self {
            success: true,
            message,
            data: AuthData::from(done),
        }
    }
}

/// `data` of a registration that signed nothing in.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = CheckInnRegisteredData)]
// Nothing but `user`: the document then tells it from a signed-in answer (`oneOf`).
#[serde(deny_unknown_fields)]
pub struct RegisteredData {
    user: SignedInUser,
}

/// `{success: true, message, data: {user}}`: registered, without tokens.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = CheckInnRegisteredAnswer, example = json!({
    "success": true,
    "message": "Registration successful. Please check your email to verify your account.",
    "data": {"user": {
        "id": "123e4567-e89b-12d3-a456-426614174000", "name": "John Doe",
        "email": "john@example.com", "role": "Customer", "isEmailVerified": false
    }}
}))]
pub struct RegisteredAnswer {
    #[schema(schema_with = schemas::always_true)]
    success: bool,
    #[schema(value_type = String)]
    message: &'static str,
    data: RegisteredData,
}

impl RegisteredAnswer {
    pub fn new(message: &'static str, user: &User) -> Self {
        Self {
            success: true,
            message,
            data: RegisteredData {
                user: SignedInUser::from(user),
            },
        }
    }
}

/// `POST /api/auth/register`: signed in, or registered alone.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[schema(as = CheckInnRegisterAnswer)]
pub enum RegisterAnswer {
    SignedIn(AuthAnswer),
    Registered(RegisteredAnswer),
}

/// `{token, refreshToken?}` of a refresh.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = CheckInnTokens)]
pub struct Tokens {
    token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    refresh_token: Option<String>,
}

/// `POST /api/auth/refresh-token`: the tokens at the top level (the document's axios
/// interceptor reads `response.data.token`) and in `data`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = CheckInnRefreshAnswer, example = json!({
    "success": true,
    "token": "eyJhbGciOiJSUzI1NiIsInR5cCI6ImF0K2p3dCJ9...",
    "refreshToken": "def502004e6a0b5c9df6e5...",
    "data": {
        "token": "eyJhbGciOiJSUzI1NiIsInR5cCI6ImF0K2p3dCJ9...",
        "refreshToken": "def502004e6a0b5c9df6e5..."
    }
}))]
pub struct RefreshAnswer {
    #[schema(schema_with = schemas::always_true)]
    success: bool,
    token: String,
    /// The rotated token, or the one presented when `REFRESH_TOKEN_ROTATION` is off; only when
    /// the token came in the body (from the cookie, the successor is in the cookie alone).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    refresh_token: Option<String>,
    data: Tokens,
}

impl RefreshAnswer {
    /// `presented`: the token of the body; `None` when it came from the cookie.
    pub fn new(tokens: &IssuedTokens, presented: Option<&str>) -> Self {
        let refresh = presented.map(|presented| {
            tokens
                .refresh_token
                .as_ref()
                .map_or(presented, |t| t.expose())
                .to_owned()
        });
        Self {
            success: true,
            token: tokens.access_token.clone(),
            refresh_token: refresh.clone(),
            data: Tokens {
                token: tokens.access_token.clone(),
                refresh_token: refresh,
            },
        }
    }
}

/// `user` of `GET /api/auth/me` and `PATCH /api/auth/update-me`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = CheckInnProfile)]
pub struct Profile {
    #[schema(format = Uuid)]
    id: String,
    name: String,
    email: String,
    #[schema(required)]
    phone: Option<String>,
    /// The account's first role.
    #[schema(required)]
    role: Option<String>,
    #[schema(schema_with = schemas::roles)]
    roles: Vec<RoleName>,
    is_email_verified: bool,
    #[schema(schema_with = schemas::account_status)]
    status: &'static str,
    #[schema(schema_with = schemas::preferences)]
    preferences: Preferences,
    /// The latest successful login.
    #[schema(required, format = DateTime)]
    last_login: Option<String>,
    #[schema(format = DateTime)]
    created_at: String,
}

impl From<&User> for Profile {
    fn from(u: &User) -> Self {
        Self {
            id: u.id.to_string(),
            name: whole_name(u),
            email: u.email.as_str().to_owned(),
            phone: u.profile.phone.as_ref().map(|p| p.as_str().to_owned()),
            role: first_role(u),
            roles: u.roles.clone(),
            is_email_verified: u.email_verified,
            status: u.status.as_str(),
            preferences: u.profile.preferences.clone(),
            last_login: u.last_login.as_ref().map(rfc3339),
            created_at: rfc3339(&u.created_at),
        }
    }
}

/// `data` of the profile answers.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = CheckInnProfileData)]
pub struct ProfileData {
    user: Profile,
}

impl From<&User> for ProfileData {
    fn from(u: &User) -> Self {
        Self {
            user: Profile::from(u),
        }
    }
}

/// `{success: true, message?, data: {user}}`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = CheckInnProfileAnswer, example = json!({
    "success": true,
    "data": {"user": {
        "id": "123e4567-e89b-12d3-a456-426614174000", "name": "John Doe",
        "email": "john@example.com", "phone": "0987654321", "role": "Customer",
        "roles": ["Customer"], "isEmailVerified": true, "status": "active",
        "preferences": {"language": "en", "currency": "USD",
            "notifications": {"email": true, "sms": false, "push": true}},
        "lastLogin": "2023-12-01T10:30:00Z", "createdAt": "2023-11-01T09:00:00Z"
    }}
}))]
pub struct ProfileAnswer {
    #[schema(schema_with = schemas::always_true)]
    success: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<String>)]
    message: Option<&'static str>,
    data: ProfileData,
}

impl ProfileAnswer {
    pub fn new(message: Option<&'static str>, user: &User) -> Self {
        Self {
            success: true,
            message,
            data: ProfileData::from(user),
        }
    }
}

/// The answers that carry tokens show none in `Debug`.
macro_rules! redacted_debug {
    ($($name:ident),*) => {$(
        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($name), "(<redacted>)"))
            }
        }
    )*};
}
redacted_debug!(AuthData, AuthAnswer, Tokens, RefreshAnswer);
