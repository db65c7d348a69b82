//! The endpoint over the real `Authenticate` service, with a token codec that writes its claims
//! in clear (`header.payload.ok`) and a denylist the tests fill as a logout does.

use super::{Parts, respond};
use crate::settings::IntrospectionCallers;
use actix_web::http::StatusCode;
use actix_web::http::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, WWW_AUTHENTICATE};
use actix_web::test::{TestRequest, call_service, init_service, read_body_json};
use actix_web::web::{self, Data};
use actix_web::{App, HttpRequest, HttpResponse};
use async_trait::async_trait;
use authd_domain::Timestamp;
use authd_domain::authorization::{Permission, Permissions, RoleName};
use authd_domain::error::PortError;
use authd_domain::ids::{SessionId, TokenId, UserId};
use authd_domain::ports::{AccessTokenCodec, AccessTokenError, Clock, TokenDenylist};
use authd_domain::services::{Authenticate, AuthenticatePorts};
use authd_domain::token::{AccessClaims, JwkSet};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use secrecy::SecretString;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

const CALLER_TOKEN: &str = "introspection-caller-token-0123456789";
const CLIENT_ID: &str = "hotel-service";
const CLIENT_SECRET: &str = "hotel-s3cret:with-colon";

/// `base64url(header).base64url(claims).ok`: verifies what it issued, `exp` included.
struct ClearCodec;

impl AccessTokenCodec for ClearCodec {
    fn issue(&self, claims: &AccessClaims) -> Result<String, PortError> {
        let payload = json!({
            "iss": "authd-test", "aud": "hotel-api",
            "sub": claims.user_id.as_uuid(), "sid": claims.session_id.as_uuid(),
            "jti": claims.token_id.as_uuid(), "iat": claims.issued_at.timestamp(),
            "exp": claims.expires_at.timestamp(), "roles": claims.roles,
            "permissions": claims.permissions,
        });
        Ok(format!(
            "{}.{}.ok",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"at+jwt"}"#),
            URL_SAFE_NO_PAD.encode(payload.to_string())
        ))
    }

    fn verify(&self, token: &str, now: Timestamp) -> Result<AccessClaims, AccessTokenError> {
        let mut parts = token.split('.');
        let (Some(_), Some(payload), Some("ok"), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(AccessTokenError::Invalid);
        };
        let payload: Value = URL_SAFE_NO_PAD
            .decode(payload)
            .ok()
            .and_then(|p| serde_json::from_slice(&p).ok())
            .ok_or(AccessTokenError::Invalid)?;
        let exp = payload["exp"].as_i64().ok_or(AccessTokenError::Invalid)?;
        if exp < now.timestamp() {
            return Err(AccessTokenError::Expired);
        }
        let uuid = |name: &str| {
            payload[name]
                .as_str()
                .and_then(|s| s.parse::<uuid::Uuid>().ok())
                .ok_or(AccessTokenError::Invalid)
        };
        let at = |secs| Timestamp::from_timestamp(secs, 0).ok_or(AccessTokenError::Invalid);
        Ok(AccessClaims {
            user_id: UserId::from_uuid(uuid("sub")?),
            session_id: SessionId::from_uuid(uuid("sid")?),
            token_id: TokenId::from_uuid(uuid("jti")?),
            issued_at: at(payload["iat"].as_i64().ok_or(AccessTokenError::Invalid)?)?,
            expires_at: at(exp)?,
            roles: serde_json::from_value(payload["roles"].clone())
                .map_err(|_| AccessTokenError::Invalid)?,
            permissions: serde_json::from_value(payload["permissions"].clone())
                .map_err(|_| AccessTokenError::Invalid)?,
        })
    }

    fn jwks(&self) -> JwkSet {
        JwkSet::default()
    }
}

/// Denies the sessions a test logged out.
#[derive(Default)]
struct LoggedOut(Mutex<HashSet<SessionId>>);

#[async_trait]
impl TokenDenylist for LoggedOut {
    async fn deny_token(&self, _: UserId, _: TokenId, _: Timestamp) -> Result<(), PortError> {
        Ok(())
    }
    async fn deny_sessions(
        &self,
        _: UserId,
        ids: &[SessionId],
        _: Timestamp,
    ) -> Result<(), PortError> {
        let mut denied = self.0.lock().map_err(|_| PortError::internal("poisoned"))?;
        denied.extend(ids.iter().copied());
        Ok(())
    }
    async fn deny_user_before(
        &self,
        _: UserId,
        _: Timestamp,
        _: Timestamp,
    ) -> Result<(), PortError> {
        Ok(())
    }
    async fn is_denied(&self, claims: &AccessClaims) -> Result<bool, PortError> {
        let denied = self.0.lock().map_err(|_| PortError::internal("poisoned"))?;
        Ok(denied.contains(&claims.session_id))
    }
}

struct Wall;

