//! What the browser logged: its console (script errors, Content-Security-Policy violations,
//! refused requests) and its network events (the status of an answer the page itself cannot
//! read), through chromedriver's log endpoint.

use super::Browser;
use fantoccini::wd::WebDriverCompatibleCommand;
use serde_json::{Value, json};
use std::collections::HashMap;

/// Chrome's console line for an answer with a 4xx or 5xx status.
const HTTP_ERROR_STATUS: &str = "the server responded with a status of";

/// One entry of the browser's console log.
#[derive(Debug, Clone)]
pub struct ConsoleEntry {
    /// `SEVERE`, `WARNING`, `INFO`, ...
    pub level: String,
    pub message: String,
}

/// One answer the browser received, from its network log.
#[derive(Debug, Clone)]
pub struct NetworkResponse {
    /// The request's method, when the log holds the request (it may have been read already).
    pub method: String,
    /// The request's mode as the browser sent it (`Sec-Fetch-Mode`: `cors`, `no-cors`,
    /// `navigate`, ...), empty when the log does not say.
    pub mode: String,
    pub url: String,
    pub status: u16,
}

impl Browser {
    /// The console entries logged since the last call (chromedriver hands each entry out once).
    pub async fn console(&self) -> Vec<ConsoleEntry> {
        self.log("browser")
            .await
            .iter()
            .map(|entry| ConsoleEntry {
                level: entry["level"].as_str().unwrap_or_default().to_owned(),
                message: entry["message"].as_str().unwrap_or_default().to_owned(),
            })
            .collect()
    }

    /// The console's errors (`SEVERE`) since the last look, answers with an error status
    /// included.
    pub async fn console_errors(&self) -> Vec<String> {
        self.console()
            .await
            .into_iter()
            .filter(|e| e.level == "SEVERE")
            .map(|e| e.message)
            .collect()
    }

    /// Fails unless the console logged no error (`SEVERE`: script errors, requests the browser
    /// refused, Content-Security-Policy violations) since the last look. Chrome's note of an
    /// answer with an error status ("the server responded with a status of 400") is not one:
    /// pages handle those answers themselves. [`Self::assert_console_clean`] counts them too.
    pub async fn assert_no_console_errors(&self) {
        let errors: Vec<String> = self
            .console_errors()
            .await
            .into_iter()
            .filter(|e| !e.contains(HTTP_ERROR_STATUS))
            .collect();
        self.fail_on_errors(&errors).await;
    }

    /// Fails unless the console logged no error at all since the last look, not even an answer
    /// with an error status (a missing `/favicon.ico` is one).
    pub async fn assert_console_clean(&self) {
        let errors = self.console_errors().await;
        self.fail_on_errors(&errors).await;
    }

    async fn fail_on_errors(&self, errors: &[String]) {
        if !errors.is_empty() {
            self.fail(&format!(
                "the console logged errors:\n{}",
                errors.join("\n")
            ))
            .await;
        }
    }

    /// The answers received since the last call (Chrome's `Network.responseReceived` events),
    /// with the method of their request (`OPTIONS` for a CORS preflight) and its mode.
    pub async fn responses(&self) -> Vec<NetworkResponse> {
        let events: Vec<Value> = self
            .log("performance")
            .await
            .iter()
            .filter_map(|entry| serde_json::from_str::<Value>(entry["message"].as_str()?).ok())
            .map(|m| m["message"].clone())
            .collect();
        let methods: HashMap<&str, &str> = events
            .iter()
            .filter(|e| e["method"] == "Network.requestWillBeSent")
            .filter_map(|e| {
                let params = &e["params"];
                Some((
                    params["requestId"].as_str()?,
                    params["request"]["method"].as_str()?,
                ))
            })
            .collect();
        // The headers the network stack added, `Sec-Fetch-Mode` among them, come in an event
        // of their own.
        let modes: HashMap<&str, &str> = events
            .iter()
            .filter(|e| e["method"] == "Network.requestWillBeSentExtraInfo")
            .filter_map(|e| {
                let params = &e["params"];
                let headers = params["headers"].as_object()?;
                let mode = headers
                    .iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case("sec-fetch-mode"))?
                    .1
                    .as_str()?;
                Some((params["requestId"].as_str()?, mode))
            })
            .collect();
        events
            .iter()
            .filter(|e| e["method"] == "Network.responseReceived")
            .filter_map(|e| {
                let params = &e["params"];
                let response = &params["response"];
                let id = params["requestId"].as_str().unwrap_or_default();
                Some(NetworkResponse {
                    method: methods.get(id).copied().unwrap_or_default().to_owned(),
                    mode: modes.get(id).copied().unwrap_or_default().to_owned(),
                    url: response["url"].as_str()?.to_owned(),
                    status: u16::try_from(response["status"].as_u64()?).ok()?,
                })
            })
            .collect()
    }

    async fn log(&self, kind: &'static str) -> Vec<Value> {
        match self.client.issue_cmd(GetLog(kind)).await {
            Ok(Value::Array(entries)) => entries,
            Ok(other) => panic!("chromedriver's {kind} log is not a list: {other}"),
            Err(e) => panic!("could not read the {kind} log: {e}"),
        }
    }
}

/// chromedriver's log endpoint (not part of W3C WebDriver, hence not in fantoccini).
#[derive(Debug)]
struct GetLog(&'static str);

impl WebDriverCompatibleCommand for GetLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({ "type": self.0 }).to_string()),
        )
    }
}
