//! Garbage in every field of every CheckInn route: wrong types, nulls, arrays, 10k-character
//! strings, invalid UTF-8 and escapes, deep nesting, empty bodies, wrong content types, unknown
//! fields, hostile tokens. Every answer is a 4xx in the CheckInn envelope, never a 5xx, and
//! nothing changes: no account is created, the victim's profile, password, sessions, reset
//! token and mails are as they were.

use super::client::{Guest, NEW_PASSWORD, PASSWORD, spawn_checkinn_app_with, string};
use crate::helpers::{Backend, MailKind, Reply, TestApp, backends};
use reqwest::Method;
use rstest_reuse::apply;
use serde_json::{Value, json};

/// The email every garbage registration and login names; free until the very end.
const NOBODY: &str = "garbage-only@example.com";

/// One route, with a valid body to spoil field by field.
struct Route {
    method: Method,
    path: String,
    bearer: Option<String>,
    valid: Option<Value>,
    /// `(field, spoiler)` pairs that make a valid request on this route, so no garbage (`*`:
    /// any field): `null` means "absent" for an optional field or "clear" on `update-me`
    /// (`phone: null`), `delete-me` without a password is the document's contract, and
    /// `logout` revokes the bearer's session whatever string it names.
    lenient: &'static [(&'static str, &'static str)],
    /// Whether the route's body is optional (then an empty or unknown-only body is a valid
    /// request, not garbage).
    body_optional: bool,
}

/// A request that must be refused.
struct Case {
    label: String,
    content_type: &'static str,
    body: Vec<u8>,
}

fn raw(label: &str, content_type: &'static str, body: impl Into<Vec<u8>>) -> Case {
    Case {
        label: label.to_owned(),
        content_type,
        body: body.into(),
    }
}

const JSON: &str = "application/json";

/// The values a field is replaced with.
fn spoilers() -> Vec<(&'static str, Value)> {
    vec![
        ("a number", json!(12)),
        ("a boolean", json!(true)),
        ("an array", json!(["a@example.com"])),
        ("an object", json!({"$gt": ""})),
        ("10k characters", json!("x".repeat(10_000))),
        ("null", Value::Null),
    ]
}

fn is_lenient(route: &Route, path: &str, spoiler: &str, valid_leaf: &Value) -> bool {
    // An object where an object belongs, with unknown keys only, is an empty update.
    (spoiler == "an object" && valid_leaf.is_object())
        || route
            .lenient
            .iter()
            .any(|&(field, what)| (field == "*" || field == path) && what == spoiler)
}

/// Every leaf path of `value` (`preferences.notifications.email`).
fn leaves(value: &Value, prefix: &str, out: &mut Vec<String>) {
    if let Some(object) = value.as_object() {
        for (key, inner) in object {
            let path = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            if inner.is_object() {
                leaves(inner, &path, out);
            }
            out.push(path);
        }
    }
}

fn replaced(valid: &Value, path: &str, with: &Value) -> Value {
    let mut body = valid.clone();
    let pointer = format!("/{}", path.replace('.', "/"));
    *body.pointer_mut(&pointer).expect("a leaf of the body") = with.clone();
    body
}

fn cases(route: &Route) -> Vec<Case> {
    let mut cases = vec![
        raw("unterminated JSON", JSON, "{\"email\": "),
        raw("not JSON", JSON, "definitely not json"),
        raw("an array body", JSON, "[]"),
        raw("a null body", JSON, "null"),
        raw("a string body", JSON, "\"text\""),
        raw("a number body", JSON, "12"),
        raw(
            "a lone surrogate escape",
            JSON,
            r#"{"email": "\uD800", "password": "\uDFFF"}"#,
        ),
        raw(
            "an invalid escape",
            JSON,
            r#"{"email": "\x41", "password": "\q"}"#,
        ),
        raw(
            "10 000 nested arrays",
            JSON,
            format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)),
        ),
        raw(
            "10 000 nested objects in a field",
            JSON,
            format!(
                "{{\"email\": {}1{}, \"name\": 1}}",
                "{\"a\":".repeat(10_000),
                "}".repeat(10_000)
            ),
        ),
    ];
    let mut invalid_utf8 = b"{\"email\": \"".to_vec();
    invalid_utf8.extend_from_slice(&[0xff, 0xfe, 0xc3, 0x28]);
    invalid_utf8.extend_from_slice(b"@example.com\", \"password\": \"\xc0\xaf\"}");
    cases.push(raw("invalid UTF-8", JSON, invalid_utf8));
    if !route.body_optional {
        cases.push(raw("an empty body", JSON, ""));
        cases.push(raw(
            "unknown fields only",
            JSON,
            r#"{"unknownField": 1, "__proto__": {"isAdmin": true}, "constructor": {}}"#,
        ));
    }
    if let Some(valid) = &route.valid {
        let text = valid.to_string();
        cases.push(raw("text/plain", "text/plain", text.clone()));
        cases.push(raw(
            "form-encoded",
            "application/x-www-form-urlencoded",
            "a=1&b=2",
        ));
        cases.push(raw("multipart", "multipart/form-data; boundary=x", "--x--"));
        let mut paths = Vec::new();
        leaves(valid, "", &mut paths);
        for path in paths {
            let leaf = valid
                .pointer(&format!("/{}", path.replace('.', "/")))
                .expect("a leaf of the body");
            for (what, value) in spoilers() {
                if is_lenient(route, &path, what, leaf) {
                    continue;
                }
                let body = replaced(valid, &path, &value);
                cases.push(raw(&format!("`{path}` as {what}"), JSON, body.to_string()));
            }
        }
    }
    cases
}

