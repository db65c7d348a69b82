//! The Perfect21 `AuthClient` where its code misbehaves, seen in a real browser
//! (docs/frontend.md lists these quirks; the class stays unchanged).
//!
//! `request()` answers a 401 by calling `refreshToken()` while it still holds the old access
//! token, and `refreshToken()` goes through `request()` itself: when the refresh is refused with
//! a 401 too, it refreshes again, and would again and again while the answers stay 401. authd
//! clears the refresh cookie with that 401, so the second attempt carries no cookie, answers 400
//! `MISSING_REFRESH_TOKEN`, and the recursion unwinds: two refreshes, then the page learns that
//! the user is signed out. authd's own request count (`/metrics`) proves there were no more.

use super::sign_in;
use crate::helpers::{ExamplePage, TestApp};
use authd_testkit::browser::Browser;
use serde_json::json;

#[tokio::test]
async fn a_refused_refresh_is_retried_once_then_the_cleared_cookie_ends_the_loop() {
    let page = ExamplePage::start().await;
    let user = page.verified_user().await;
    let browser = Browser::start().await;
    browser.goto(&page.url()).await;
    browser.wait_for("#message[data-state='signed-out']").await;
    sign_in(&browser, &user).await;
    browser.wait_for("#message[data-state='signed-in']").await;

    // Signed out of every device elsewhere: the page's access token and cookie are both dead.
    let elsewhere = page.app.login(&user).await;
    page.app
        .logout(&elsewhere.access_token, &json!({"logoutAllDevices": true}))
        .await
        .ok(200);

    browser.responses().await; // only what the click sets off
    let before = refreshes_answered(&page.app).await;
    count_requests_in_flight(&browser).await;
    browser.click("#reload-profile").await;
    browser.wait_for("#message[data-state='error']").await;

    // Settled: the page shows the error and has no request in flight, so every refresh it
    // sent has been answered, and authd's own count is final; a third refresh, late in the
    // chain or sent on the side, would be in it, however late the browser's log reports it.
    browser.wait_for("body[data-in-flight='0']").await;
    let after = refreshes_answered(&page.app).await;
    assert_eq!(
        (after.0 - before.0, after.1 - before.1, after.2 - before.2),
        (1.0, 1.0, 2.0),
        "authd answered one refresh 401 (cookie cleared), one 400 (no cookie), nothing else"
    );
    let refreshes: Vec<u16> = browser
        .responses()
        .await
        .into_iter()
        .filter(|r| r.method == "POST" && r.url.ends_with("/v1/auth/refresh"))
        .map(|r| r.status)
        .collect();
    assert_eq!(
        refreshes,
        [401, 400],
        "the refused refresh (401, cookie cleared) is retried once, without the cookie (400)"
    );
    browser.wait_for_text("#message", "TOKEN_REVOKED").await;
    assert!(
        browser.is_displayed("#login-form").await && !browser.is_displayed("#signed-in").await,
        "the page shows the user signed out"
    );
    browser.close().await;
}

/// Wraps the page's `fetch` so that `<body data-in-flight>` says how many of its requests
/// await their answer (the AuthClient looks `fetch` up at each call).
async fn count_requests_in_flight(browser: &Browser) {
    browser
        .execute(
            "const send = window.fetch; let inFlight = 0; \
             const note = () => { document.body.dataset.inFlight = String(inFlight); }; \
             note(); \
             window.fetch = (...args) => { inFlight += 1; note(); \
               return send(...args).finally(() => { inFlight -= 1; note(); }); };",
            vec![],
        )
        .await;
}

/// authd's count of `POST /v1/auth/refresh` answers so far: (401, 400, all of them).
async fn refreshes_answered(app: &TestApp) -> (f64, f64, f64) {
    const SERIES: &str =
        "authd_http_requests_total{route=\"/v1/auth/refresh\",method=\"POST\",status=\"";
    let scrape = app.scrape().await;
    let answered = |status: &str| scrape.value(&format!("{SERIES}{status}\"}}"));
    let all = scrape
        .text
        .lines()
        .filter_map(|line| line.strip_prefix(SERIES)?.split_once(' '))
        .map(|(_, value)| value.trim().parse::<f64>().expect("a sample's value"))
        .sum();
    (answered("401"), answered("400"), all)
}
