//! Headless Chromium for end-to-end tests of pages: Debian's `chromium` and `chromium-driver`
//! (installed with apt-get when missing, as root), one chromedriver per [`Browser`], driven over
//! WebDriver with fantoccini. The helpers wait for what a user would see (a selector, a text),
//! read the browser's console (so that a CSP violation or a script error fails a test) and its
//! network log (the status of a request the page itself cannot read, such as a refused CORS
//! request), and take a screenshot into `target/browser/` when a wait times out.
//!
//! [`StaticSite`] serves the pages themselves from a loopback port.

mod driver;
mod static_site;

pub use static_site::{SiteFiles, StaticSite};

use fantoccini::elements::Element;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// How long a wait for the page lasts: generous, since two busy cores run the whole suite.
pub const WAIT: Duration = Duration::from_secs(15);

/// Flags for a headless Chromium on a closed network: without the networking ones it keeps
/// trying to reach Google's services, which are refused here, and everything slows down.
const CHROMIUM_FLAGS: [&str; 10] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1024,900",
];

/// Chrome's console line for an answer with a 4xx or 5xx status.
const HTTP_ERROR_STATUS: &str = "the server responded with a status of";

/// One headless Chromium with a fresh profile; closed (and its chromedriver killed) when dropped.
#[derive(Debug)]
pub struct Browser {
    client: Client,
    // Dropped after the client: the session goes first, then the processes.
    _driver: driver::Driver,
}

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
    pub url: String,
    pub status: u16,
}