impl Clock for Wall {
    fn now(&self) -> Timestamp {
        chrono::Utc::now()
    }
}

struct Fixture {
    authenticate: Authenticate,
    callers: IntrospectionCallers,
    denylist: Arc<LoggedOut>,
}

impl Fixture {
    fn new() -> Self {
        let denylist = Arc::new(LoggedOut::default());
        Self {
            authenticate: Authenticate::new(AuthenticatePorts {
                access_tokens: Arc::new(ClearCodec),
                denylist: denylist.clone(),
                clock: Arc::new(Wall),
            }),
            callers: IntrospectionCallers {
                tokens: vec![
                    SecretString::from("an-older-caller-token-during-rotation"),
                    SecretString::from(CALLER_TOKEN),
                ],
                clients: vec![(CLIENT_ID.to_owned(), SecretString::from(CLIENT_SECRET))],
            },
            denylist,
        }
    }
}

async fn handler(req: HttpRequest, payload: web::Payload, fixture: Data<Fixture>) -> HttpResponse {
    let parts = Parts {
        callers: &fixture.callers,
        authenticate: &fixture.authenticate,
        max_body_bytes: 1024,
        issuer: "authd-test",
        audience: "hotel-api",
    };
    respond(&req, payload.into_inner(), &parts).await
}

fn claims(lifetime: chrono::Duration) -> AccessClaims {
    let now = chrono::Utc::now();
    AccessClaims {
        user_id: UserId::new(),
        session_id: SessionId::new(),
        token_id: TokenId::new(),
        issued_at: now - chrono::Duration::minutes(1),
        expires_at: now + lifetime,
        roles: vec![RoleName::parse("HotelPartner").unwrap()],
        permissions: [Permission::UsersRead].into_iter().collect::<Permissions>(),
    }
}

fn token_of(claims: &AccessClaims) -> String {
    ClearCodec.issue(claims).unwrap()
}

struct Reply {
    status: StatusCode,
    challenge: Option<String>,
    cache_control: Option<String>,
    body: Value,
}

/// `POST /v1/auth/introspect` with `authorization` (if any) and a form body.
async fn introspect(fixture: Fixture, authorization: Option<&str>, form: &str) -> Reply {
    send(
        fixture,
        authorization,
        "application/x-www-form-urlencoded",
        form,
    )
    .await
}

async fn send(
    fixture: Fixture,
    authorization: Option<&str>,
    content_type: &str,
    body: &str,
) -> Reply {
    let app = init_service(
        App::new()
            .app_data(Data::new(fixture))
            .route("/v1/auth/introspect", web::post().to(handler)),
    )
    .await;
    let mut req = TestRequest::post()
        .uri("/v1/auth/introspect")
        .insert_header((CONTENT_TYPE, content_type))
        .set_payload(body.to_owned());
    if let Some(value) = authorization {
        req = req.insert_header((AUTHORIZATION, value));
    }
    let response = call_service(&app, req.to_request()).await;
    let header = |name| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    Reply {
        status: response.status(),
        challenge: header(WWW_AUTHENTICATE),
        cache_control: header(CACHE_CONTROL),
        body: read_body_json(response).await,
    }
}

fn bearer() -> String {
    format!("Bearer {CALLER_TOKEN}")
}

fn basic(id: &str, secret: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")))
}

#[actix_web::test]
async fn a_caller_without_credentials_is_refused_with_a_challenge() {
    let token = token_of(&claims(chrono::Duration::minutes(15)));
    let reply = introspect(Fixture::new(), None, &format!("token={token}")).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.body["success"], false);
    assert_eq!(reply.body["error"]["code"], "MISSING_AUTH_HEADER");
    let challenge = reply.challenge.unwrap_or_default();
    assert!(
        challenge.contains("Bearer") && challenge.contains("Basic"),
        "{challenge}"
    );
    assert_eq!(reply.body.get("active"), None, "nothing about the token");
}

#[actix_web::test]
async fn a_wrong_bearer_or_wrong_client_credentials_are_refused() {
    let form = format!("token={}", token_of(&claims(chrono::Duration::minutes(15))));
    let wrong = [
        format!("Bearer {CALLER_TOKEN}x"),
        "Bearer introspection-caller-token-012345678".to_owned(),
        basic(CLIENT_ID, "hotel-s3cret"),
        basic("other-service", CLIENT_SECRET),
        // The caller token is not a client secret, nor the other way round.
        basic(CLIENT_ID, CALLER_TOKEN),
        format!("Bearer {CLIENT_SECRET}"),
    ];
    for authorization in &wrong {
        let reply = introspect(Fixture::new(), Some(authorization), &form).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{authorization}");
        assert_eq!(
            reply.body["error"]["code"], "INVALID_TOKEN",
            "{authorization}"
        );
        assert!(reply.challenge.is_some(), "{authorization}");
    }
    for malformed in ["Digest abc", "Basic !!!", "Basic bm8tY29sb24=", "Bearer"] {
        let reply = introspect(Fixture::new(), Some(malformed), &form).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{malformed}");
        assert_eq!(
            reply.body["error"]["code"], "INVALID_AUTH_FORMAT",
            "{malformed}"
        );
    }
}

