//! Headless Chromium for end-to-end tests of pages: Debian's `chromium` and `chromium-driver`
//! (installed with apt-get when missing, as root), one chromedriver per [`Browser`], driven over
//! WebDriver with fantoccini. The helpers wait for what a user would see (a selector, a text),
//! read the browser's console (so that a CSP violation or a script error fails a test) and its
//! network log (the status of a request the page itself cannot read, such as a refused CORS
//! request), and take a screenshot into `target/browser/` when a wait times out. The browsers of
//! one test process take turns (one at a time), and a wait lasts 15 s unless
//! `AUTHD_TEST_BROWSER_WAIT_SECS` says otherwise.
//!
//! [`StaticSite`] serves the pages themselves from a loopback port.

mod driver;
mod log;
mod static_site;

pub use log::{ConsoleEntry, NetworkResponse};
pub use static_site::{SiteFiles, StaticSite};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use tokio::sync::{Semaphore, SemaphorePermit};

/// How long a wait for the page lasts by default: generous, since two busy cores run the whole
/// suite.
const DEFAULT_WAIT: Duration = Duration::from_secs(15);

/// Raises (or lowers) that wait, in whole seconds, for a slower machine.
pub const WAIT_VARIABLE: &str = "AUTHD_TEST_BROWSER_WAIT_SECS";

/// One browser at a time in a test process: each is a chromedriver and a Chromium, heavy on two
/// cores that run the rest of the suite at the same time, and tests waiting for a turn cost
/// less than tests whose waits time out. Held by the [`Browser`] value until it is dropped.
static TURNS: Semaphore = Semaphore::const_new(1);

/// How long a wait for the page lasts: [`WAIT_VARIABLE`] or 15 s.
pub fn wait_limit() -> Duration {
    static WAIT: OnceLock<Duration> = OnceLock::new();
    *WAIT.get_or_init(|| match std::env::var(WAIT_VARIABLE) {
        Ok(secs) if !secs.trim().is_empty() => secs
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|s| *s > 0)
            .map(Duration::from_secs)
            .unwrap_or_else(|| {
                panic!("{WAIT_VARIABLE}={secs:?} is not a whole number of seconds above 0")
            }),
        _ => DEFAULT_WAIT,
    })
}

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

/// One headless Chromium with a fresh profile; closed (and its chromedriver killed) when dropped.
#[derive(Debug)]
pub struct Browser {
    client: Client,
    // Dropped after the client: the session goes first, then the processes, then the turn.
    _driver: driver::Driver,
    _turn: SemaphorePermit<'static>,
}

/// One cookie of the browser's store, as WebDriver reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCookie {
    pub name: String,
    pub value: String,
    pub path: Option<String>,
    pub http_only: bool,
}

impl Browser {
    /// Installs what is missing, waits for this process's other browser (if any) to close,
    /// starts chromedriver and a session of headless Chromium.
    pub async fn start() -> Self {
        let turn = TURNS
            .acquire()
            .await
            .unwrap_or_else(|e| panic!("the browsers' turns are closed: {e}"));
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
            _turn: turn,
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
        let deadline = Instant::now() + wait_limit();
        loop {
            if let Ok(element) = self.client.find(Locator::Css(selector)).await {
                return element;
            }
            if Instant::now() > deadline {
                self.fail(&format!(
                    "no element `{selector}` within {:?}",
                    wait_limit()
                ))
                .await;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the element `selector` shows a text containing `expected`.
    pub async fn wait_for_text(&self, selector: &str, expected: &str) -> String {
        let deadline = Instant::now() + wait_limit();
        loop {
            let text = self.text(selector).await;
            if text.as_deref().is_some_and(|t| t.contains(expected)) {
                return text.unwrap_or_default();
            }
            if Instant::now() > deadline {
                self.fail(&format!(
                    "`{selector}` did not show {expected:?} within {:?}; it shows {text:?}",
                    wait_limit()
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

    /// Every cookie the page at the current URL would get, `HttpOnly` ones included (WebDriver
    /// sees what scripts cannot).
    pub async fn cookies(&self) -> Vec<StoredCookie> {
        self.client
            .get_all_cookies()
            .await
            .unwrap_or_else(|e| panic!("could not read the cookies: {e}"))
            .into_iter()
            .map(|c| StoredCookie {
                name: c.name().to_owned(),
                value: c.value().to_owned(),
                path: c.path().map(str::to_owned),
                http_only: c.http_only().unwrap_or(false),
            })
            .collect()
    }

    /// Whether the element `selector` exists and is shown (not `hidden`, not inside a hidden
    /// element).
    pub async fn is_displayed(&self, selector: &str) -> bool {
        match self.client.find(Locator::Css(selector)).await {
            Ok(element) => element.is_displayed().await.unwrap_or(false),
            Err(_) => false,
        }
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
