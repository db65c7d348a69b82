//! The stand-in authd, its keys, and tokens.

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use authd_crypto::{JwtCodec, JwtSettings, RsaKeyBits, RsaSigningKey};
use authd_domain::authorization::{Permission, Permissions, RoleName};
use authd_domain::ids::{SessionId, TokenId, UserId};
use authd_domain::ports::AccessTokenCodec;
use authd_domain::token::AccessClaims;
use authd_guard::{Guard, GuardBuilder};
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

pub const ISSUER: &str = "https://auth.checkinn.test";
pub const AUDIENCE: &str = "checkinn-api";

/// An RSA key: its PEM (for forging with jsonwebtoken) and its kid.
#[derive(Clone)]
pub struct TestKey {
    pub pem: String,
    pub kid: String,
}

impl TestKey {
    pub fn signing_key(&self) -> RsaSigningKey {
        RsaSigningKey::from_pem(&self.pem).unwrap()
    }

    /// An authd codec signing with this key.
    pub fn codec(&self) -> JwtCodec {
        JwtCodec::rs256(vec![self.signing_key()], JwtSettings::new(ISSUER, AUDIENCE)).unwrap()
    }

    /// A genuine authd token of `claims`.
    pub fn token(&self, claims: &AccessClaims) -> String {
        self.codec().issue(claims).unwrap()
    }
}

/// Two keys, made once for the whole run (RSA generation is slow in a debug build).
pub fn keys() -> &'static [TestKey; 2] {
    static KEYS: OnceLock<[TestKey; 2]> = OnceLock::new();
    KEYS.get_or_init(|| {
        let make = || {
            let (key, pem) = RsaSigningKey::generate(RsaKeyBits::Rsa2048).unwrap();
            TestKey {
                pem: pem.expose_secret().to_owned(),
                kid: key.kid().to_owned(),
            }
        };
        [make(), make()]
    })
}

/// The JWKS document publishing `keys`, as authd's codec writes it.
pub fn jwks_of(keys: &[&TestKey]) -> Value {
    let codec = JwtCodec::rs256(
        keys.iter().map(|k| k.signing_key()).collect(),
        JwtSettings::new(ISSUER, AUDIENCE),
    )
    .unwrap();
    serde_json::to_value(codec.jwks()).unwrap()
}

/// Claims of a fresh token of a user with `roles` and `permissions`.
pub fn claims(roles: &[&str], permissions: &[Permission]) -> AccessClaims {
    let now = chrono::Utc::now();
    AccessClaims {
        user_id: UserId::new(),
        session_id: SessionId::new(),
        token_id: TokenId::new(),
        issued_at: now,
        expires_at: now + chrono::Duration::minutes(15),
        roles: roles.iter().map(|r| RoleName::parse(r).unwrap()).collect(),
        permissions: permissions.iter().copied().collect::<Permissions>(),
    }
}

/// What the stand-in serves and counts.
pub struct State {
    jwks: Mutex<Value>,
    cache_control: Mutex<Option<String>>,
    jwks_delay: Mutex<Duration>,
    pub jwks_hits: AtomicUsize,
    active: Mutex<bool>,
    pub introspections: AtomicUsize,
    /// The `Authorization` of the last introspection.
    pub introspected_by: Mutex<Option<String>>,
    introspection_down: Mutex<bool>,
    /// Answers `active: true` about another token (another `jti`).
    introspection_confused: Mutex<bool>,
    jwks_down: Mutex<bool>,
}

pub struct Authd {
    pub url: String,
    pub state: Arc<State>,
    handle: actix_web::dev::ServerHandle,
}

impl Drop for Authd {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

impl Authd {
    /// Serves `jwks` at `/.well-known/jwks.json` (no `Cache-Control` until told) and
    /// introspection answering `active: true`.
    pub fn start(jwks: Value) -> Self {
        let state = Arc::new(State {
            jwks: Mutex::new(jwks),
            cache_control: Mutex::new(None),
            jwks_delay: Mutex::new(Duration::ZERO),
            jwks_hits: AtomicUsize::new(0),
            active: Mutex::new(true),
            introspections: AtomicUsize::new(0),
            introspected_by: Mutex::new(None),
            introspection_down: Mutex::new(false),
            introspection_confused: Mutex::new(false),
            jwks_down: Mutex::new(false),
        });
        let data = web::Data::from(state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route("/.well-known/jwks.json", web::get().to(serve_jwks))
                .route("/v1/auth/introspect", web::post().to(introspect))
        })
        .workers(1)
        .disable_signals()
        .bind(("127.0.0.1", 0))
        .unwrap();
        let port = server.addrs()[0].port();
        let server = server.run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        Self {
            url: format!("http://127.0.0.1:{port}"),
            state,
            handle,
        }
    }

    pub fn publish(&self, jwks: Value) {
        *self.state.jwks.lock().unwrap() = jwks;
    }

    pub fn cache_control(&self, value: &str) {
        *self.state.cache_control.lock().unwrap() = Some(value.to_owned());
    }

    pub fn slow_jwks(&self, delay: Duration) {
        *self.state.jwks_delay.lock().unwrap() = delay;
    }

    pub fn set_active(&self, active: bool) {
        *self.state.active.lock().unwrap() = active;
    }

    pub fn introspection_down(&self) {
        *self.state.introspection_down.lock().unwrap() = true;
    }

    pub fn introspection_confused(&self) {
        *self.state.introspection_confused.lock().unwrap() = true;
    }

    /// The JWKS answers 503 while `down`.
    pub fn jwks_down(&self, down: bool) {
        *self.state.jwks_down.lock().unwrap() = down;
    }

    pub fn jwks_hits(&self) -> usize {
        self.state.jwks_hits.load(Ordering::SeqCst)
    }

    pub fn introspections(&self) -> usize {
        self.state.introspections.load(Ordering::SeqCst)
    }

    /// A guard for this authd with the test's issuer and audience.
    pub fn guard(&self) -> GuardBuilder {
        Guard::builder(&self.url).issuer(ISSUER).audience(AUDIENCE)
    }
}

async fn serve_jwks(state: web::Data<State>) -> HttpResponse {
    state.jwks_hits.fetch_add(1, Ordering::SeqCst);
    if *state.jwks_down.lock().unwrap() {
        return HttpResponse::ServiceUnavailable().finish();
    }
    let delay = *state.jwks_delay.lock().unwrap();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let mut response = HttpResponse::Ok();
    if let Some(value) = state.cache_control.lock().unwrap().clone() {
        response.insert_header(("Cache-Control", value));
    }
    response.json(state.jwks.lock().unwrap().clone())
}

async fn introspect(req: HttpRequest, body: String, state: web::Data<State>) -> HttpResponse {
    state.introspections.fetch_add(1, Ordering::SeqCst);
    *state.introspected_by.lock().unwrap() = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if *state.introspection_down.lock().unwrap() {
        return HttpResponse::ServiceUnavailable().finish();
    }
    let token = body
        .strip_prefix("token=")
        .unwrap_or_else(|| panic!("a form with the token: {body}"));
    let claims = payload_of(token);
    if !*state.active.lock().unwrap() {
        return HttpResponse::Ok().json(json!({ "active": false }));
    }
    let jti = if *state.introspection_confused.lock().unwrap() {
        json!(uuid::Uuid::new_v4())
    } else {
        claims["jti"].clone()
    };
    HttpResponse::Ok().json(json!({ "active": true, "jti": jti, "sub": claims["sub"] }))
}

/// The claims of a JWT, unverified (the stand-in trusts what the guard sends it).
pub fn payload_of(token: &str) -> Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}
