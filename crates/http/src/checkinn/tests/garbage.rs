//! Garbage in every field of every CheckInn route: an answer in the envelope, never a 5xx.

use super::{app, register, send};
use actix_web::http::Method;
use serde_json::{Value, json};

/// Each route with the fields of its body.
const ROUTES: [(&str, &str, &[&str]); 12] = [
    (
        "POST",
        "/api/auth/register",
        &[
            "name",
            "email",
            "phone",
            "password",
            "passwordConfirm",
            "role",
        ],
    ),
    ("POST", "/api/auth/login", &["email", "password"]),
    ("POST", "/api/auth/forgot-password", &["email"]),
    (
        "PATCH",
        "/api/auth/reset-password/some-token",
        &["password", "passwordConfirm"],
    ),
    ("POST", "/api/auth/verify-email", &["token"]),
    ("POST", "/api/auth/resend-verification", &["email"]),
    ("POST", "/api/auth/refresh-token", &["refreshToken"]),
    ("GET", "/api/auth/me", &[]),
    (
        "PATCH",
        "/api/auth/update-me",
        &["name", "phone", "preferences"],
    ),
    (
        "PATCH",
        "/api/auth/update-password",
        &["passwordCurrent", "password", "passwordConfirm"],
    ),
    ("POST", "/api/auth/logout", &["refreshToken"]),
    ("DELETE", "/api/auth/delete-me", &["password"]),
];

fn values() -> Vec<Value> {
    vec![
        Value::Null,
        json!(0),
        json!(-1.5e300),
        json!(true),
        json!([]),
        json!(["a", 1]),
        json!({}),
        json!({"$gt": ""}),
        json!(""),
        json!("   "),
        json!("\u{0}\u{7}<script>alert(1)</script>"),
        json!("é".repeat(20_000)),
        json!("a".repeat(30_000)),
    ]
}

fn bodies(fields: &[&str]) -> Vec<Value> {
    let mut all = vec![json!([]), json!("text"), json!(42), json!({"unknown": 1})];
    for field in fields {
        for value in values() {
            all.push(json!({ *field: value }));
        }
    }
    let mut nested = json!({});
    for field in fields {
        nested[*field] = json!({"language": ["x"], "notifications": {"email": "yes"}});
    }
    all.push(nested);
    all
}

#[actix_web::test]
async fn no_garbage_in_any_field_of_any_route_makes_a_5xx() {
    let app = app!();
    let mut sent = 0;
    for (i, (method, path, fields)) in ROUTES.iter().enumerate() {
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        // An account of its own per route: garbage may lock it, log it out or delete it.
        let data = register(&app, &format!("garbage{i}@example.com")).await;
        let token = data["token"].as_str().unwrap().to_owned();
        for body in bodies(fields) {
            let res = send(&app, method.clone(), path, body.clone(), Some(&token)).await;
            assert!(res.status < 500, "{method} {path} {body:.80}: {res:?}");
            if res.status >= 400 {
                res.assert_error(res.status, res.body["code"].as_str().unwrap_or("?"));
            }
            sent += 1;
        }
    }
    for path in [
        "/api/auth/reset-password/%00%ff",
        &format!("/api/auth/reset-password/{}", "x".repeat(5000)),
    ] {
        let body = json!({"password": "Abcdefg1!", "passwordConfirm": "Abcdefg1!"});
        let res = send(&app, Method::PATCH, path, body, None).await;
        assert!(res.status < 500 && res.status >= 400, "{path}: {res:?}");
        assert_eq!(res.body["success"], false);
    }
    assert!(sent > 300, "{sent}");
}
