//! The CheckInn routes through the whole app (`crate::app`: every middleware, the route table,
//! the access check and the rate limits) over the real domain services on the in-memory
//! adapters, bcrypt at its lowest cost and HS256 tokens.

mod account;
mod errors;
mod garbage;
mod logs;
mod sign_in;

mod rig;

pub(super) use rig::{state, state_with};

use crate::settings::RateLimits;
use crate::state::AppState;
use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::Method;
use actix_web::test::{TestRequest, call_service, read_body};
use serde_json::{Value, json};

/// The document's example password (and its second one).
pub(super) const PASSWORD: &str = "TestPass123!";
pub(super) const NEW_PASSWORD: &str = "NewSecurePass123!";

/// No limits: tests that send many requests.
pub(super) fn unlimited() -> AppState {
    state(no_limits())
}

pub(super) fn no_limits() -> RateLimits {
    RateLimits {
        enabled: false,
        ..RateLimits::default()
    }
}

/// What a test looks at in an answer.
#[derive(Debug)]
pub(super) struct Answer {
    pub status: u16,
    pub headers: actix_web::http::header::HeaderMap,
    pub body: Value,
}

impl Answer {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// The `Set-Cookie` of the refresh cookie, if any.
    pub fn refresh_cookie(&self) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("refresh_token="))
            .map(str::to_owned)
    }

    /// The field names of `errors`.
    pub fn error_fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|e| {
                e.iter()
                    .filter_map(|e| e["field"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The answer is the CheckInn error envelope of `status` and `code`.
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status, status, "{self:?}");
        assert_eq!(self.body["success"], false, "{self:?}");
        assert_eq!(self.body["code"], code, "{self:?}");
        assert!(self.body["message"].is_string(), "{self:?}");
        assert!(
            self.body.get("error").is_none(),
            "not the /v1 envelope: {self:?}"
        );
    }
}

pub(super) async fn answer(res: ServiceResponse<impl MessageBody>) -> Answer {
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let bytes = read_body(res).await;
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    Answer {
        status,
        headers,
        body,
    }
}

/// `method path` with the JSON `body` (none when `Null`) and the bearer `token`.
pub(super) async fn send<S, B>(
    app: &S,
    method: Method,
    path: &str,
    body: Value,
    token: Option<&str>,
) -> Answer
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let mut req = TestRequest::default()
        .method(method)
        .uri(path)
        .peer_addr("203.0.113.7:40000".parse().unwrap());
    if !body.is_null() {
        req = req.set_json(body);
    }
    if let Some(token) = token {
        req = req.insert_header(("Authorization", format!("Bearer {token}")));
    }
    answer(call_service(app, req.to_request()).await).await
}

/// The document's registration of `email`.
pub(super) fn registration(email: &str) -> Value {
    json!({
        "name": "Test User", "email": email, "phone": "0987654321",
        "password": PASSWORD, "role": "Customer"
    })
}

/// Registers `email` through the CheckInn route; its `data`.
pub(super) async fn register<S, B>(app: &S, email: &str) -> Value
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let res = send(
        app,
        Method::POST,
        "/api/auth/register",
        registration(email),
        None,
    )
    .await;
    assert_eq!(res.status, 201, "{res:?}");
    res.body["data"].clone()
}

macro_rules! app {
    ($state:expr) => {
        actix_web::test::init_service(crate::app($state)).await
    };
    () => {
        app!(crate::checkinn::tests::unlimited())
    };
}
pub(super) use app;
