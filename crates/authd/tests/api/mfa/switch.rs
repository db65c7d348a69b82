//! `ENABLE_MFA=false`: every MFA route is gone (404 like any unknown path, and absent from the
//! OpenAPI document) and logins never ask for a second factor, even of an account that set one
//! up while MFA was on.

use crate::helpers::{fresh_database, spawn_app_on};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn with_mfa_off_its_routes_are_not_found_and_logins_need_the_password_only() {
    let database = fresh_database().await;
    let on = spawn_app_on(Some(database.clone()), &[]).await;
    let mfa = on.mfa_user().await;
    on.mfa_challenge(&mfa.user).await;
    on.stop().await;

    let off = spawn_app_on(Some(database), &[("ENABLE_MFA", "false")]).await;

    let login = off.login_reply(&mfa.user.credentials()).await;
    let data = login.ok(200);
    let access = data["accessToken"].as_str().unwrap().to_owned();
    let device = uuid::Uuid::new_v4().to_string();
    let routes = [
        (
            Method::POST,
            "/v1/auth/mfa/setup".to_owned(),
            json!({"type": "totp"}),
        ),
        (
            Method::POST,
            "/v1/auth/mfa/verify".to_owned(),
            json!({"code": "123456"}),
        ),
        (
            Method::POST,
            "/v1/auth/mfa/verify".to_owned(),
            json!({"mfaToken": "x", "code": "123456"}),
        ),
        (Method::GET, "/v1/auth/mfa".to_owned(), json!({})),
        (
            Method::POST,
            "/v1/auth/mfa/backup-codes".to_owned(),
            json!({"password": "x"}),
        ),
        (
            Method::DELETE,
            "/v1/auth/mfa".to_owned(),
            json!({"password": "x", "code": "1"}),
        ),
        (
            Method::DELETE,
            format!("/v1/auth/mfa/devices/{device}"),
            json!({}),
        ),
    ];
    for (method, path, body) in routes {
        for access in [Some(access.as_str()), None] {
            let reply = off.call(method.clone(), &path, access, &body).await;
            assert_eq!(reply.status, 404, "{method} {path}: {reply:#?}");
            reply.error(404, "NOT_FOUND");
        }
    }
    let document = off.get("/v1/openapi.json").await;
    let paths = document.body["paths"].as_object().expect("paths");
    assert!(
        paths.keys().all(|p| !p.contains("/mfa")),
        "{:?}",
        paths.keys()
    );
    assert!(paths.contains_key("/v1/auth/login"));
}
