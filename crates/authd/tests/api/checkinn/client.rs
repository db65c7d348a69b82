//! What a CheckInn frontend does and sees: an app configured as the CheckInn document's deployment
//! (docs/checkinn.md), its calls under `/api/auth`, and its envelope
//! `{success, message, data?}` / `{success: false, message, code, errors?}`.

use crate::helpers::{Backend, Reply, TestApp, spawn_app_with};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// The roles and password rules of a CheckInn deployment (docs/checkinn.md).
pub const CHECKINN: [(&str, &str); 4] = [
    (
        "ROLE_PERMISSIONS",
        "Customer=users.read;HotelPartner=users.read;Admin=*",
    ),
    ("DEFAULT_ROLE", "Customer"),
    ("SELF_ASSIGNABLE_ROLES", "Customer,HotelPartner"),
    ("PASSWORD_POLICY", "checkinn"),
];

/// The document's 401 message, for a missing, malformed, expired or revoked access token.
pub const AUTH_REQUIRED: &str = "Authentication required. Please log in to access this resource.";
/// The document's 423 message.
pub const LOCKED: &str =
    "Account temporarily locked due to too many failed login attempts. Try again later.";
/// The document's own example passwords.
pub const PASSWORD: &str = "TestPass123!";
pub const NEW_PASSWORD: &str = "NewSecurePass123!";
/// A wrong password that the CheckInn policy would accept (so it is a wrong guess, not a
/// malformed one).
pub const WRONG_PASSWORD: &str = "WrongPass123!";

/// An app configured for CheckInn, over `backend`.
pub async fn spawn_checkinn_app(backend: Backend) -> TestApp {
    spawn_checkinn_app_with(backend, &[]).await
}

/// The same with `overrides` on top of the CheckInn settings.
pub async fn spawn_checkinn_app_with(backend: Backend, overrides: &[(&str, &str)]) -> TestApp {
    let mut vars = CHECKINN.to_vec();
    vars.extend_from_slice(overrides);
    spawn_app_with(backend, &vars).await
}

/// A CheckInn registration form, with a unique email.
#[derive(Debug, Clone)]
pub struct Guest {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub password: String,
    pub role: String,
}

impl Guest {
    pub fn random() -> Self {
        let tag = uuid::Uuid::new_v4().simple().to_string();
        Self {
            name: "John Doe".into(),
            email: format!("guest_{}@example.com", &tag[..12]),
            phone: "0987654321".into(),
            password: PASSWORD.into(),
            role: "Customer".into(),
        }
    }

    pub fn body(&self) -> Value {
        json!({
            "name": self.name,
            "email": self.email,
            "phone": self.phone,
            "password": self.password,
            "role": self.role,
        })
    }

    pub fn credentials(&self) -> Value {
        json!({"email": self.email, "password": self.password})
    }
}

/// The tokens and user of a register or login answer.
#[derive(Debug, Clone)]
pub struct Session {
    pub token: String,
    pub refresh_token: String,
    pub user: Value,
}

impl Session {
    /// From a register (201) or login (200) answer, after checking its shape.
    pub fn of(reply: &Reply, status: u16) -> Self {
        let body = reply.ci_ok(status);
        assert_eq!(body["message"], "Authentication successful", "{reply:#?}");
        let data = &body["data"];
        assert_eq!(
            keys(data),
            keys_of(&["token", "refreshToken", "user"]),
            "{data}"
        );
        assert_eq!(
            keys(&data["user"]),
            keys_of(&["id", "name", "email", "role", "isEmailVerified"]),
            "{data}"
        );
        Self {
            token: string(&data["token"]),
            refresh_token: string(&data["refreshToken"]),
            user: data["user"].clone(),
        }
    }

    pub fn id(&self) -> String {
        string(&self.user["id"])
    }
}

