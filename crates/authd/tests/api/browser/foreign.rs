//! A page from an origin `ALLOWED_ORIGINS` does not list, open in the same browser while the
//! user is signed in on the example page. First on another port of 127.0.0.1: another origin
//! but the SAME site (SameSite ignores ports), so the browser does send it the user's
//! `SameSite=Strict` refresh cookie, and only authd's CORS and CSRF rules stand in its way.
//! Then on `localhost`, another site, where the browser keeps the cookie to itself.
//!
//! The page tries what a hostile page would: the AuthClient's own kind of request (JSON, with
//! credentials: a preflight), a simple POST to refresh, and `no-cors` POSTs to refresh (the
//! classic CSRF, whose answer the page never sees), without a body and with a text/plain one.
//! It reads no answer, and from the outside: authd refused every refresh (statuses from the
//! browser's network log), the cookie the browser holds is the one it held before (nothing was
//! rotated), and the example page still restores its session with it (nothing was consumed).

use super::sign_in;
use crate::helpers::{ExamplePage, TestUser};
use authd_testkit::browser::{Browser, SiteFiles, StaticSite};

const FOREIGN_PAGE: &str = r#"<!doctype html>
<html><head><meta charset="utf-8"><title>Somewhere else</title>
<script src="/config.js"></script><script src="/foreign.js" defer></script></head>
<body><pre id="result"></pre></body></html>
"#;

/// Each attempt reports what the page could read: `read <status>` or the error it got.
const FOREIGN_SCRIPT: &str = r"
const api = window.AUTHD_API;
async function attempt(name, run) {
  try {
    const response = await run();
    return `${name}: read ${response.type} ${response.status} ${await response.text()}`;
  } catch (error) {
    return `${name}: ${error.name}`;
  }
}
(async () => {
  const results = [
    await attempt('login', () => fetch(api + '/auth/login', {
      method: 'POST', credentials: 'include',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(window.CREDENTIALS),
    })),
    await attempt('refresh', () => fetch(api + '/auth/refresh', {
      method: 'POST', credentials: 'include',
    })),
    await attempt('no-cors-refresh', () => fetch(api + '/auth/refresh', {
      method: 'POST', mode: 'no-cors', credentials: 'include',
    })),
    await attempt('no-cors-text-refresh', () => fetch(api + '/auth/refresh', {
      method: 'POST', mode: 'no-cors', credentials: 'include',
      headers: { 'Content-Type': 'text/plain' }, body: '{}',
    })),
  ];
  const out = document.getElementById('result');
  out.textContent = results.join('\n');
  out.dataset.done = 'true';
})();
";

#[tokio::test]
async fn a_page_from_an_origin_not_allowed_can_neither_read_answers_nor_refresh_with_the_cookie() {
    let page = ExamplePage::start().await;
    let user = page.verified_user().await;

    let browser = Browser::start().await;
    browser.goto(&page.url()).await;
    browser.wait_for("#message[data-state='signed-out']").await;
    sign_in(&browser, &user).await;
    browser.wait_for("#message[data-state='signed-in']").await;
    let cookie_before = refresh_cookie(&browser, &page).await;

    let foreign = foreign_site(&page, &user);
    // Same site (another port of 127.0.0.1): the cookie goes along, the CSRF rule refuses it.
    // The body-less no-cors refresh met the CSRF rule (403), the text/plain one the JSON-only
    // rule (415) before any cookie was looked at. (The CORS-mode refresh is not counted: whether
    // the browser logs an answer it withholds from the page is its own business; the page's
    // `TypeError` above says what matters.)
    let same_site = attack(&browser, &foreign.origin()).await;
    assert_eq!(
        same_site,
        [403, 415],
        "authd refused the same-site page's refreshes: 403 CSRF_FAILED, 415 for text/plain"
    );
    // Cross-site (`localhost` is another site than `127.0.0.1`): SameSite=Strict keeps the
    // cookie home, so authd sees no refresh token at all (400 MISSING_REFRESH_TOKEN).
    let cross_site = attack(&browser, &foreign.origin_on("localhost")).await;
    assert_eq!(
        cross_site,
        [400, 415],
        "the cross-site page's refreshes came without the cookie"
    );

    assert_eq!(
        refresh_cookie(&browser, &page).await,
        cookie_before,
        "no refresh went through: the browser still holds the same refresh token"
    );
    browser.goto(&page.url()).await;
    browser.wait_for("#message[data-state='restored']").await;
    browser.wait_for_text("#profile-email", &user.email).await;
    browser.close().await;
}

/// Opens the foreign page at `origin`, checks that it read no answer and that the browser
/// blamed CORS, and returns the statuses of the `no-cors` refreshes it sent (the requests whose
/// answers reach authd's logic whatever CORS says), from the network log.
async fn attack(browser: &Browser, origin: &str) -> Vec<u16> {
    browser.responses().await; // only this page's traffic from here on
    browser.console().await;
    browser.goto(&format!("{origin}/")).await;
    browser.wait_for("#result[data-done='true']").await;
    let results = browser.text("#result").await.unwrap_or_default();
    assert_eq!(
        results,
        "login: TypeError\nrefresh: TypeError\nno-cors-refresh: read opaque 0 \n\
         no-cors-text-refresh: read opaque 0 ",
        "the page at {origin} reads no answer of authd's"
    );
    let console: Vec<String> = browser
        .console()
        .await
        .into_iter()
        .map(|e| e.message)
        .collect();
    assert!(
        console.iter().any(|m| m.contains("CORS policy")),
        "the browser blocked the answers for want of CORS headers: {console:#?}"
    );
    browser
        .responses()
        .await
        .into_iter()
        .filter(|r| r.url.ends_with("/v1/auth/refresh") && r.mode == "no-cors")
        .map(|r| r.status)
        .collect()
}

/// The foreign page, on a port of its own; its `config.js` names authd and the user's
/// credentials, as a phishing page would know them.
fn foreign_site(page: &ExamplePage, user: &TestUser) -> StaticSite {
    let config = format!(
        "window.AUTHD_API = '{}/v1';\nwindow.CREDENTIALS = {};\n",
        page.app.address,
        user.credentials()
    );
    StaticSite::serve(
        SiteFiles::default()
            .with("/index.html", FOREIGN_PAGE)
            .with("/foreign.js", FOREIGN_SCRIPT)
            .with("/config.js", config),
    )
}

/// The `refresh_token` cookie the browser holds for authd, read by WebDriver (the page's scripts
/// cannot: it is HttpOnly) on a page of authd's under the cookie's path `/v1/auth`.
async fn refresh_cookie(browser: &Browser, page: &ExamplePage) -> String {
    browser.goto(&page.app.url("/v1/auth/refresh")).await;
    let cookies = browser.cookies().await;
    cookies
        .into_iter()
        .find(|c| c.name == "refresh_token")
        .map(|c| c.value)
        .unwrap_or_else(|| panic!("the browser holds no refresh_token cookie for authd"))
}
