//! authd as the CheckInn document's deployment, hotel-service in front of the guard, and the
//! calls the tests make.

use crate::helpers::{Child, KeyFile, generate_key, key_list};
use authd_guard::{Guard, GuardBuilder};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const PASSWORD: &str = "Tr1cky-Harbor!Lamp";
pub const ADMIN_EMAIL: &str = "admin@checkinn.test";
pub const ISSUER: &str = "https://auth.checkinn.test";
pub const AUDIENCE: &str = "checkinn-api";
pub const INTROSPECTION_CLIENT: &str = "hotel-service";
pub const INTROSPECTION_SECRET: &str = "hotel-service-introspection-secret-0123";
pub const INTROSPECTION_TOKEN: &str = "reports-service-introspection-token-4567";

/// A directory of the test's own (key files, mail), removed when dropped.
pub struct Scratch(PathBuf);

impl Scratch {
    pub fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("hotel-e2e-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(dir.join("mail")).unwrap();
        Self(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// `authd keys generate --out <scratch>/name`.
    pub async fn key(&self, name: &str) -> KeyFile {
        generate_key(&self.0, name).await
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running `authd serve`.
pub struct Authd {
    pub url: String,
    child: Child,
    mail_dir: PathBuf,
    client: reqwest::Client,
}

/// The CheckInn deployment: its roles, who may pick which, an Admin made at start-up, the
/// introspection client of the hotel service; `keys` sign (the first) and verify (all).
fn vars(mail_dir: &Path, keys: &[&KeyFile]) -> BTreeMap<String, String> {
    let clients = format!("{INTROSPECTION_CLIENT}:{INTROSPECTION_SECRET}");
    [
        ("HOST", "127.0.0.1"),
        ("MAIL_DIR", &mail_dir.display().to_string()),
        ("BCRYPT_ROUNDS", "4"),
        ("LOG_LEVEL", "warn"),
        ("WORKERS", "2"),
        ("RATE_LIMIT_ENABLED", "false"),
        ("MAX_CONNECTIONS_PER_IP", "0"),
        ("MFA_ENCRYPTION_KEY", crate::helpers::MFA_ENCRYPTION_KEY),
        ("JWT_ALGORITHM", "RS256"),
        ("JWT_PRIVATE_KEY_FILE", &key_list(keys)),
        ("JWT_ISSUER", ISSUER),
        ("JWT_AUDIENCE", AUDIENCE),
        (
            "ROLE_PERMISSIONS",
            "Customer=users.read;HotelPartner=users.read;Admin=*",
        ),
        ("DEFAULT_ROLE", "Customer"),
        ("SELF_ASSIGNABLE_ROLES", "Customer,HotelPartner"),
        ("REQUIRE_EMAIL_VERIFICATION", "false"),
        ("ALLOW_LOCAL_EMAIL_DOMAINS", "true"),
        ("BOOTSTRAP_ADMIN_EMAIL", ADMIN_EMAIL),
        ("BOOTSTRAP_ADMIN_PASSWORD", PASSWORD),
        ("INTROSPECTION_CLIENTS", &clients),
        ("INTROSPECTION_TOKEN", INTROSPECTION_TOKEN),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

impl Authd {
    /// authd on a free loopback port signing with `keys`.
    pub async fn start(scratch: &Scratch, keys: &[&KeyFile]) -> Self {
        let mail_dir = scratch.path().join("mail");
        let child = Child::spawn(vars(&mail_dir, keys)).await;
        Self::running(child, mail_dir, keys).await
    }

    /// Stops this authd (SIGTERM) and starts it again on the same port with `keys`.
    pub async fn restart(mut self, keys: &[&KeyFile]) -> Self {
        let port = self.child.port();
        self.child.terminate().await;
        let child = Child::spawn_on(vars(&self.mail_dir, keys), port).await;
        Self::running(child, self.mail_dir.clone(), keys).await
    }

    async fn running(child: Child, mail_dir: PathBuf, keys: &[&KeyFile]) -> Self {
        let authd = Self {
            url: format!("http://127.0.0.1:{}", child.port()),
            child,
            mail_dir,
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap(),
        };
        // This process, not another that answered on the port: it publishes these keys.
        let kids: BTreeSet<String> = keys.iter().map(|k| k.kid.clone()).collect();
        assert_eq!(
            authd.published_kids().await,
            kids,
            "the JWKS of {}",
            authd.url
        );
        authd
    }

    async fn published_kids(&self) -> BTreeSet<String> {
        let url = format!("{}/.well-known/jwks.json", self.url);
        let jwks: Value = self
            .client
            .get(url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        jwks["keys"]
            .as_array()
            .unwrap_or_else(|| panic!("a keys array: {jwks}"))
            .iter()
            .map(|k| k["kid"].as_str().unwrap().to_owned())
            .collect()
    }

    async fn post(&self, path: &str, bearer: Option<&str>, body: &Value) -> (u16, Value) {
        let mut request = self.client.post(format!("{}{path}", self.url)).json(body);
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Registers a new account choosing `role` through `/v1/auth/register`, signs it in, and
    /// returns its access token.
    pub async fn user_with_role(&self, role: &str) -> String {
        let tag = uuid::Uuid::new_v4().simple().to_string();
        let email = format!("guest_{}@checkinn.test", &tag[..10]);
        let (status, body) = self
            .post(
                "/v1/auth/register",
                None,
                &json!({
                    "email": email, "username": format!("guest_{}", &tag[..10]),
                    "password": PASSWORD, "firstName": "Hotel", "lastName": "Guest",
                    "role": role,
                }),
            )
            .await;
        assert_eq!(status, 201, "register as {role}: {body}");
        self.login(&email).await
    }

    /// The access token of the Admin made at start-up (`BOOTSTRAP_ADMIN_*`).
    pub async fn admin(&self) -> String {
        self.login(ADMIN_EMAIL).await
    }

    async fn login(&self, email: &str) -> String {
        let (status, body) = self
            .post(
                "/v1/auth/login",
                None,
                &json!({ "email": email, "password": PASSWORD }),
            )
            .await;
        assert_eq!(status, 200, "login {email}: {body}");
        body["data"]["accessToken"].as_str().unwrap().to_owned()
    }

    pub async fn logout(&self, token: &str) {
        let (status, body) = self.post("/v1/auth/logout", Some(token), &json!({})).await;
        assert_eq!(status, 200, "logout: {body}");
    }

    /// A guard for this authd as hotel-service configures one.
    pub fn guard(&self) -> GuardBuilder {
        Guard::builder(&self.url).issuer(ISSUER).audience(AUDIENCE)
    }
}

/// hotel-service on a port of its own, with `guard`.
pub struct Hotel {
    url: String,
    handle: actix_web::dev::ServerHandle,
    client: reqwest::Client,
}

/// What hotel-service answered.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl Reply {
    /// The `error.code` of authd's envelope.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or_default()
    }
}

impl Hotel {
    pub fn start(guard: Guard) -> Self {
        // Port 0: the kernel's pick, read back from the bound listener (no check-then-use).
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let server = hotel_service::serve(listener, guard).unwrap();
        let handle = server.handle();
        tokio::spawn(server);
        Self {
            url,
            handle,
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap(),
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        let mut request = self.client.get(format!("{}{path}", self.url));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        Reply {
            status: response.status().as_u16(),
            body: response.json().await.unwrap_or(Value::Null),
        }
    }
}

impl Drop for Hotel {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}
