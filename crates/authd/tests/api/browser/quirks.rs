//! The Perfect21 `AuthClient` where its code misbehaves, seen in a real browser
//! (docs/frontend.md lists these quirks; the class stays unchanged).
//!
//! `request()` answers a 401 by calling `refreshToken()` while it still holds the old access
//! token, and `refreshToken()` goes through `request()` itself: when the refresh is refused with
//! a 401 too, it refreshes again, and would again and again while the answers stay 401. authd
//! clears the refresh cookie with that 401, so the second attempt carries no cookie, answers 400
//! `MISSING_REFRESH_TOKEN`, and the recursion unwinds: two refreshes, then the page learns that
//! the user is signed out.

use super::sign_in;
use crate::helpers::ExamplePage;
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
    browser.click("#reload-profile").await;
    browser.wait_for("#message[data-state='error']").await;

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
        browser
            .text("#signed-in")
            .await
            .unwrap_or_default()
            .is_empty(),
        "the page shows the user signed out"
    );
    // Nothing more follows: the loop is over, not merely slowed down.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let later = browser.responses().await;
    assert!(
        later.iter().all(|r| !r.url.ends_with("/v1/auth/refresh")),
        "no refresh after the loop ended: {later:?}"
    );
    browser.close().await;
}
