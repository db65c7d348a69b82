//! The document against the route table it is built from.

use crate::error::ApiError;
use crate::middleware::rate_limit::Limit;
use crate::routes::{documented, openapi, table};
use actix_web::http::Method;
use serde_json::Value;
use std::collections::BTreeSet;

mod access;
mod checkinn;

fn document() -> Value {
    serde_json::to_value(openapi()).unwrap()
}

/// Every operation of the document: (method in capitals, path, operation).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            ops.push((method.to_uppercase(), path.clone(), op.clone()));
        }
    }
    ops
}

fn operation(doc: &Value, method: &Method, path: &str) -> Value {
    doc["paths"][path][method.as_str().to_lowercase()].clone()
}

/// The path of a table entry as OpenAPI writes it: actix's `{name}` is OpenAPI's too.
#[test]
fn each_handler_documents_the_method_and_path_of_its_table_entry() {
    for (spec, doc) in documented(crate::routes::Features::ALL) {
        assert_eq!((doc.path)(), spec.path, "{} {}", spec.method, spec.path);
        let methods: Vec<String> = (doc.methods)()
            .iter()
            .map(|m| {
                serde_json::to_value(m)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_uppercase()
            })
            .collect();
        assert_eq!(methods, vec![spec.method.to_string()], "{}", spec.path);
    }
}

/// The server answers each entry's method and, for a `GET`, `HEAD` too; nothing else.
#[test]
fn the_document_has_exactly_the_operations_the_server_answers() {
    let documented: BTreeSet<(String, String)> = operations(&document())
        .into_iter()
        .map(|(m, p, _)| (m, p))
        .collect();
    let mut served = BTreeSet::new();
    for spec in table() {
        served.insert((spec.method.to_string(), spec.path.to_owned()));
        if spec.method == Method::GET {
            served.insert(("HEAD".to_owned(), spec.path.to_owned()));
        }
    }
    assert_eq!(documented, served);
}

