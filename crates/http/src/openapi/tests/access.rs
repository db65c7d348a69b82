//! What the document says of the access each route declares, and of the admin operations.

use super::{document, operation};
use crate::routes::table;
use actix_web::http::Method;
use serde_json::Value;

/// The error codes of one status of an operation, as the document lists them (in `error.code`
/// of the `/v1` envelope, in `code` of the CheckInn one).
pub(super) fn codes_of(op: &Value, status: &str) -> Vec<String> {
    let narrowed =
        &op["responses"][status]["content"]["application/json"]["schema"]["allOf"][1]["properties"];
    let code = if narrowed["error"].is_object() {
        &narrowed["error"]["properties"]["code"]
    } else {
        &narrowed["code"]
    };
    code["enum"]
        .as_array()
        .map(|codes| {
            codes
                .iter()
                .filter_map(|c| c.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// A route that asks for a permission names it as the bearer requirement's scope and in its
/// description, and documents the 403 of lacking it; admin routes the 403 of the address too.
#[test]
fn permission_routes_document_their_permission_and_their_403s() {
    let doc = document();
    for spec in table() {
        let what = format!("{} {}", spec.method, spec.path);
        let op = operation(&doc, &spec.method, spec.path);
        let forbidden = codes_of(&op, "403");
        match spec.access.permission() {
            Some(permission) => {
                assert_eq!(
                    op["security"][0]["bearerAuth"],
                    serde_json::json!([permission.as_str()]),
                    "{what}"
                );
                let description = op["description"].as_str().unwrap_or_default();
                assert!(description.contains(permission.as_str()), "{what}");
                assert!(
                    forbidden.iter().any(|c| c == "INSUFFICIENT_PERMISSIONS"),
                    "{what}: {forbidden:?}"
                );
            }
            None => assert!(
                !forbidden.iter().any(|c| c == "INSUFFICIENT_PERMISSIONS"),
                "{what}"
            ),
        }
        assert_eq!(
            forbidden.iter().any(|c| c == "IP_NOT_ALLOWED"),
            spec.access.admin_network(),
            "{what}"
        );
    }
}

/// The admin operations document their query parameters, their 404 and 409 answers, and sit
/// under the `admin` tag.
#[test]
fn admin_operations_document_their_parameters_and_answers() {
    let doc = document();
    let parameters = |method: &Method, path: &str| -> Vec<String> {
        operation(&doc, method, path)["parameters"]
            .as_array()
            .map(|ps| {
                ps.iter()
                    .filter_map(|p| p["name"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(
        parameters(&Method::GET, "/v1/admin/users"),
        ["page", "limit", "status", "search", "role", "sort"]
    );
    assert_eq!(
        parameters(&Method::GET, "/v1/admin/audit-events"),
        ["userId", "type", "from", "to", "page", "limit"]
    );
    assert_eq!(
        parameters(&Method::GET, "/v1/users/me/activity"),
        ["page", "limit"]
    );
    let admin: Vec<_> = table()
        .into_iter()
        .filter(|s| s.path.starts_with("/v1/admin/"))
        .collect();
    assert_eq!(admin.len(), 7);
    for spec in &admin {
        let op = operation(&doc, &spec.method, spec.path);
        assert_eq!(op["tags"][0], "admin", "{}", spec.path);
        assert!(
            codes_of(&op, "400").contains(&"VALIDATION_ERROR".to_owned()),
            "{}",
            spec.path
        );
        if spec.path.contains("{userId}") {
            assert_eq!(parameters(&spec.method, spec.path), ["userId"]);
            assert_eq!(codes_of(&op, "404"), ["USER_NOT_FOUND"], "{}", spec.path);
        }
    }
    let update = operation(&doc, &Method::PUT, "/v1/admin/users/{userId}");
    assert_eq!(codes_of(&update, "409"), ["ACCOUNT_DELETED", "LAST_ADMIN"]);
    let reset = operation(
        &doc,
        &Method::POST,
        "/v1/admin/users/{userId}/password-reset",
    );
    assert_eq!(
        codes_of(&reset, "409"),
        ["ACCOUNT_DELETED", "ACCOUNT_SUSPENDED"]
    );
    let list = &operation(&doc, &Method::GET, "/v1/admin/users")["responses"]["200"];
    let example = &list["content"]["application/json"]["example"]["data"];
    assert_eq!(example["pagination"]["pages"], 8);
    let schemas = &doc["components"]["schemas"];
    for field in [
        "failedLoginAttempts",
        "mfaEnabled",
        "activeSessions",
        "accountLockedUntil",
    ] {
        assert!(
            schemas["AdminUserDetail"]["properties"][field].is_object(),
            "{field}"
        );
    }
    assert!(schemas["SessionData"]["properties"]["location"].is_object());
}
