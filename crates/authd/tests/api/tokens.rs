//! Access tokens: the bearer header, what is inside the JWT, forged and tampered tokens, JWKS.

use crate::helpers::{Backend, backends};
use crate::helpers::{Jwt, TestApp, header, now_unix, spawn_app, spawn_app_with};
use rstest_reuse::apply;
use serde_json::json;

async fn me_with_authorization(app: &TestApp, value: &str) -> crate::helpers::Reply {
    app.send(
        app.client
            .get(app.url("/v1/users/me"))
            .headers(header("authorization", value)),
    )
    .await
}

#[apply(backends)]
async fn an_access_token_opens_the_profile(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;
    let login = app.login(&user).await;

    let reply = app.me(&login.access_token).await;

    assert_eq!(reply.ok(200)["id"], user.id);
}

#[apply(backends)]
async fn the_bearer_scheme_is_case_insensitive(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;
    let login = app.login(&user).await;

    let reply = me_with_authorization(&app, &format!("bearer {}", login.access_token)).await;

    reply.ok(200);
}

#[apply(backends)]
async fn a_request_without_authorization_answers_missing_auth_header(backend: Backend) {
    let app = spawn_app(backend).await;

    app.get("/v1/users/me")
        .await
        .error(401, "MISSING_AUTH_HEADER");
}

#[apply(backends)]
async fn anything_but_bearer_and_a_token_answers_invalid_auth_format(backend: Backend) {
    let app = spawn_app(backend).await;

    for value in [
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Bearer ",
        "Token abc.def.ghi",
    ] {
        me_with_authorization(&app, value)
            .await
            .error(401, "INVALID_AUTH_FORMAT");
    }
}

#[apply(backends)]
async fn a_garbage_token_answers_invalid_token(backend: Backend) {
    let app = spawn_app(backend).await;

    for token in ["not-a-jwt", "a.b.c", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"] {
        app.me(token).await.error(401, "INVALID_TOKEN");
    }
}

#[apply(backends)]
async fn a_tampered_payload_answers_invalid_token(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;
    let login = app.login(&user).await;
    let mut jwt = Jwt::decode(&login.access_token);
    jwt.claims["roles"] = json!(["admin"]);
    jwt.claims["permissions"] = json!(["users.read", "users.write", "users.admin"]);

    let reply = app.me(&jwt.with_original_signature()).await;

    reply.error(401, "INVALID_TOKEN");
}

#[apply(backends)]
async fn an_unsigned_alg_none_token_answers_invalid_token(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;
    let login = app.login(&user).await;
    let mut jwt = Jwt::decode(&login.access_token);
    jwt.header = json!({"alg": "none", "typ": "at+jwt"});

    app.me(&jwt.unsigned()).await.error(401, "INVALID_TOKEN");
    app.me(&jwt.with_original_signature())
        .await
        .error(401, "INVALID_TOKEN");
}

#[apply(backends)]
async fn a_token_naming_an_unknown_key_answers_invalid_token(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;
    let login = app.login(&user).await;
    let mut jwt = Jwt::decode(&login.access_token);
    jwt.header["kid"] = json!("no-such-key");

    app.me(&jwt.with_original_signature())
        .await
        .error(401, "INVALID_TOKEN");
}

#[apply(backends)]
async fn the_access_token_is_an_rs256_at_jwt_with_the_documented_claims(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;
    let login = app.login(&user).await;

    let jwt = Jwt::decode(&login.access_token);

    assert_eq!(jwt.header["alg"], "RS256");
    assert_eq!(jwt.header["typ"], "at+jwt");
    assert!(jwt.header["kid"].is_string(), "{}", jwt.header);
    for claim in ["iss", "aud", "sid", "jti"] {
        assert!(
            !jwt.claims[claim].is_null(),
            "claim {claim}: {}",
            jwt.claims
        );
    }
    assert_eq!(jwt.claim_str("sub"), user.id);
    assert_eq!(jwt.claim_i64("exp") - jwt.claim_i64("iat"), 900);
    assert!((jwt.claim_i64("iat") - now_unix()).abs() < 60);
    assert_eq!(jwt.claims["roles"], json!(["user"]));
    assert!(jwt.claims["permissions"].is_array());
}