impl Browser {
    /// Installs what is missing, starts chromedriver and a session of headless Chromium.
    pub async fn start() -> Self {
        let programs = tokio::task::spawn_blocking(driver::programs)
            .await
            .expect("finding or installing Chromium");
        let chromium = programs.chromium.clone();
        let driver = tokio::task::spawn_blocking(move || driver::Driver::start(&programs))
            .await
            .expect("starting chromedriver");
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|f| (*f).to_owned()).collect();
        args.push(format!(
            "--user-data-dir={}",
            driver.profile_dir().display()
        ));
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": chromium, "args": args },
            "goog:loggingPrefs": { "browser": "ALL", "performance": "ALL" },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!("a JSON object")
        };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&driver.url())
            .await
            .unwrap_or_else(|e| panic!("could not start a Chromium session: {e}"));
        Self {
            client,
            _driver: driver,
        }
    }

    pub async fn goto(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("could not open {url}: {e}"));
    }

    /// Reloads the page, as the user's F5 does.
    pub async fn reload(&self) {
        self.client
            .refresh()
            .await
            .unwrap_or_else(|e| panic!("could not reload: {e}"));
    }

    pub async fn current_url(&self) -> String {
        self.client
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_else(|e| panic!("no current URL: {e}"))
    }

    /// Waits for the element `selector` and returns it.
    pub async fn wait_for(&self, selector: &str) -> Element {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(element) = self.client.find(Locator::Css(selector)).await {
                return element;
            }
            if Instant::now() > deadline {
                self.fail(&format!("no element `{selector}` within {WAIT:?}"))
                    .await;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the element `selector` shows a text containing `expected`.
    pub async fn wait_for_text(&self, selector: &str, expected: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let text = self.text(selector).await;
            if text.as_deref().is_some_and(|t| t.contains(expected)) {
                return text.unwrap_or_default();
            }
            if Instant::now() > deadline {
                self.fail(&format!(
                    "`{selector}` did not show {expected:?} within {WAIT:?}; it shows {text:?}"
                ))
                .await;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The visible text of `selector`, if it exists.
    pub async fn text(&self, selector: &str) -> Option<String> {
        let element = self.client.find(Locator::Css(selector)).await.ok()?;
        element.text().await.ok()
    }

    /// Types `text` into the field `selector`, after clearing it.
    pub async fn fill(&self, selector: &str, text: &str) {
        let field = self.wait_for(selector).await;
        let typed = async {
            field.clear().await?;
            field.send_keys(text).await
        };
        if let Err(e) = typed.await {
            self.fail(&format!("could not type into `{selector}`: {e}"))
                .await;
        }
    }

    pub async fn click(&self, selector: &str) {
        let element = self.wait_for(selector).await;
        if let Err(e) = element.click().await {
            self.fail(&format!("could not click `{selector}`: {e}"))
                .await;
        }
    }

    /// Runs `script` (the body of a function; `arguments` holds `args`) in the page; a promise
    /// it returns is awaited.
    pub async fn execute(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("the script failed: {e}\n{script}"))
    }

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

    /// Fails unless the console logged no error (`SEVERE`: script errors, requests the browser
    /// refused, Content-Security-Policy violations) since the last look. Chrome's note of an
    /// answer with an error status ("the server responded with a status of 400") is not one:
    /// pages handle those answers themselves.
    pub async fn assert_no_console_errors(&self) {
        let errors: Vec<String> = self
            .console()
            .await
            .into_iter()
            .filter(|e| e.level == "SEVERE" && !e.message.contains(HTTP_ERROR_STATUS))
            .map(|e| e.message)
            .collect();
        if !errors.is_empty() {
            self.fail(&format!(
                "the console logged errors:\n{}",
                errors.join("\n")
            ))
            .await;
        }
    }

    /// The answers received since the last call (Chrome's `Network.responseReceived` events),
    /// with the method of their request (`OPTIONS` for a CORS preflight).
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
        events
            .iter()
            .filter(|e| e["method"] == "Network.responseReceived")
            .filter_map(|e| {
                let params = &e["params"];
                let response = &params["response"];
                let id = params["requestId"].as_str().unwrap_or_default();
                Some(NetworkResponse {
                    method: methods.get(id).copied().unwrap_or_default().to_owned(),
                    url: response["url"].as_str()?.to_owned(),
                    status: u16::try_from(response["status"].as_u64()?).ok()?,
                })
            })
            .collect()
    }

    /// Every cookie the page at the current URL would get, `HttpOnly` ones included (WebDriver
    /// sees what scripts cannot): `(name, value)`.
    pub async fn cookies(&self) -> Vec<(String, String)> {
        self.client
            .get_all_cookies()
            .await
            .unwrap_or_else(|e| panic!("could not read the cookies: {e}"))
            .into_iter()
            .map(|c| (c.name().to_owned(), c.value().to_owned()))
            .collect()
    }

    /// A PNG of the page, written to `target/browser/<name>.png`; returns the path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self
            .client
            .screenshot()
            .await
            .unwrap_or_else(|e| panic!("could not take a screenshot: {e}"));
        let dir = artifacts_dir();
        std::fs::create_dir_all(&dir)
            .unwrap_or_else(|e| panic!("could not create {}: {e}", dir.display()));
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png)
            .unwrap_or_else(|e| panic!("could not write {}: {e}", path.display()));
        path
    }

    /// Ends the session; dropping the browser kills it anyway.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }

    /// Panics with `problem`, the page's URL and text, and a screenshot of it.
    async fn fail(&self, problem: &str) -> ! {
        let url = self.client.current_url().await.map(|u| u.to_string());
        let body = self.text("body").await.unwrap_or_default();
        let shot = format!("failure-{}", uuid::Uuid::new_v4().simple());
        let picture = match self.client.screenshot().await {
            Ok(png) => {
                let path = artifacts_dir().join(format!("{shot}.png"));
                let _ = std::fs::create_dir_all(artifacts_dir());
                std::fs::write(&path, png).map_or_else(
                    |e| format!("(not written: {e})"),
                    |()| path.display().to_string(),
                )
            }
            Err(e) => format!("(none: {e})"),
        };
        panic!("{problem}\npage: {url:?}\nscreenshot: {picture}\npage text:\n{body}");
    }

    async fn log(&self, kind: &'static str) -> Vec<Value> {
        match self.client.issue_cmd(GetLog(kind)).await {
            Ok(Value::Array(entries)) => entries,
            Ok(other) => panic!("chromedriver's {kind} log is not a list: {other}"),
            Err(e) => panic!("could not read the {kind} log: {e}"),
        }
    }
}

/// `target/browser` of the workspace (or of `CARGO_TARGET_DIR`).
fn artifacts_dir() -> PathBuf {
    let workspace = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .map_or_else(|| PathBuf::from("."), PathBuf::from);
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| workspace.join("target"), PathBuf::from)
        .join("browser")
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
