//! What the document says of the CheckInn dialect: its operations under their own tag, its
//! envelope, and its examples as the server writes them.

use super::{document, operation};
use crate::checkinn::envelope::{AUTH_REQUIRED, LOCKED};
use crate::routes::{Features, openapi_of};
use actix_web::http::Method;
use serde_json::Value;

fn example(doc: &Value, method: &Method, path: &str, status: &str) -> Value {
    operation(doc, method, path)["responses"][status]["content"]["application/json"]["example"]
        .clone()
}

#[test]
fn the_checkinn_operations_are_tagged_and_answer_its_envelope() {
    let doc = document();
    let paths: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
    let ours: Vec<_> = paths
        .iter()
        .filter(|p| p.starts_with("/api/auth/"))
        .collect();
    assert_eq!(ours.len(), 12, "{ours:?}");
    for path in ours {
        for (method, op) in doc["paths"][path.as_str()].as_object().unwrap() {
            assert_eq!(
                op["tags"],
                serde_json::json!(["checkinn"]),
                "{method} {path}"
            );
        }
    }
    let me_401 = example(&doc, &Method::GET, "/api/auth/me", "401");
    assert_eq!(me_401["success"], false);
    assert_eq!(me_401["message"], AUTH_REQUIRED);
    assert!(me_401["code"].is_string());
    let locked = example(&doc, &Method::POST, "/api/auth/login", "423");
    assert_eq!(locked["message"], LOCKED);
    let invalid = example(&doc, &Method::POST, "/api/auth/register", "400");
    assert_eq!(invalid["message"], "Registration validation failed");
    let envelope = &doc["components"]["schemas"]["CheckInnError"];
    for field in ["success", "message", "code", "errors"] {
        assert!(envelope["properties"][field].is_object(), "{field}");
    }
}

#[test]
fn the_documents_bodies_are_the_examples() {
    let doc = document();
    let schemas = &doc["components"]["schemas"];
    let register = &schemas["CheckInnRegisterRequest"];
    assert_eq!(register["example"]["phone"], "0987654321");
    assert_eq!(
        register["required"],
        serde_json::json!(["name", "email", "password"])
    );
    let login = operation(&doc, &Method::POST, "/api/auth/login");
    let ok = &login["responses"]["200"]["content"]["application/json"];
    assert_eq!(
        ok["schema"]["$ref"],
        "#/components/schemas/CheckInnAuthAnswer"
    );
    let refresh = &schemas["CheckInnRefreshAnswer"]["example"];
    assert_eq!(refresh["token"], refresh["data"]["token"]);
    assert!(
        doc["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == "checkinn")
    );
}

#[test]
fn without_the_dialect_neither_its_routes_nor_its_envelope_are_documented() {
    let without = serde_json::to_value(openapi_of(Features {
        checkinn: false,
        ..Features::ALL
    }))
    .unwrap();
    let paths: Vec<&String> = without["paths"].as_object().unwrap().keys().collect();
    assert!(!paths.iter().any(|p| p.starts_with("/api/")), "{paths:?}");
    assert!(without["components"]["schemas"]["CheckInnError"].is_null());
    assert!(paths.iter().any(|p| *p == "/v1/auth/login"));
}
