//! `spawn_app(backend)`: a real authd on a random loopback port, over the in-memory adapters or
//! over PostgreSQL (a database of its own, cloned from a migrated template), with its own mail
//! directory; `spawn_production_app` and `Cluster` for the production setup (PostgreSQL, Redis,
//! a real SMTP server; in this process or as separate `authd` processes); and the calls most
//! tests make (register, verify, log in).

mod admin;
mod backend;
mod cluster;
mod codec;
mod jwt;
mod keys;
mod mail;
mod metrics;
mod mfa;
mod process;
mod production;
mod reply;
mod sms;
mod web;

pub use admin::{
    Member, bootstrap_admin, next_second, roles_in, spawn_admin_app, spawn_admin_app_with, types,
};
pub(crate) use backend::backends;
pub use backend::{Backend, fresh_database};
pub use cluster::Cluster;
pub use jwt::{Jwt, now_unix};
pub use keys::{KeyFile, authd_in, generate_key, jwks_kids, key_dir, key_list, printed_kid};
pub use mail::MailKind;
pub use metrics::Scrape;
pub use mfa::{MfaSetup, MfaUser, decode_qr, mfa_token_of, spawn_logging_process};
pub use process::Child;
pub use production::{Production, Smtp, spawn_production_app};
pub use reply::Reply;
pub use sms::SmsGateway;
pub use web::ExamplePage;

use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The frontend base URL in email links.
pub const APP_BASE_URL: &str = "http://frontend.test";
/// The service's own public origin (`PUBLIC_URL`), accepted by the CSRF check.
pub const PUBLIC_URL: &str = "http://authd.test";
/// The one origin in `ALLOWED_ORIGINS`.
pub const ALLOWED_ORIGIN: &str = "http://allowed.test";
pub const FOREIGN_ORIGIN: &str = "http://evil.test";
/// Passes the default policy and contains no test user's name.
pub const PASSWORD: &str = "Tr1cky-Harbor!Lamp";
pub const NEW_PASSWORD: &str = "Qu1et#Meadow-Stone";
pub const CHROME_ON_WINDOWS: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) \
    AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";

pub struct TestApp {
    /// `http://127.0.0.1:<port>`
    pub address: String,
    pub mail_dir: PathBuf,
    /// Where mail is delivered when it goes over SMTP; `None`: `.eml` files in `mail_dir`.
    pub smtp: Option<Smtp>,
    /// A client without a cookie store, like a mobile app or a script.
    pub client: reqwest::Client,
    running: Running,
}

/// How the app runs: in this test process, or as a child `authd` process (killed when dropped).
enum Running {
    InProcess {
        stop: authd::StopHandle,
        served: tokio::task::JoinHandle<std::io::Result<()>>,
    },
    Child(process::Child),
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // A failed test keeps its mails for a look.
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.mail_dir);
        }
    }
}

/// A registered account and the password it was registered with.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: String,
    pub email: String,
    pub username: String,
    pub password: String,
}

impl TestUser {
    /// Fresh, unique credentials (not yet registered).
    pub fn random() -> Self {
        let tag = uuid::Uuid::new_v4().simple().to_string();
        let username = format!("user_{}", &tag[..10]);
        Self {
            id: String::new(),
            email: format!("{username}@example.com"),
            username,
            password: PASSWORD.to_owned(),
        }
    }

    pub fn registration_body(&self) -> Value {
        json!({
            "email": self.email,
            "username": self.username,
            "password": self.password,
            "firstName": "Ada",
            "lastName": "Lovelace",
        })
    }

    pub fn credentials(&self) -> Value {
        json!({"email": self.email, "password": self.password})
    }
}

/// The result of a successful login.
#[derive(Debug, Clone)]
pub struct LoggedIn {
    pub access_token: String,
    pub refresh_token: String,
    /// The whole login answer.
    pub reply_body: Value,
}

impl LoggedIn {
    pub fn session_id(&self) -> String {
        Jwt::decode(&self.access_token).sid()
    }
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, &[]).await
}

/// Starts an app on `backend` whose configuration is the test defaults with `overrides` on top.
pub async fn spawn_app_with(backend: Backend, overrides: &[(&str, &str)]) -> TestApp {
    let database_url = match backend {
        Backend::Memory => None,
        Backend::Postgres => Some(fresh_database().await),
    };
    spawn_app_on(database_url, overrides).await
}

