//! The actix side: `Principal` as an extractor (`protect`), `restrict_to` and
//! `require_permission` (`restrictTo`), answering in authd's envelope.

use crate::support::{Authd, claims, jwks_of, keys};
use actix_web::http::StatusCode;
use actix_web::test::{TestRequest, call_service, init_service, read_body_json};
use actix_web::{App, HttpResponse, web};
use authd_domain::authorization::Permission;
use authd_guard::{Principal, require_permission, restrict_to};
use serde_json::Value;

async fn whoami(principal: Principal) -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({
        "userId": principal.user_id, "roles": principal.roles,
    }))
}

async fn open() -> HttpResponse {
    HttpResponse::Ok().finish()
}

struct Reply {
    status: StatusCode,
    www_authenticate: bool,
    request_id: Option<String>,
    body: Value,
}

async fn get(authd: &Authd, path: &str, authorization: Option<String>) -> Reply {
    get_with(authd, path, authorization, &[]).await
}

async fn get_with(
    authd: &Authd,
    path: &str,
    authorization: Option<String>,
    headers: &[(&str, &str)],
) -> Reply {
    let guard = authd.guard().build().unwrap();
    let app = init_service(
        App::new()
            .app_data(guard)
            .route("/bookings", web::get().to(whoami))
            .service(
                web::resource("/partner/reports")
                    .wrap(restrict_to(["HotelPartner", "Admin"]))
                    .route(web::get().to(whoami)),
            )
            .service(
                web::resource("/admin/users")
                    .wrap(require_permission("admin.users.read"))
                    .route(web::get().to(open)),
            ),
    )
    .await;
    let mut req = TestRequest::get().uri(path);
    if let Some(value) = authorization {
        req = req.insert_header(("Authorization", value));
    }
    for (name, value) in headers {
        req = req.insert_header((*name, *value));
    }
    let response = call_service(&app, req.to_request()).await;
    let status = response.status();
    let www_authenticate = response.headers().contains_key("www-authenticate");
    let request_id = response
        .headers()
        .get("x-request-id")
        .map(|v| v.to_str().unwrap().to_owned());
    let bytes = actix_web::test::read_body(response).await;
    Reply {
        status,
        www_authenticate,
        request_id,
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    }
}

fn bearer(roles: &[&str], permissions: &[Permission]) -> Option<String> {
    Some(format!(
        "Bearer {}",
        keys()[0].token(&claims(roles, permissions))
    ))
}

fn assert_envelope(reply: &Reply, status: StatusCode, code: &str) {
    assert_eq!(reply.status, status, "{:?}", reply.body);
    assert_eq!(reply.body["success"], false);
    assert_eq!(reply.body["error"]["code"], code);
    assert!(reply.body["error"]["message"].is_string());
    assert!(reply.body["timestamp"].is_string());
    let request_id = reply.body["requestId"].as_str().unwrap();
    assert_eq!(reply.request_id.as_deref(), Some(request_id));
}

#[actix_web::test]
async fn a_refusal_echoes_a_sane_request_id_and_replaces_any_other() {
    let authd = Authd::start(jwks_of(&[&keys()[0]]));
    for path in ["/bookings", "/partner/reports"] {
        let reply = get_with(&authd, path, None, &[("X-Request-Id", "trace-123")]).await;
        assert_envelope(&reply, StatusCode::UNAUTHORIZED, "MISSING_AUTH_HEADER");
        assert_eq!(reply.body["requestId"], "trace-123", "{path}");
        let reply = get_with(&authd, path, None, &[("X-Request-Id", "a b<c>")]).await;
        let id = reply.body["requestId"].as_str().unwrap();
        assert!(uuid::Uuid::parse_str(id).is_ok(), "{path}: {id}");
    }
}