/// The keys of a JSON object (empty for anything else).
pub fn keys(value: &Value) -> BTreeSet<String> {
    value
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

pub fn keys_of(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

/// A non-empty string, or the test fails.
pub fn string(value: &Value) -> String {
    match value.as_str() {
        Some(s) if !s.is_empty() => s.to_owned(),
        _ => panic!("a non-empty string, got {value}"),
    }
}

impl Reply {
    /// The whole body of a CheckInn success answer with `status`.
    pub fn ci_ok(&self, status: u16) -> &Value {
        assert_eq!(self.status, status, "status of {self:#?}");
        assert_eq!(self.body["success"], true, "success flag of {self:#?}");
        &self.body
    }

    /// A CheckInn error answer: `status`, JSON, `success: false`, a `message`, and `code` (the
    /// `/v1` error code); the whole body.
    pub fn ci_error(&self, status: u16, code: &str) -> &Value {
        self.ci_refused(status);
        assert_eq!(self.body["code"], code, "code of {self:#?}");
        &self.body
    }

    /// A CheckInn error answer with `status` whatever its code.
    pub fn ci_refused(&self, status: u16) -> &Value {
        assert_eq!(self.status, status, "status of {self:#?}");
        self.ci_envelope();
        &self.body
    }

    /// Whether this is an error in the CheckInn envelope (any status).
    pub fn ci_envelope(&self) {
        let content_type = self.header("content-type").unwrap_or_default();
        assert!(
            content_type.starts_with("application/json"),
            "a JSON error, got content-type {content_type:?}: {self:#?}"
        );
        assert_eq!(self.body["success"], false, "success flag of {self:#?}");
        assert!(
            self.body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "a top-level message: {self:#?}"
        );
        assert!(self.body["code"].is_string(), "a code: {self:#?}");
        if let Some(errors) = self.body.get("errors") {
            for entry in errors.as_array().expect("errors is a list") {
                assert!(
                    entry["field"].is_string() && entry["message"].is_string(),
                    "every error names a field and a message: {self:#?}"
                );
            }
        }
    }

    /// The 401 of a missing or unusable access token, with the document's message.
    pub fn ci_auth_required(&self, code: &str) {
        self.ci_error(401, code);
        assert_eq!(self.body["message"], AUTH_REQUIRED, "{self:#?}");
    }

    /// The `(field, message)` pairs of a 400 validation answer whose message is `message`.
    pub fn ci_field_errors(&self, message: &str) -> Vec<(String, String)> {
        self.ci_error(400, "VALIDATION_ERROR");
        assert_eq!(self.body["message"], message, "{self:#?}");
        self.body["errors"]
            .as_array()
            .unwrap_or_else(|| panic!("a validation error lists errors: {self:#?}"))
            .iter()
            .map(|e| (string(&e["field"]), string(&e["message"])))
            .collect()
    }

    /// The fields a 400 validation answer names.
    pub fn ci_fields(&self, message: &str) -> BTreeSet<String> {
        self.ci_field_errors(message)
            .into_iter()
            .map(|(field, _)| field)
            .collect()
    }
}

impl TestApp {
    /// `method /api/auth{path}` with an optional bearer token and JSON body.
    pub async fn ci(
        &self,
        method: reqwest::Method,
        path: &str,
        bearer: Option<&str>,
        body: Option<&Value>,
    ) -> Reply {
        self.send(self.ci_request(&self.client, method, path, bearer, body))
            .await
    }

    /// The same request, built on `client` (a browser keeps the refresh cookie).
    pub fn ci_request(
        &self,
        client: &reqwest::Client,
        method: reqwest::Method,
        path: &str,
        bearer: Option<&str>,
        body: Option<&Value>,
    ) -> reqwest::RequestBuilder {
        let mut request = client.request(method, self.url(&format!("/api/auth{path}")));
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        request
    }

    pub async fn ci_post(&self, path: &str, body: &Value) -> Reply {
        self.ci(reqwest::Method::POST, path, None, Some(body)).await
    }

    pub async fn ci_register(&self, guest: &Guest) -> Session {
        Session::of(&self.ci_post("/register", &guest.body()).await, 201)
    }

    pub async fn ci_login_reply(&self, email: &str, password: &str) -> Reply {
        self.ci_post("/login", &json!({"email": email, "password": password}))
            .await
    }

    pub async fn ci_login(&self, guest: &Guest) -> Session {
        Session::of(
            &self.ci_login_reply(&guest.email, &guest.password).await,
            200,
        )
    }

    pub async fn ci_me(&self, token: &str) -> Reply {
        self.ci(reqwest::Method::GET, "/me", Some(token), None)
            .await
    }

    /// The `user` of `GET /api/auth/me` (200).
    pub async fn ci_user(&self, token: &str) -> Value {
        self.ci_me(token).await.ci_ok(200)["data"]["user"].clone()
    }

    pub async fn ci_refresh(&self, refresh_token: &str) -> Reply {
        self.ci_post("/refresh-token", &json!({ "refreshToken": refresh_token }))
            .await
    }

    pub async fn ci_logout(&self, token: &str, refresh_token: &str) -> Reply {
        let body = json!({ "refreshToken": refresh_token });
        self.ci(reqwest::Method::POST, "/logout", Some(token), Some(&body))
            .await
    }

    pub async fn ci_patch(&self, path: &str, token: &str, body: &Value) -> Reply {
        self.ci(reqwest::Method::PATCH, path, Some(token), Some(body))
            .await
    }

    /// `DELETE /api/auth/delete-me` with the bearer token alone, as the document sends it.
    pub async fn ci_delete_me(&self, token: &str) -> Reply {
        self.ci(reqwest::Method::DELETE, "/delete-me", Some(token), None)
            .await
    }

    /// `POST /api/auth/verify-email` with the token of the account's verification mail.
    pub async fn ci_verify_by_mail(&self, email: &str) -> Reply {
        let token = self
            .token_from_mail(crate::helpers::MailKind::Verification, email)
            .await;
        self.ci_post("/verify-email", &json!({ "token": token }))
            .await
    }
}

/// Asserts that a refresh token no longer yields tokens on `/api/auth/refresh-token`.
pub async fn assert_ci_refresh_dead(app: &TestApp, refresh_token: &str) {
    let reply = app.ci_refresh(refresh_token).await;
    let code = reply.body["code"].as_str().unwrap_or_default().to_owned();
    assert!(
        code == "TOKEN_REVOKED" || code == "INVALID_REFRESH_TOKEN",
        "a dead refresh token answers TOKEN_REVOKED or INVALID_REFRESH_TOKEN: {reply:#?}"
    );
    reply.ci_error(401, &code);
}

/// Asserts that an access token is refused on `/api/auth/me` as revoked.
pub async fn assert_ci_access_revoked(app: &TestApp, token: &str) {
    app.ci_me(token).await.ci_auth_required("TOKEN_REVOKED");
}
