//! authd as a CheckInn deployment, hotel-service in front of the guard, and the calls the
//! tests make.

use authd_guard::{Guard, GuardBuilder};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const PASSWORD: &str = "Tr1cky-Harbor!Lamp";
pub const ADMIN_EMAIL: &str = "admin@checkinn.test";
pub const ISSUER: &str = "https://auth.checkinn.test";
pub const AUDIENCE: &str = "checkinn-api";
pub const INTROSPECTION_CLIENT: &str = "hotel-service";
pub const INTROSPECTION_SECRET: &str = "hotel-service-introspection-secret-0123";
pub const INTROSPECTION_TOKEN: &str = "reports-service-introspection-token-4567";

/// A running authd.
pub struct Authd {
    pub url: String,
    stop: authd::StopHandle,
    served: tokio::task::JoinHandle<std::io::Result<()>>,
    client: reqwest::Client,
}

/// A signing key file made by `authd keys generate`, and its kid.
pub struct KeyFile {
    pub path: PathBuf,
    pub kid: String,
}

/// `authd keys generate --out dir/name`, the same code as the command.
pub fn generate_key(dir: &Path, name: &str) -> KeyFile {
    let out = dir.join(name);
    let command = authd::keys_cli::parse(&["generate", "--out", out.to_str().unwrap()]).unwrap();
    let generated = authd::keys_cli::run(command).unwrap();
    KeyFile {
        path: generated.path,
        kid: generated.kid,
    }
}

pub fn key_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hotel-keys-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A loopback port that was free a moment ago; authd keeps it across restarts.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port()
}

impl Authd {
    /// authd on `port` signing with `keys` (the first signs, all verify), configured as the
    /// CheckInn document's deployment, with the introspection client of the hotel service.
    pub async fn start(port: u16, keys: &[&KeyFile]) -> Self {
        let list = keys
            .iter()
            .map(|k| k.path.display().to_string())
            .collect::<Vec<_>>()
            .join(",");
        let mail_dir = std::env::temp_dir().join(format!("hotel-mail-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&mail_dir).unwrap();
        let clients = format!("{INTROSPECTION_CLIENT}:{INTROSPECTION_SECRET}");
        let vars: BTreeMap<String, String> = [
            ("HOST", "127.0.0.1"),
            ("PORT", &port.to_string()),
            ("MAIL_DIR", mail_dir.to_str().unwrap()),
            ("BCRYPT_ROUNDS", "4"),
            ("LOG_LEVEL", "warn"),
            ("WORKERS", "2"),
            ("RATE_LIMIT_ENABLED", "false"),
            ("MAX_CONNECTIONS_PER_IP", "0"),
            ("HASH_QUEUE_MAX", "1000"),
            (
                "MFA_ENCRYPTION_KEY",
                "dGVzdC1vbmx5LW1mYS1rZXktb2YtMzItYnl0ZXMhISE=",
            ),
            ("JWT_ALGORITHM", "RS256"),
            ("JWT_PRIVATE_KEY_FILE", &list),
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
        .collect();
        let config = authd::Config::from_vars(vars)
            .unwrap_or_else(|e| panic!("the CheckInn configuration is valid:\n{e}"));
        let app = authd::Application::build(config)
            .await
            .unwrap_or_else(|e| panic!("authd starts: {e:?}"));
        assert_eq!(app.port(), port);
        let stop = app.stop_handle();
        let served = tokio::spawn(app.run_until_stopped());
        Self {
            url: format!("http://127.0.0.1:{port}"),
            stop,
            served,
            client: reqwest::Client::new(),
        }
    }

    /// Stops as SIGTERM would and waits until the port is closed.
    pub async fn stop(self) {
        self.stop.stop().await;
        self.served.await.unwrap().unwrap();
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

    /// Registers a new account with `role` through `/v1/auth/register`, logs it in, and
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

    /// The bootstrap administrator's access token.
    pub async fn admin(&self) -> String {
        self.login(ADMIN_EMAIL).await
    }

    pub async fn login(&self, email: &str) -> String {
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
