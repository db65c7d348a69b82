//! What the log of a real `authd` process says about requests: one "request completed" line per
//! request, naming the signed-in user once.

use crate::helpers::{Child, PASSWORD};
use serde_json::json;
use std::collections::BTreeMap;

#[tokio::test]
async fn a_bearer_request_names_its_user_once_in_its_log_line() {
    let mail = tempfile_dir();
    let vars: BTreeMap<String, String> = [
        ("BCRYPT_ROUNDS", "4"),
        ("REQUIRE_EMAIL_VERIFICATION", "false"),
        ("RATE_LIMIT_ENABLED", "false"),
        ("LOG_LEVEL", "info"),
        ("MAIL_DIR", mail.to_str().unwrap_or_default()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let child = Child::spawn(vars).await;
    let base = format!("http://127.0.0.1:{}", child.port());
    let client = reqwest::Client::new();
    let user_id = sign_in_and_read_me(&base, &client, "me-pretty").await;

    // The line is written after the response is sent: give it a moment.
    let mut line = None;
    for _ in 0..250 {
        line = child
            .output()
            .lines()
            .find(|l| l.contains("request completed") && l.contains("/v1/users/me"))
            .map(str::to_owned);
        if line.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let line = line.unwrap_or_else(|| panic!("no request line for /me in:\n{}", child.output()));
    assert_eq!(line.matches("user_id").count(), 1, "{line}");
    assert_eq!(line.matches(user_id.as_str()).count(), 1, "{line}");
    let _ = std::fs::remove_dir_all(mail);
}

/// Registers and signs in an account, then reads `/me` with `request_id` as its request id;
/// returns the account's id.
async fn sign_in_and_read_me(base: &str, client: &reqwest::Client, request_id: &str) -> String {
    let account = json!({"email": "ada@example.com", "username": "ada", "password": PASSWORD});
    let registered = client
        .post(format!("{base}/v1/auth/register"))
        .json(&account)
        .send()
        .await
        .unwrap();
    assert_eq!(registered.status(), 201);
    let login: serde_json::Value = client
        .post(format!("{base}/v1/auth/login"))
        .json(&json!({"email": "ada@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access = login["data"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("no access token in {login}"))
        .to_owned();
    let me = client
        .get(format!("{base}/v1/users/me"))
        .bearer_auth(&access)
        .header("x-request-id", request_id)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let user_id = me.json::<serde_json::Value>().await.unwrap()["data"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(!user_id.is_empty());
    user_id
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("authd-logs-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// With `LOG_FORMAT=json`, each line names its request and its trace at the top level: the
/// caller's trace when it sent a valid `traceparent`, a fresh one otherwise.
#[tokio::test]
async fn json_lines_carry_the_request_id_and_the_callers_trace_id() {
    const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
    let mail = tempfile_dir();
    let vars: BTreeMap<String, String> = [
        ("LOG_FORMAT", "json"),
        ("BCRYPT_ROUNDS", "4"),
        ("REQUIRE_EMAIL_VERIFICATION", "false"),
        ("RATE_LIMIT_ENABLED", "false"),
        ("LOG_LEVEL", "info"),
        ("MAIL_DIR", mail.to_str().unwrap_or_default()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let child = Child::spawn(vars).await;
    let base = format!("http://127.0.0.1:{}", child.port());
    let client = reqwest::Client::new();

    let joined = client
        .get(format!("{base}/health/live"))
        .header("traceparent", format!("00-{TRACE}-00f067aa0ba902b7-01"))
        .header("x-request-id", "joined-1")
        .send()
        .await
        .unwrap();
    let answered = joined.headers()["traceresponse"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(answered.starts_with(&format!("00-{TRACE}-")), "{answered}");
    assert!(answered.ends_with("-01") && !answered.contains("00f067aa0ba902b7"));
    client
        .get(format!("{base}/health/live"))
        .header("traceparent", "00-not-a-trace-01")
        .header("x-request-id", "fresh-1")
        .send()
        .await
        .unwrap();

    let joined = request_line(&child, "joined-1").await;
    assert_eq!(joined["trace_id"], TRACE, "{joined}");
    assert_eq!(joined["parent_span_id"], "00f067aa0ba902b7", "{joined}");
    assert_eq!(joined["message"], "request completed", "{joined}");
    assert!(
        joined.get("span").is_none(),
        "no nested copy of the span: {joined}"
    );
    let user_id = sign_in_and_read_me(&base, &client, "me-json").await;
    let me = request_line(&child, "me-json").await;
    assert_eq!(me["user_id"], user_id.as_str(), "{me}");
    assert_eq!(me.to_string().matches("user_id").count(), 1, "{me}");
    let fresh = request_line(&child, "fresh-1").await;
    let trace = fresh["trace_id"].as_str().unwrap_or_default();
    assert!(
        trace.len() == 32 && trace.bytes().all(|b| b.is_ascii_hexdigit()) && trace != TRACE,
        "{fresh}"
    );
    let _ = std::fs::remove_dir_all(mail);
}

/// The JSON line whose top-level `request_id` is `id` (written just after the answer).
async fn request_line(child: &Child, id: &str) -> serde_json::Value {
    for _ in 0..250 {
        let found = child.output().lines().find_map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).ok()?;
            (value["request_id"] == id).then_some(value)
        });
        if let Some(line) = found {
            return line;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("no JSON line with request_id {id} in:\n{}", child.output());
}