#[actix_web::test]
async fn a_valid_token_is_active_with_its_claims_for_either_kind_of_caller() {
    let claims = claims(chrono::Duration::minutes(15));
    let form = format!("token={}&token_type_hint=access_token", token_of(&claims));
    for authorization in [bearer(), basic(CLIENT_ID, CLIENT_SECRET)] {
        let reply = introspect(Fixture::new(), Some(&authorization), &form).await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        assert_eq!(reply.cache_control.as_deref(), Some("no-store"));
        let body = &reply.body;
        assert_eq!(body["active"], true);
        assert_eq!(body["sub"], claims.user_id.to_string());
        assert_eq!(body["sid"], claims.session_id.to_string());
        assert_eq!(body["jti"], claims.token_id.to_string());
        assert_eq!(body["iss"], "authd-test");
        assert_eq!(body["aud"], "hotel-api");
        assert_eq!(body["exp"], claims.expires_at.timestamp());
        assert_eq!(body["iat"], claims.issued_at.timestamp());
        assert_eq!(body["roles"], json!(["HotelPartner"]));
        assert_eq!(body["permissions"], json!(["users.read"]));
        assert_eq!(body["token_type"], "access_token");
    }
}

#[actix_web::test]
async fn the_token_may_come_as_json() {
    let claims = claims(chrono::Duration::minutes(15));
    let body = json!({ "token": token_of(&claims) }).to_string();
    let reply = send(Fixture::new(), Some(&bearer()), "application/json", &body).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["active"], true);
    assert_eq!(reply.body["sub"], claims.user_id.to_string());
}

#[actix_web::test]
async fn a_logged_out_token_is_inactive() {
    let fixture = Fixture::new();
    let claims = claims(chrono::Duration::minutes(15));
    fixture
        .denylist
        .deny_sessions(claims.user_id, &[claims.session_id], claims.expires_at)
        .await
        .unwrap();
    let reply = introspect(
        fixture,
        Some(&bearer()),
        &format!("token={}", token_of(&claims)),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, json!({ "active": false }));
    assert_eq!(reply.cache_control.as_deref(), Some("no-store"));
}

#[actix_web::test]
async fn expired_garbage_and_foreign_tokens_are_inactive_not_errors() {
    let expired = token_of(&claims(chrono::Duration::minutes(-5)));
    let tampered = token_of(&claims(chrono::Duration::minutes(15))).replace(".ok", ".forged");
    for token in [
        expired.as_str(),
        tampered.as_str(),
        "garbage",
        "a.b.c",
        "%FF%FE%00",
        "eyJhbGciOiJub25lIn0.e30.",
    ] {
        let reply = introspect(Fixture::new(), Some(&bearer()), &format!("token={token}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{token}: {:?}", reply.body);
        assert_eq!(reply.body, json!({ "active": false }), "{token}");
    }
    let reply = send(
        Fixture::new(),
        Some(&bearer()),
        "application/json",
        r#"{"token":"x"}"#,
    )
    .await;
    assert_eq!(reply.body, json!({ "active": false }));
}

#[actix_web::test]
async fn a_missing_or_blank_token_is_a_bad_request() {
    for form in [
        "",
        "token=",
        "token=%20",
        "token_type_hint=access_token",
        "tok=abc",
    ] {
        let reply = introspect(Fixture::new(), Some(&bearer()), form).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{form:?}");
        assert_eq!(reply.body["error"]["code"], "VALIDATION_ERROR", "{form:?}");
        assert_eq!(
            reply.body["error"]["details"][0]["field"], "token",
            "{form:?}"
        );
        assert_eq!(reply.cache_control.as_deref(), Some("no-store"));
    }
    let reply = send(Fixture::new(), Some(&bearer()), "application/json", "{}").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.body["error"]["details"][0]["field"], "token");
}

#[actix_web::test]
async fn unreadable_bodies_get_the_envelope_not_a_5xx() {
    let cases = [
        (
            "text/plain",
            "token=abc",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        ("application/json", "{\"token\": ", StatusCode::BAD_REQUEST),
        (
            "application/json",
            "{\"token\": 7}",
            StatusCode::BAD_REQUEST,
        ),
        (
            "application/x-www-form-urlencoded",
            &"a".repeat(2048),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
    ];
    for (content_type, body, status) in cases {
        let reply = send(Fixture::new(), Some(&bearer()), content_type, body).await;
        assert_eq!(reply.status, status, "{content_type} {body:.20}");
        assert_eq!(reply.body["success"], false);
    }
}
