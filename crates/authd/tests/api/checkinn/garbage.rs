//! Garbage in every field of every CheckInn route: wrong types, nulls, arrays, 10k-character
//! strings, invalid UTF-8 and escapes, deep nesting, empty bodies, wrong content types, unknown
//! fields, hostile tokens. Every answer is a 4xx in the CheckInn envelope, never a 5xx, and
//! nothing changes: no account is created, the victim's profile, password, sessions, reset
//! token and mails are as they were.

use super::client::{
    Guest, NEW_PASSWORD, PASSWORD, spawn_checkinn_app, spawn_checkinn_app_with, string,
};
use crate::helpers::{Backend, MailKind, Reply, TestApp, backends};
use reqwest::Method;
use rstest_reuse::apply;
use serde_json::{Value, json};

mod cases;

use cases::{Case, JSON, Route, cases, hostile_bearers, raw, with_raw_field};

/// The email every garbage registration and login names; free until the very end.
const NOBODY: &str = "garbage-only@example.com";

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

/// RFC 8259 text is UTF-8: a body with invalid bytes is no JSON, even where they sit in a field
/// no route reads. Skipped unread, such a body would act as `{}`: on the routes whose body is
/// optional, an update of nothing, a logout, a deactivation.
#[apply(backends)]
async fn a_body_that_is_not_utf8_is_refused_even_in_a_field_no_route_reads(backend: Backend) {
    let app = spawn_checkinn_app(backend).await;
    let guest = Guest::random();
    let session = app.ci_register(&guest).await;
    let body = with_raw_field("unknownField", b"\"\xff\xfe\"");

    let mut failures = Vec::new();
    for (method, path) in [
        (Method::PATCH, "/update-me"),
        (Method::POST, "/logout"),
        (Method::DELETE, "/delete-me"),
    ] {
        // A session of its own, so that one route's failure does not hide the next.
        let own = app.ci_login(&guest).await;
        let reply = app
            .send(
                app.client
                    .request(method.clone(), app.url(&format!("/api/auth{path}")))
                    .bearer_auth(&own.token)
                    .header("content-type", JSON)
                    .body(body.clone()),
            )
            .await;
        if reply.status != 400 || reply.body["code"] != "VALIDATION_ERROR" {
            failures.push(format!("{method} {path}: {} {}", reply.status, reply.text));
        }
    }

    assert!(failures.is_empty(), "not refused:\n{}", failures.join("\n"));
    app.ci_me(&session.token).await.ci_ok(200);
    app.ci_login(&guest).await;
}
