//! The garbage table: per route, every malformed body, spoiled field and hostile token.

use reqwest::Method;
use serde_json::{Value, json};

/// One route, with a valid body to spoil field by field.
pub struct Route {
    pub method: Method,
    pub path: String,
    pub bearer: Option<String>,
    pub valid: Option<Value>,
    /// `(field, spoiler)` pairs that make a valid request on this route, so no garbage (`*`:
    /// any field): `null` means "absent" for an optional field or "clear" on `update-me`
    /// (`phone: null`), `delete-me` without a password is the document's contract, and
    /// `logout` revokes the bearer's session whatever string it names.
    pub lenient: &'static [(&'static str, &'static str)],
    /// Whether the route's body is optional (then an empty or unknown-only body is a valid
    /// request, not garbage).
    pub body_optional: bool,
}

/// A request that must be refused.
pub struct Case {
    pub label: String,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

pub fn raw(label: &str, content_type: &'static str, body: impl Into<Vec<u8>>) -> Case {
    Case {
        label: label.to_owned(),
        content_type,
        body: body.into(),
    }
}

pub const JSON: &str = "application/json";

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
    // A value of the right type is no garbage (`true` for a notification flag); an object where
    // an object belongs, with unknown keys only, is an empty update.
    (spoiler == "a boolean" && valid_leaf.is_boolean())
        || (spoiler == "a number" && valid_leaf.is_number())
        || (spoiler == "an object" && valid_leaf.is_object())
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

/// A body whose field `field` holds `raw` (bytes that need not be UTF-8 or valid JSON).
pub fn with_raw_field(field: &str, raw: &[u8]) -> Vec<u8> {
    let mut body = format!("{{\"{field}\": ").into_bytes();
    body.extend_from_slice(raw);
    body.push(b'}');
    body
}

pub fn cases(route: &Route) -> Vec<Case> {
    // Malformed values go into a field the route reads, where they cannot be skipped unread.
    let field = route
        .valid
        .as_ref()
        .and_then(|v| v.as_object()?.keys().next().cloned())
        .unwrap_or_else(|| "email".to_owned());
    let in_field = |label: &str, raw: &[u8]| Case {
        label: format!("{label} in `{field}`"),
        content_type: JSON,
        body: with_raw_field(&field, raw),
    };
    let mut cases = vec![
        raw("unterminated JSON", JSON, "{\"email\": "),
        raw("not JSON", JSON, "definitely not json"),
        raw("an array body", JSON, "[]"),
        raw("a null body", JSON, "null"),
        raw("a string body", JSON, "\"text\""),
        raw("a number body", JSON, "12"),
        raw(
            "10 000 nested arrays",
            JSON,
            format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)),
        ),
        in_field("a lone surrogate escape", br#""\uD800x""#),
        in_field("an invalid escape", br#""\x41\q""#),
        in_field("invalid UTF-8", b"\"\xff\xfe\xc3\x28@example.com\""),
        in_field("an overlong UTF-8 slash", b"\"\xc0\xaf\""),
        in_field(
            "10 000 nested objects",
            format!("{}1{}", "{\"a\":".repeat(10_000), "}".repeat(10_000)).as_bytes(),
        ),
    ];
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
pub fn hostile_bearers(victim: &str) -> Vec<(&'static str, String)> {
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