#[apply(backends)]
async fn the_jwks_document_publishes_the_key_that_signed_the_token(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.verified_user().await;
    let login = app.login(&user).await;
    let kid = Jwt::decode(&login.access_token).header["kid"].clone();

    let reply = app.get("/.well-known/jwks.json").await;

    assert_eq!(reply.status, 200, "{reply:#?}");
    let keys = reply.body["keys"].as_array().expect("a keys array");
    let key = keys
        .iter()
        .find(|k| k["kid"] == kid)
        .unwrap_or_else(|| panic!("kid {kid} in {keys:?}"));
    assert_eq!(key["kty"], "RSA");
    assert!(key["n"].is_string() && key["e"].is_string(), "{key}");
    assert!(key.get("d").is_none(), "no private part in the JWKS: {key}");
}

const HS256_SECRET: &str = "an-hs256-test-secret-of-more-than-32-bytes";

async fn spawn_hs256_app(backend: Backend) -> TestApp {
    spawn_app_with(
        backend,
        &[
            ("JWT_ALGORITHM", "HS256"),
            ("JWT_ACCESS_SECRET", HS256_SECRET),
        ],
    )
    .await
}

#[apply(backends)]
async fn in_hs256_mode_tokens_work_and_the_jwks_document_is_empty(backend: Backend) {
    let app = spawn_hs256_app(backend).await;
    let user = app.verified_user().await;
    let login = app.login(&user).await;

    assert_eq!(Jwt::decode(&login.access_token).header["alg"], "HS256");
    app.me(&login.access_token).await.ok(200);
    let jwks = app.get("/.well-known/jwks.json").await;
    assert_eq!(jwks.status, 200, "{jwks:#?}");
    assert_eq!(jwks.body["keys"], json!([]));
}

// With a 30 s leeway, waiting for a real token to expire would slow the suite; with HS256 the
// test can sign its own token that expired an hour ago. The control shows the forgery is valid.
#[apply(backends)]
async fn an_expired_token_answers_token_expired(backend: Backend) {
    let app = spawn_hs256_app(backend).await;
    let user = app.verified_user().await;
    let login = app.login(&user).await;
    let mut jwt = Jwt::decode(&login.access_token);
    jwt.claims["jti"] = json!(uuid::Uuid::new_v4().to_string());

    app.me(&jwt.sign_hs256(HS256_SECRET.as_bytes()))
        .await
        .ok(200);
    jwt.claims["iat"] = json!(now_unix() - 7200);
    jwt.claims["exp"] = json!(now_unix() - 3600);
    let reply = app.me(&jwt.sign_hs256(HS256_SECRET.as_bytes())).await;

    reply.error(401, "TOKEN_EXPIRED");
}

#[apply(backends)]
async fn a_validly_signed_token_for_another_audience_or_issuer_is_refused(backend: Backend) {
    let app = spawn_hs256_app(backend).await;
    let user = app.verified_user().await;
    let login = app.login(&user).await;
    let original = Jwt::decode(&login.access_token);

    for (claim, value) in [("aud", "another-service"), ("iss", "https://evil.test")] {
        let mut jwt = original.clone();
        jwt.claims[claim] = json!(value);
        app.me(&jwt.sign_hs256(HS256_SECRET.as_bytes()))
            .await
            .error(401, "INVALID_TOKEN");
    }
    let mut wrong_typ = original.clone();
    wrong_typ.header["typ"] = json!("JWT");
    app.me(&wrong_typ.sign_hs256(HS256_SECRET.as_bytes()))
        .await
        .error(401, "INVALID_TOKEN");
}