/// Starts an app on the PostgreSQL database at `database_url` (in memory when `None`), say a
/// second app on the database of a first one that was stopped.
pub async fn spawn_app_on(database_url: Option<String>, overrides: &[(&str, &str)]) -> TestApp {
    let mut overrides = overrides.to_vec();
    if let Some(url) = &database_url {
        overrides.insert(0, ("DATABASE_URL", url));
    }
    spawn_in_process(&overrides, None).await
}

/// A new, empty mail directory of its own.
fn new_mail_dir() -> PathBuf {
    let mail_dir = std::env::temp_dir().join(format!("authd-api-test-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&mail_dir).expect("create the mail directory");
    mail_dir
}

/// The configuration of every app under test: the test defaults, then `overrides`.
/// The suite's `MFA_ENCRYPTION_KEY` (base64 of 32 bytes).
pub const MFA_ENCRYPTION_KEY: &str = "dGVzdC1vbmx5LW1mYS1rZXktb2YtMzItYnl0ZXMhISE=";

fn test_vars(mail_dir: &std::path::Path, overrides: &[(&str, &str)]) -> BTreeMap<String, String> {
    let mut vars: BTreeMap<String, String> = [
        ("HOST", "127.0.0.1"),
        ("PORT", "0"),
        ("APP_BASE_URL", APP_BASE_URL),
        ("PUBLIC_URL", PUBLIC_URL),
        ("ALLOWED_ORIGINS", ALLOWED_ORIGIN),
        ("BCRYPT_ROUNDS", "4"),
        ("OUTBOX_POLL_INTERVAL_MS", "20"),
        // The per-IP limits would stop a suite that logs in dozens of times from one address.
        ("RATE_LIMIT_ENABLED", "false"),
        // The concurrency tests open 100 connections from 127.0.0.1 at once.
        ("MAX_CONNECTIONS_PER_IP", "0"),
        // The concurrency tests send 50-100 requests at once; none may be turned away as busy.
        ("HASH_QUEUE_MAX", "1000"),
        ("LOG_LEVEL", "warn"),
        // Few actix workers, so that parallel tests do not hold hundreds of connections.
        ("WORKERS", "2"),
        // Health answers are not cached, so that a test sees a service go down at once.
        ("HEALTH_CACHE_TTL", "0"),
        // One key for every app of the suite, as production shares one: apps on one database
        // open each other's sealed TOTP secrets.
        ("MFA_ENCRYPTION_KEY", MFA_ENCRYPTION_KEY),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    vars.insert("MAIL_DIR".into(), mail_dir.display().to_string());
    for (key, value) in overrides {
        vars.insert((*key).to_owned(), (*value).to_owned());
    }
    vars
}

/// Starts an app in this process with the test defaults and `overrides`.
async fn spawn_in_process(overrides: &[(&str, &str)], smtp: Option<Smtp>) -> TestApp {
    let mail_dir = new_mail_dir();
    let vars = test_vars(&mail_dir, overrides);
    let config = authd::Config::from_vars(vars)
        .unwrap_or_else(|e| panic!("the test configuration is valid:\n{e}"));
    let app = authd::Application::build(config)
        .await
        .unwrap_or_else(|e| panic!("the app starts: {e:?}"));
    let port = app.port();
    let stop = app.stop_handle();
    let served = tokio::spawn(app.run_until_stopped());

    TestApp::new(port, mail_dir, smtp, Running::InProcess { stop, served })
}

impl TestApp {
    fn new(port: u16, mail_dir: PathBuf, smtp: Option<Smtp>, running: Running) -> Self {
        Self {
            address: format!("http://127.0.0.1:{port}"),
            mail_dir,
            smtp,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("build the HTTP client"),
            running,
        }
    }

    /// Stops the app as SIGTERM would and waits until it has: its port is closed, its outbox
    /// worker done, its connections to PostgreSQL released.
    pub async fn stop(mut self) {
        match &mut self.running {
            Running::InProcess { stop, served } => {
                stop.stop().await;
                served
                    .await
                    .expect("the app task ends without panicking")
                    .expect("the app stops cleanly");
            }
            Running::Child(child) => child.terminate().await,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// A client that keeps cookies, like a browser tab.
    pub fn browser(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("build the HTTP client")
    }

    pub async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        Reply::read(request.send().await.expect("the request reaches the app")).await
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Reply {
        self.send(self.client.post(self.url(path)).json(body)).await
    }

    /// A POST with `Content-Type: application/json` and no body at all, as the Perfect21
    /// document's JavaScript and Python clients send to refresh and logout.
    pub async fn post_empty_json(
        &self,
        client: &reqwest::Client,
        path: &str,
        headers: HeaderMap,
    ) -> Reply {
        self.send(
            client
                .post(self.url(path))
                .header("content-type", "application/json")
                .headers(headers)
                .body(""),
        )
        .await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(self.client.get(self.url(path))).await
    }

    pub async fn get_authed(&self, path: &str, access_token: &str) -> Reply {
        self.send(self.client.get(self.url(path)).bearer_auth(access_token))
            .await
    }

    pub async fn me(&self, access_token: &str) -> Reply {
        self.get_authed("/v1/users/me", access_token).await
    }

    pub async fn register(&self, body: &Value) -> Reply {
        self.post_json("/v1/auth/register", body).await
    }

    /// Registers fresh credentials (201) and returns them with the new user's id.
    pub async fn registered_user(&self) -> TestUser {
        let mut user = TestUser::random();
        let reply = self.register(&user.registration_body()).await;
        let data = reply.ok(201);
        user.id = data["userId"].as_str().expect("userId").to_owned();
        user
    }

    pub async fn verify_email(&self, token: &str) -> Reply {
        self.post_json("/v1/auth/verify-email", &json!({ "token": token }))
            .await
    }

    /// A registered account whose email is verified with the mailed token: it can log in.
    pub async fn verified_user(&self) -> TestUser {
        let user = self.registered_user().await;
        let token = self
            .token_from_mail(MailKind::Verification, &user.email)
            .await;
        self.verify_email(&token).await.ok(200);
        user
    }

    pub async fn login_reply(&self, body: &Value) -> Reply {
        self.post_json("/v1/auth/login", body).await
    }

    /// Locks the account of `email` as a stranger would: four wrong passwords answered 401,
    /// the fifth 423 (the default `MAX_FAILED_ATTEMPTS`).
    pub async fn lock_out(&self, email: &str) {
        let wrong = serde_json::json!({"email": email, "password": "Wr0ng-Password!x"});
        for _ in 0..4 {
            self.login_reply(&wrong)
                .await
                .error(401, "INVALID_CREDENTIALS");
        }
        self.login_reply(&wrong).await.error(423, "ACCOUNT_LOCKED");
    }

    /// Logs `user` in from a client without cookies and returns the tokens.
    pub async fn login(&self, user: &TestUser) -> LoggedIn {
        let reply = self.login_reply(&user.credentials()).await;
        logged_in(&reply)
    }

    /// Logs in with `client` (a browser keeps the refresh cookie) and extra headers.
    pub async fn login_with(
        &self,
        client: &reqwest::Client,
        user: &TestUser,
        headers: HeaderMap,
    ) -> LoggedIn {
        let reply = self
            .send(
                client
                    .post(self.url("/v1/auth/login"))
                    .headers(headers)
                    .json(&user.credentials()),
            )
            .await;
        logged_in(&reply)
    }

    /// `POST /v1/auth/refresh` with the token in the body, from a client without cookies.
    pub async fn refresh(&self, refresh_token: &str) -> Reply {
        self.post_json(
            "/v1/auth/refresh",
            &json!({ "refreshToken": refresh_token }),
        )
        .await
    }

    pub async fn logout(&self, access_token: &str, body: &Value) -> Reply {
        self.send(
            self.client
                .post(self.url("/v1/auth/logout"))
                .bearer_auth(access_token)
                .json(body),
        )
        .await
    }
}

fn logged_in(reply: &Reply) -> LoggedIn {
    let data = reply.ok(200);
    LoggedIn {
        access_token: data["accessToken"]
            .as_str()
            .expect("accessToken")
            .to_owned(),
        refresh_token: data["refreshToken"]
            .as_str()
            .expect("refreshToken")
            .to_owned(),
        reply_body: reply.body.clone(),
    }
}

/// One header, for the `headers` arguments above.
pub fn header(name: &'static str, value: &str) -> HeaderMap {
    let mut map = HeaderMap::new();
    map.insert(
        name,
        HeaderValue::from_str(value).expect("a valid header value"),
    );
    map
}

/// Asserts that an access token is refused because its session or token was revoked.
pub async fn assert_access_revoked(app: &TestApp, access_token: &str) {
    app.me(access_token).await.error(401, "TOKEN_REVOKED");
}

/// Asserts that a refresh token no longer yields tokens.
pub async fn assert_refresh_dead(app: &TestApp, refresh_token: &str) {
    let reply = app.refresh(refresh_token).await;
    let code = reply.body["error"]["code"].as_str().unwrap_or_default();
    assert!(
        code == "TOKEN_REVOKED" || code == "INVALID_REFRESH_TOKEN",
        "a dead refresh token answers TOKEN_REVOKED or INVALID_REFRESH_TOKEN: {reply:#?}"
    );
    reply.error(401, code);
}
