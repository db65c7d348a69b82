//! Seeding the embedded default (in-memory storage) the way a user would: register, follow the
//! link of the verification email the file transport writes to `MAIL_DIR`, log in. Every
//! register and login costs a bcrypt hash at cost 12, so only a few accounts are made.

use super::{Account, PASSWORD};
use crate::error::BenchError;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

/// How long the mail worker may take to write the verification emails.
const MAIL_WAIT: Duration = Duration::from_secs(30);

/// Registers `users` accounts, verifies them all, and logs each in `logins_per_user` times
/// (each login is a session of its own); returns one [`Account`] per login.
///
/// # Errors
/// Any step answers something else than success, or the emails do not arrive.
pub async fn register_and_log_in(
    base_url: &str,
    mail_dir: &Path,
    users: usize,
    logins_per_user: usize,
) -> Result<Vec<Account>, BenchError> {
    let client = goose_reqwest::Client::new();
    let emails: Vec<String> = (0..users)
        .map(|i| format!("embedded{i:03}@example.com"))
        .collect();
    let mut calls = JoinSet::new();
    for (i, email) in emails.iter().enumerate() {
        let body = json!({
            "email": email, "username": format!("embedded{i:03}"), "password": PASSWORD,
            "firstName": "Bench", "lastName": "User",
        });
        calls.spawn(post(
            client.clone(),
            format!("{base_url}/v1/auth/register"),
            body,
        ));
    }
    drain(calls).await?;

    let mut calls = JoinSet::new();
    for token in verification_tokens(mail_dir, users).await? {
        let url = format!("{base_url}/v1/auth/verify-email");
        calls.spawn(post(client.clone(), url, json!({ "token": token })));
    }
    drain(calls).await?;

    let mut calls = JoinSet::new();
    for email in emails.iter().cycle().take(users * logins_per_user) {
        let body = json!({ "email": email, "password": PASSWORD, "rememberMe": true });
        let (client, url) = (client.clone(), format!("{base_url}/v1/auth/login"));
        let email = email.clone();
        calls.spawn(async move {
            let data = post(client, url, body).await?;
            let text = |field: &str| {
                data["data"][field]
                    .as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| {
                        BenchError::setup(format!("the login answer has no data.{field}"))
                    })
            };
            Ok(Account {
                access_token: text("accessToken")?,
                refresh_token: text("refreshToken")?,
                email,
            })
        });
    }
    drain(calls).await
}

async fn post(
    client: goose_reqwest::Client,
    url: String,
    body: Value,
) -> Result<Value, BenchError> {
    let response = client.post(&url).json(&body).send().await?;
    let status = response.status();
    let answer: Value = response.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        return Err(BenchError::setup(format!(
            "{url} answered {status}: {}",
            answer["error"]["code"]
        )));
    }
    Ok(answer)
}

async fn drain<T: 'static>(
    mut calls: JoinSet<Result<T, BenchError>>,
) -> Result<Vec<T>, BenchError> {
    let mut done = Vec::with_capacity(calls.len());
    while let Some(joined) = calls.join_next().await {
        done.push(joined.map_err(|e| BenchError::setup(format!("a seeding task: {e}")))??);
    }
    Ok(done)
}

/// The distinct `token=` values of the emails in `dir`, once there are `expected` of them.
async fn verification_tokens(dir: &Path, expected: usize) -> Result<Vec<String>, BenchError> {
    let deadline = Instant::now() + MAIL_WAIT;
    loop {
        let tokens = tokens_in(dir)?;
        if tokens.len() >= expected {
            return Ok(tokens.into_iter().collect());
        }
        if Instant::now() > deadline {
            return Err(BenchError::setup(format!(
                "{} verification emails of {expected} arrived in {}",
                tokens.len(),
                dir.display()
            )));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn tokens_in(dir: &Path) -> Result<BTreeSet<String>, BenchError> {
    let mut tokens = BTreeSet::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(tokens),
        Err(e) => return Err(BenchError::io(dir)(e)),
    };
    for entry in entries.flatten() {
        let Ok(text) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        tokens.extend(link_tokens(&text));
    }
    Ok(tokens)
}

/// Every `token=<base64url>` in `text` (the plain-text and HTML parts hold the same link).
fn link_tokens(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split("token=").skip(1).filter_map(|rest| {
        let token: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        (token.len() >= 32).then_some(token)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_token_is_found_in_both_parts_of_an_email() {
        let token = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcde";
        let email = format!(
            "Subject: Verify\r\n\r\nOpen http://x/verify-email?token={token}\r\n\
             <a href=\"http://x/verify-email?token={token}\">verify</a>"
        );
        let found: BTreeSet<String> = link_tokens(&email).collect();
        assert_eq!(found, BTreeSet::from([token.to_owned()]));
    }
}