#[actix_web::test]
async fn nested_guards_and_the_extractor_verify_a_token_once() {
    let authd = Authd::start(jwks_of(&[&keys()[0]]));
    // Introspection counts the verifications: one call to authd per verification.
    let guard = authd
        .guard()
        .introspection(
            &authd.url,
            authd_guard::IntrospectionCredentials::Bearer("t".to_owned().into()),
        )
        .build()
        .unwrap();
    let app = init_service(
        App::new().app_data(guard).service(
            web::scope("/partner")
                .wrap(restrict_to(["HotelPartner"]))
                .service(
                    web::resource("/reports")
                        .wrap(require_permission("users.read"))
                        .route(web::get().to(whoami)),
                ),
        ),
    )
    .await;
    let req = TestRequest::get()
        .uri("/partner/reports")
        .insert_header((
            "Authorization",
            bearer(&["HotelPartner"], &[Permission::UsersRead]).unwrap(),
        ))
        .to_request();
    let response = call_service(&app, req).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(authd.introspections(), 1);
    // The inner requirement is still checked against the principal the outer one left.
    let req = TestRequest::get()
        .uri("/partner/reports")
        .insert_header(("Authorization", bearer(&["HotelPartner"], &[]).unwrap()))
        .to_request();
    let response = call_service(&app, req).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(authd.introspections(), 2);
}

#[actix_web::test]
async fn protect_answers_401_in_the_envelope_without_a_valid_token() {
    let authd = Authd::start(jwks_of(&[&keys()[0]]));
    let reply = get(&authd, "/bookings", None).await;
    assert_envelope(&reply, StatusCode::UNAUTHORIZED, "MISSING_AUTH_HEADER");
    assert!(reply.www_authenticate);
    let reply = get(&authd, "/bookings", Some("Basic abc".into())).await;
    assert_envelope(&reply, StatusCode::UNAUTHORIZED, "INVALID_AUTH_FORMAT");
    let reply = get(&authd, "/bookings", Some("Bearer nonsense".into())).await;
    assert_envelope(&reply, StatusCode::UNAUTHORIZED, "INVALID_TOKEN");
}

#[actix_web::test]
async fn protect_lets_any_signed_in_user_through_with_their_principal() {
    let authd = Authd::start(jwks_of(&[&keys()[0]]));
    let reply = get(&authd, "/bookings", bearer(&["Customer"], &[])).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["roles"], serde_json::json!(["Customer"]));
}

#[actix_web::test]
async fn restrict_to_admits_the_listed_roles_and_refuses_others_with_403() {
    let authd = Authd::start(jwks_of(&[&keys()[0]]));
    for roles in [&["HotelPartner"][..], &["Admin"], &["Customer", "Admin"]] {
        let reply = get(&authd, "/partner/reports", bearer(roles, &[])).await;
        assert_eq!(reply.status, StatusCode::OK, "{roles:?}");
        assert_eq!(
            reply.body["roles"],
            serde_json::json!(roles),
            "the principal reaches the handler"
        );
    }
    let reply = get(
        &authd,
        "/partner/reports",
        bearer(&["Customer"], &[Permission::UsersRead]),
    )
    .await;
    assert_envelope(&reply, StatusCode::FORBIDDEN, "INSUFFICIENT_PERMISSIONS");
    assert!(!reply.www_authenticate);
    let reply = get(&authd, "/partner/reports", bearer(&["hotelpartner"], &[])).await;
    assert_envelope(&reply, StatusCode::FORBIDDEN, "INSUFFICIENT_PERMISSIONS");
    let reply = get(&authd, "/partner/reports", None).await;
    assert_envelope(&reply, StatusCode::UNAUTHORIZED, "MISSING_AUTH_HEADER");
}

#[actix_web::test]
async fn require_permission_reads_the_token_permissions() {
    let authd = Authd::start(jwks_of(&[&keys()[0]]));
    let reply = get(
        &authd,
        "/admin/users",
        bearer(&["Support"], &[Permission::AdminUsersRead]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    let reply = get(
        &authd,
        "/admin/users",
        bearer(&["Admin"], &[Permission::UsersRead]),
    )
    .await;
    assert_envelope(&reply, StatusCode::FORBIDDEN, "INSUFFICIENT_PERMISSIONS");
}

#[actix_web::test]
async fn an_app_without_a_guard_refuses_rather_than_admits() {
    let app = init_service(App::new().route("/bookings", web::get().to(whoami))).await;
    let token = bearer(&["Admin"], &[]).unwrap();
    let req = TestRequest::get()
        .uri("/bookings")
        .insert_header(("Authorization", token))
        .to_request();
    let response = call_service(&app, req).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = read_body_json(response).await;
    assert_eq!(body["success"], false);
}