/// Unique ids, and a tag the viewer groups the operation under.
#[test]
fn every_operation_has_a_unique_operation_id_and_a_declared_tag() {
    let doc = document();
    let declared: Vec<&Value> = doc["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| &t["name"])
        .collect();
    let mut seen = BTreeSet::new();
    for (method, path, op) in operations(&doc) {
        let tags = op["tags"]
            .as_array()
            .unwrap_or_else(|| panic!("{method} {path} has no tag"));
        assert_eq!(tags.len(), 1, "{method} {path}");
        assert!(declared.contains(&&tags[0]), "{method} {path}: {}", tags[0]);
        let id = op["operationId"].as_str().unwrap_or_default().to_owned();
        assert!(!id.is_empty(), "{method} {path} has no operationId");
        assert!(seen.insert(id.clone()), "{id} is used twice");
    }
}

/// Each error status lists the codes it can carry, and they are codes of that status.
#[test]
fn every_error_answer_is_the_envelope_with_its_codes() {
    let doc = document();
    for (method, path, op) in operations(&doc) {
        for (status, response) in op["responses"].as_object().unwrap() {
            if !(status.starts_with('4') || status.starts_with('5')) {
                continue;
            }
            // A `HEAD` answers the same statuses without a body; the health checks' 503 is
            // their report, not an error.
            if method == "HEAD" || path.starts_with("/v1/health") || path.starts_with("/health/") {
                continue;
            }
            let schema = &response["content"]["application/json"]["schema"];
            // Each dialect's envelope, with its code where that envelope has it.
            let (envelope, narrowed, example_code) = if crate::checkinn::serves(&path) {
                let narrowed = &schema["allOf"][1]["properties"]["code"];
                ("CheckInnError", narrowed, &["code"][..])
            } else {
                let narrowed = &schema["allOf"][1]["properties"]["error"]["properties"]["code"];
                ("ErrorEnvelope", narrowed, &["error", "code"][..])
            };
            assert_eq!(
                schema["allOf"][0]["$ref"],
                format!("#/components/schemas/{envelope}"),
                "{method} {path} {status}"
            );
            let codes = narrowed["enum"]
                .as_array()
                .unwrap_or_else(|| panic!("{method} {path} {status} lists no codes"));
            assert!(!codes.is_empty(), "{method} {path} {status}");
            let example = &response["content"]["application/json"]["example"];
            let example = example_code.iter().fold(example, |v, key| &v[*key]);
            assert_eq!(example, &codes[0], "{method} {path} {status}");
            for code in codes {
                let code = code.as_str().unwrap();
                let status: u16 = status.parse().unwrap();
                assert!(
                    ApiError::every_kind()
                        .iter()
                        .any(|e| e.code() == code && e.status().as_u16() == status),
                    "{method} {path}: no error answers {code} with {status}"
                );
            }
        }
    }
}

#[test]
fn routes_needing_a_token_and_only_they_require_the_bearer_token_and_document_its_401() {
    let doc = document();
    for spec in table() {
        let op = operation(&doc, &spec.method, spec.path);
        let security = op["security"].to_string();
        let bearer = spec.access.needs_token();
        assert_eq!(
            security.contains("bearerAuth"),
            bearer,
            "{} {}",
            spec.method,
            spec.path
        );
        if bearer {
            let codes = op["responses"]["401"]["content"]["application/json"]["schema"].to_string();
            for code in [
                "MISSING_AUTH_HEADER",
                "INVALID_AUTH_FORMAT",
                "INVALID_TOKEN",
                "TOKEN_EXPIRED",
                "TOKEN_REVOKED",
            ] {
                assert!(
                    codes.contains(code),
                    "{} {} lacks {code}",
                    spec.method,
                    spec.path
                );
            }
        }
    }
    assert!(doc["components"]["securitySchemes"]["bearerAuth"].is_object());
    let cookie = &doc["components"]["securitySchemes"]["refreshCookie"];
    assert_eq!(cookie["in"], "cookie");
    assert_eq!(cookie["name"], "refresh_token");
}

#[test]
fn limited_routes_and_only_they_document_the_429_and_the_rate_limit_headers() {
    let doc = document();
    for spec in table() {
        let op = operation(&doc, &spec.method, spec.path);
        let limited = spec.limit != Limit::Exempt;
        let what = format!("{} {}", spec.method, spec.path);
        assert_eq!(op["responses"]["429"].is_object(), limited, "{what}");
        for (status, response) in op["responses"].as_object().unwrap() {
            let headers = &response["headers"];
            assert_eq!(
                headers["X-RateLimit-Limit"].is_object(),
                limited,
                "{what} {status}"
            );
            assert!(headers["X-Request-Id"].is_object(), "{what} {status}");
        }
        if limited {
            let too_many = &op["responses"]["429"];
            assert!(too_many["headers"]["Retry-After"].is_object(), "{what}");
            assert!(
                too_many["content"]
                    .to_string()
                    .contains("RATE_LIMIT_EXCEEDED"),
                "{what}"
            );
        }
    }
}

#[test]
fn a_head_is_its_get_without_bodies() {
    let doc = document();
    for spec in table().into_iter().filter(|s| s.method == Method::GET) {
        let get = operation(&doc, &Method::GET, spec.path);
        let head = operation(&doc, &Method::HEAD, spec.path);
        assert_eq!(
            head["operationId"].as_str().unwrap(),
            format!("{}Head", get["operationId"].as_str().unwrap())
        );
        let statuses = |op: &Value| {
            op["responses"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect::<Vec<_>>()
        };
        assert_eq!(statuses(&head), statuses(&get), "{}", spec.path);
        for response in head["responses"].as_object().unwrap().values() {
            assert!(response["content"].is_null(), "{}", spec.path);
        }
    }
}

/// The bodies of the Perfect21 document are the examples, so the viewer shows the contract.
#[test]
fn the_perfect21_examples_are_in_the_document() {
    let doc = document();
    let login = operation(&doc, &Method::POST, "/v1/auth/login");
    let ok = &login["responses"]["200"]["content"]["application/json"]["example"];
    assert_eq!(ok["data"]["user"]["username"], "johndoe");
    assert_eq!(ok["data"]["tokenType"], "Bearer");
    let request = &doc["components"]["schemas"]["RegisterRequest"]["example"];
    assert_eq!(request["password"], "SecurePass123!");
    let health = &doc["components"]["schemas"]["Report"]["example"];
    assert_eq!(health["services"]["database"], "healthy");
}

/// Bodies are camelCase as served, required fields as the extractors require them.
#[test]
fn request_and_response_fields_are_camel_case_as_served() {
    let doc = document();
    let schemas = &doc["components"]["schemas"];
    let register = &schemas["RegisterRequest"];
    assert!(register["properties"]["firstName"].is_object());
    assert_eq!(
        register["required"],
        serde_json::json!(["email", "username", "password"])
    );
    let profile = &schemas["ProfileData"]["properties"];
    for field in [
        "emailVerified",
        "phoneVerified",
        "lastLogin",
        "createdAt",
        "updatedAt",
    ] {
        assert!(profile[field].is_object(), "{field}");
    }
    assert_eq!(
        schemas["LoginRequest"]["required"],
        serde_json::json!(["password"]),
        "login answers MISSING_CREDENTIALS itself for the email or username"
    );
    assert!(schemas["SessionData"]["properties"]["isCurrent"].is_object());
}

/// Every account and session operation reads or writes storage, which may be down.
#[test]
fn every_operation_on_accounts_documents_storage_being_down() {
    let doc = document();
    for (method, path, op) in operations(&doc) {
        let tag = op["tags"][0].as_str().unwrap_or_default();
        if method == "HEAD" || !["auth", "users", "checkinn", "admin"].contains(&tag) {
            continue;
        }
        let unavailable = op["responses"]["503"]["content"].to_string();
        assert!(
            unavailable.contains("SERVICE_UNAVAILABLE"),
            "{method} {path}"
        );
    }
}

/// The MFA routes document the codes their errors answer, and only a server with MFA on
/// documents them at all.
#[test]
fn mfa_operations_document_their_codes_and_vanish_without_mfa() {
    let doc = document();
    let codes = |method: &Method, path: &str, status: &str| {
        operation(&doc, method, path)["responses"][status]["content"]["application/json"]["schema"]
            .to_string()
    };
    let verify_401 = codes(&Method::POST, "/v1/auth/mfa/verify", "401");
    for code in [
        "INVALID_MFA_CODE",
        "MFA_BACKUP_CODE_USED",
        "INVALID_MFA_TOKEN",
    ] {
        assert!(verify_401.contains(code), "{code}: {verify_401}");
    }
    assert!(codes(&Method::POST, "/v1/auth/mfa/setup", "409").contains("MFA_ALREADY_ENABLED"));
    assert!(codes(&Method::POST, "/v1/auth/mfa/setup", "400").contains("MFA_METHOD_UNAVAILABLE"));
    assert!(
        codes(&Method::DELETE, "/v1/auth/mfa/devices/{id}", "404").contains("DEVICE_NOT_FOUND")
    );
    assert!(codes(&Method::POST, "/v1/auth/login", "401").contains("MFA_REQUIRED"));
    assert!(doc["components"]["schemas"]["ErrorEnvelope"]["properties"]["data"].is_object());

    let without = serde_json::to_value(crate::routes::openapi_of(crate::routes::Features {
        mfa: false,
        ..crate::routes::Features::ALL
    }))
    .unwrap();
    let paths: Vec<&String> = without["paths"].as_object().unwrap().keys().collect();
    assert!(!paths.iter().any(|p| p.contains("/mfa")), "{paths:?}");
    assert!(paths.iter().any(|p| *p == "/v1/auth/login"));
}
