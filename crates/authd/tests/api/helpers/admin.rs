//! Apps with a first administrator made from `BOOTSTRAP_ADMIN_*`, accounts given roles through
//! the admin API, and the calls the admin tests make.

use super::{Backend, LoggedIn, PASSWORD, Reply, TestApp, TestUser, spawn_app_with};
use serde_json::{Value, json};

pub const ADMIN_EMAIL: &str = "root@example.com";
pub const ADMIN_USERNAME: &str = "root";

/// The `BOOTSTRAP_ADMIN_*` variables of [`ADMIN_EMAIL`].
pub const BOOTSTRAP: [(&str, &str); 3] = [
    ("BOOTSTRAP_ADMIN_EMAIL", ADMIN_EMAIL),
    ("BOOTSTRAP_ADMIN_PASSWORD", PASSWORD),
    ("BOOTSTRAP_ADMIN_USERNAME", ADMIN_USERNAME),
];

/// A signed-in account: its credentials (with its id) and its tokens.
#[derive(Debug, Clone)]
pub struct Member {
    pub user: TestUser,
    pub login: LoggedIn,
}

impl Member {
    pub fn token(&self) -> &str {
        &self.login.access_token
    }

    pub fn id(&self) -> &str {
        &self.user.id
    }
}

/// An app whose first administrator comes from the environment, and that administrator signed in.
pub async fn spawn_admin_app(backend: Backend) -> (TestApp, Member) {
    spawn_admin_app_with(backend, &[]).await
}

pub async fn spawn_admin_app_with(
    backend: Backend,
    overrides: &[(&str, &str)],
) -> (TestApp, Member) {
    let mut vars = BOOTSTRAP.to_vec();
    vars.extend_from_slice(overrides);
    let app = spawn_app_with(backend, &vars).await;
    let admin = app.sign_in(bootstrap_admin()).await;
    (app, admin)
}

/// The credentials of the bootstrap administrator (id unknown until signed in).
pub fn bootstrap_admin() -> TestUser {
    TestUser {
        id: String::new(),
        email: ADMIN_EMAIL.to_owned(),
        username: ADMIN_USERNAME.to_owned(),
        password: PASSWORD.to_owned(),
    }
}

/// The roles an access token carries.
pub fn roles_in(access_token: &str) -> Vec<String> {
    let claims = super::Jwt::decode(access_token).claims;
    claims["roles"]
        .as_array()
        .unwrap_or_else(|| panic!("roles claim: {claims}"))
        .iter()
        .map(|r| r.as_str().unwrap_or_default().to_owned())
        .collect()
}

impl TestApp {
    /// Logs `user` in and fills in its id from `/v1/users/me` when it is not known.
    pub async fn sign_in(&self, mut user: TestUser) -> Member {
        let login = self.login(&user).await;
        if user.id.is_empty() {
            let me = self.me(&login.access_token).await;
            user.id = me.ok(200)["id"].as_str().expect("id").to_owned();
        }
        Member { user, login }
    }

    /// A verified account given `roles` by `admin`, then signed in (its token carries them).
    pub async fn member_with_roles(&self, admin: &Member, roles: &[&str]) -> Member {
        let user = self.verified_user().await;
        if roles != ["user"] {
            self.admin_put(admin.token(), &user.id, &json!({ "roles": roles }))
                .await
                .ok(200);
            // The change cut off every token of its second; sign in with one of the next.
            next_second().await;
        }
        self.sign_in(user).await
    }

    pub async fn admin_get(&self, token: &str, path: &str) -> Reply {
        self.get_authed(path, token).await
    }

    pub async fn admin_put(&self, token: &str, user_id: &str, body: &Value) -> Reply {
        let url = self.url(&format!("/v1/admin/users/{user_id}"));
        self.send(self.client.put(url).bearer_auth(token).json(body))
            .await
    }

    /// `PUT /v1/admin/users/{id}` with `{"status": status}`.
    pub async fn set_status(&self, token: &str, user_id: &str, status: &str) -> Reply {
        self.admin_put(token, user_id, &json!({ "status": status }))
            .await
    }

    /// `POST /v1/admin/users/{id}/{action}` (`unlock`, `password-reset`).
    pub async fn admin_action(&self, token: &str, user_id: &str, action: &str) -> Reply {
        let url = self.url(&format!("/v1/admin/users/{user_id}/{action}"));
        self.send(self.client.post(url).bearer_auth(token)).await
    }

    pub async fn admin_end_sessions(&self, token: &str, user_id: &str) -> Reply {
        let url = self.url(&format!("/v1/admin/users/{user_id}/sessions"));
        self.send(self.client.delete(url).bearer_auth(token)).await
    }

    /// `GET /v1/admin/users/{id}`'s data.
    pub async fn admin_user(&self, token: &str, user_id: &str) -> Value {
        self.admin_get(token, &format!("/v1/admin/users/{user_id}"))
            .await
            .ok(200)
            .clone()
    }

    /// The data of `GET /v1/admin/audit-events?{query}`, once two reads 100 ms apart agree (at
    /// most 5 s): on PostgreSQL the audit trail is written in batches by a background task, so
    /// the request that caused an event can answer before the event is readable.
    pub async fn audit_events(&self, token: &str, query: &str) -> Value {
        let path = format!("/v1/admin/audit-events?{query}");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        let mut last = self.admin_get(token, &path).await.ok(200).clone();
        loop {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            let now = self.admin_get(token, &path).await.ok(200).clone();
            if now == last || std::time::Instant::now() > deadline {
                return now;
            }
            last = now;
        }
    }

    /// `POST /v1/auth/forgot-password` for `email`.
    pub async fn forgot_password(&self, email: &str) -> Reply {
        self.post_json("/v1/auth/forgot-password", &json!({ "email": email }))
            .await
    }

    /// `POST /v1/auth/reset-password` with a mailed token.
    pub async fn reset_password(&self, token: &str, new_password: &str) -> Reply {
        self.post_json(
            "/v1/auth/reset-password",
            &json!({"token": token, "newPassword": new_password}),
        )
        .await
    }
}

/// Sleeps into the next whole second of the wall clock: token times have whole-second
/// precision, and a role change cuts off every token issued before the second after it.
pub async fn next_second() {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970");
    let rest = 1000 - u64::from(now.subsec_millis());
    tokio::time::sleep(std::time::Duration::from_millis(rest + 50)).await;
}

/// The `type` of every event of a list.
pub fn types(events: &Value) -> Vec<String> {
    events
        .as_array()
        .unwrap_or_else(|| panic!("a list of events: {events}"))
        .iter()
        .map(|e| e["type"].as_str().unwrap_or_default().to_owned())
        .collect()
}
