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
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let user_id = me.json::<serde_json::Value>().await.unwrap()["data"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(!user_id.is_empty());

    // The line is written after the response is sent: give it a moment.
    let mut line = None;
    for _ in 0..50 {
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

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("authd-logs-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