/// The bearer tokens a protected route must refuse with the document's 401.
fn hostile_bearers(victim: &str) -> Vec<(&'static str, String)> {
    vec![
        ("no header", String::new()),
        ("a bare scheme", "Bearer".to_owned()),
        ("a scheme and a space", "Bearer ".to_owned()),
        ("three dots", "Bearer a.b.c".to_owned()),
        ("Basic", "Basic dXNlcjpwYXNz".to_owned()),
        ("10k characters", format!("Bearer {}", "x".repeat(10_000))),
        ("a tampered token", format!("Bearer {victim}x")),
        ("the token twice", format!("Bearer {victim} {victim}")),
    ]
}

async fn send(app: &TestApp, route: &Route, authorization: Option<&str>, case: &Case) -> Reply {
    let mut request = app
        .client
        .request(
            route.method.clone(),
            app.url(&format!("/api/auth{}", route.path)),
        )
        .header("content-type", case.content_type)
        .body(case.body.clone());
    if let Some(value) = authorization.filter(|v| !v.is_empty()) {
        request = request.header("authorization", value);
    }
    app.send(request).await
}

/// Collects what went wrong instead of stopping at the first.
fn check(failures: &mut Vec<String>, label: String, reply: &Reply) {
    let refused = (400..500).contains(&reply.status)
        && reply.body["success"] == false
        && reply.body["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
        && reply
            .header("content-type")
            .is_some_and(|t| t.starts_with("application/json"));
    if !refused {
        failures.push(format!(
            "{label}: {} {}",
            reply.status,
            reply.text.chars().take(300).collect::<String>()
        ));
    }
}

#[apply(backends)]
async fn garbage_in_any_field_of_any_route_is_refused_in_the_envelope_and_changes_nothing(
    backend: Backend,
) {
    let app = spawn_checkinn_app_with(
        backend,
        &[("MAIL_COOLDOWN", "0"), ("MAX_FAILED_ATTEMPTS", "1000")],
    )
    .await;
    let victim = Guest::random();
    let session = app.ci_register(&victim).await;
    app.wait_for_mail(MailKind::Verification, &victim.email)
        .await;
    app.ci_post("/forgot-password", &json!({"email": victim.email}))
        .await
        .ci_ok(200);
    let reset_token = app
        .token_from_mail(MailKind::PasswordReset, &victim.email)
        .await;
    let second = app.ci_login(&victim).await;
    let before = app.ci_user(&session.token).await;
    let mut nobody = Guest::random();
    nobody.email = NOBODY.into();
    let bearer = Some(session.token.clone());
    let route = |method: Method, path: &str, bearer: Option<String>, valid: Option<Value>| Route {
        method,
        path: path.to_owned(),
        bearer,
        valid,
        lenient: &[],
        body_optional: false,
    };
    let routes = vec![
        Route {
            lenient: &[("phone", "null"), ("role", "null")],
            ..route(Method::POST, "/register", None, Some(nobody.body()))
        },
        route(Method::POST, "/login", None, Some(nobody.credentials())),
        route(
            Method::POST,
            "/forgot-password",
            None,
            Some(json!({"email": victim.email})),
        ),
        route(
            Method::PATCH,
            &format!("/reset-password/{reset_token}"),
            None,
            Some(json!({"password": NEW_PASSWORD, "passwordConfirm": NEW_PASSWORD})),
        ),
        route(
            Method::POST,
            "/verify-email",
            None,
            Some(json!({"token": "no-such-token"})),
        ),
        route(
            Method::POST,
            "/resend-verification",
            None,
            Some(json!({"email": victim.email})),
        ),
        route(
            Method::POST,
            "/refresh-token",
            None,
            Some(json!({"refreshToken": session.refresh_token})),
        ),
        Route {
            lenient: &[("*", "null")],
            body_optional: true,
            ..route(
                Method::PATCH,
                "/update-me",
                bearer.clone(),
                Some(json!({
                    "name": "Garbage Name",
                    "phone": "0912345678",
                    "preferences": {"language": "vi", "notifications": {"email": false}},
                })),
            )
        },
        route(
            Method::PATCH,
            "/update-password",
            bearer.clone(),
            Some(json!({
                "passwordCurrent": PASSWORD,
                "password": NEW_PASSWORD,
                "passwordConfirm": NEW_PASSWORD,
            })),
        ),
        route(Method::GET, "/me", bearer.clone(), None),
        // The two that end sessions come last, logout with a session of its own.
        Route {
            lenient: &[("*", "null"), ("*", "10k characters")],
            body_optional: true,
            ..route(
                Method::POST,
                "/logout",
                Some(second.token.clone()),
                Some(json!({"refreshToken": second.refresh_token})),
            )
        },
        Route {
            lenient: &[("*", "null")],
            body_optional: true,
            ..route(
                Method::DELETE,
                "/delete-me",
                bearer.clone(),
                Some(json!({"password": PASSWORD})),
            )
        },
    ];

    let mut failures = Vec::new();
    let mut sent = 0;
    for route in &routes {
        let authorization = route.bearer.as_ref().map(|t| format!("Bearer {t}"));
        for case in cases(route) {
            if route.method == Method::GET {
                break;
            }
            let reply = send(&app, route, authorization.as_deref(), &case).await;
            check(
                &mut failures,
                format!("{} {} with {}", route.method, route.path, case.label),
                &reply,
            );
            sent += 1;
        }
        if route.bearer.is_some() {
            let valid = Case {
                label: String::new(),
                content_type: JSON,
                body: route
                    .valid
                    .as_ref()
                    .map(Value::to_string)
                    .unwrap_or_default()
                    .into(),
            };
            for (what, header) in hostile_bearers(&session.token) {
                let reply = send(&app, route, Some(&header), &valid).await;
                check(
                    &mut failures,
                    format!("{} {} with {what}", route.method, route.path),
                    &reply,
                );
                if reply.status == 401 && reply.body["message"] != super::client::AUTH_REQUIRED {
                    failures.push(format!(
                        "{} {} with {what}: {}",
                        route.method, route.path, reply.text
                    ));
                }
                sent += 1;
            }
        }
    }
    for path in ["%00", "%FF%FE", &"x".repeat(10_000)] {
        let reset = Route {
            path: format!("/reset-password/{path}"),
            ..route(Method::PATCH, "", None, None)
        };
        let body = json!({"password": NEW_PASSWORD, "passwordConfirm": NEW_PASSWORD});
        let case = raw("a valid body", JSON, body.to_string());
        let reply = send(&app, &reset, None, &case).await;
        check(
            &mut failures,
            format!("PATCH /reset-password/{}", &path[..path.len().min(12)]),
            &reply,
        );
        sent += 1;
    }

    assert!(sent > 300, "{sent} requests");
    assert!(
        failures.is_empty(),
        "{} of {sent} not refused in the envelope:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Nothing changed.
    assert_eq!(
        app.ci_user(&session.token).await,
        before,
        "the victim's profile"
    );
    app.ci_me(&second.token).await.ci_ok(200);
    app.assert_mail_count(MailKind::Verification, &victim.email, 1)
        .await;
    app.assert_mail_count(MailKind::PasswordReset, &victim.email, 1)
        .await;
    app.ci_login(&victim).await;
    let refreshed = app.ci_refresh(&session.refresh_token).await;
    string(&refreshed.ci_ok(200)["token"]);
    app.ci(
        Method::PATCH,
        &format!("/reset-password/{reset_token}"),
        None,
        Some(&json!({"password": NEW_PASSWORD, "passwordConfirm": NEW_PASSWORD})),
    )
    .await
    .ci_ok(200);
    app.ci_register(&nobody).await;
}
