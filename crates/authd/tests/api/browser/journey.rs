//! Register, open the mailed link, sign in, reload (the HttpOnly cookie restores the session),
//! sign out: every step through the page's forms, as a person would, with no console error
//! (a Content-Security-Policy violation would be one) on the way.

use super::sign_in;
use crate::helpers::{ExamplePage, TestUser};
use authd_testkit::browser::Browser;

#[tokio::test]
async fn the_example_page_takes_a_user_from_registration_to_sign_out() {
    let page = ExamplePage::start().await;
    let browser = Browser::start().await;
    let user = TestUser::random();

    browser.goto(&page.url()).await;
    browser.wait_for("#message[data-state='signed-out']").await;

    browser.fill("#register-email", &user.email).await;
    browser.fill("#register-username", &user.username).await;
    browser.fill("#register-password", &user.password).await;
    browser.fill("#register-first-name", "Ada").await;
    browser.fill("#register-last-name", "Lovelace").await;
    browser.click("#register").await;
    browser.wait_for("#message[data-state='registered']").await;

    // The AuthClient turns authd's error envelope into an AuthError with its code.
    sign_in(&browser, &user).await;
    browser
        .wait_for_text("#message", "EMAIL_NOT_VERIFIED")
        .await;

    // The verify view spends nothing until its button is pressed: a mail scanner that runs
    // the page's script leaves the link working.
    let link = page.verification_link(&user.email).await;
    browser.goto(&link).await;
    browser.wait_for("#confirm:not([disabled])").await;
    browser.wait_for("#message[data-state='ready']").await;
    assert!(
        !browser.current_url().await.contains("token="),
        "the verify page keeps the single-use token out of the address bar"
    );
    page.app
        .login_reply(&user.credentials())
        .await
        .error(401, "EMAIL_NOT_VERIFIED");
    browser.click("#confirm").await;
    browser.wait_for("#message[data-state='verified']").await;
    browser.click("#continue").await;
    browser.wait_for("#message[data-state='signed-out']").await;

    sign_in(&browser, &user).await;
    browser.wait_for("#message[data-state='signed-in']").await;
    browser.wait_for_text("#profile-email", &user.email).await;
    browser
        .wait_for_text("#profile-username", &user.username)
        .await;
    browser.wait_for_text("#profile-name", "Ada Lovelace").await;
    let shot = browser.screenshot("example-web-signed-in").await;
    eprintln!("the signed-in page: {}", shot.display());
    browser.assert_no_console_errors().await;

    // The access token lived in the page's memory and is gone; the cookie brings a new one.
    browser.reload().await;
    browser.wait_for("#message[data-state='restored']").await;
    browser.wait_for_text("#profile-email", &user.email).await;
    browser.assert_no_console_errors().await;
    scripts_cannot_read_the_refresh_cookie(&browser, &page).await;

    browser.click("#logout").await;
    browser.wait_for("#message[data-state='signed-out']").await;
    browser.reload().await;
    browser.wait_for("#message[data-state='signed-out']").await;
    assert!(
        browser.is_displayed("#login-form").await && !browser.is_displayed("#signed-in").await,
        "after sign-out a reload shows the sign-in form, not the profile"
    );
    let email = browser
        .execute(
            "return document.getElementById('profile-email').textContent;",
            vec![],
        )
        .await;
    assert_eq!(email, "", "after sign-out a reload loaded no profile");
    browser.assert_no_console_errors().await;

    // The page's Content-Security-Policy refuses inline code (and the console shows it, which
    // is what the checks above would have caught).
    let ran = browser
        .execute(
            "const s = document.createElement('script'); \
             s.textContent = 'window.injected = true;'; document.head.append(s); \
             return window.injected === true;",
            vec![],
        )
        .await;
    assert_eq!(ran, false, "an inline script ran despite the page's policy");
    let console = browser.console().await;
    assert!(
        console
            .iter()
            .any(|e| e.level == "SEVERE" && e.message.contains("Content Security Policy")),
        "the refused inline script is a console error: {console:#?}"
    );
    browser.close().await;
}

/// The browser holds the refresh cookie as `HttpOnly`, and a script on a page under the
/// cookie's path (`/v1/auth/` of authd's origin, where `document.cookie` would list it were it
/// readable) still reads nothing. Back on the example page afterwards.
async fn scripts_cannot_read_the_refresh_cookie(browser: &Browser, page: &ExamplePage) {
    browser.goto(&page.app.url("/v1/auth/refresh")).await;
    let cookies = browser.cookies().await;
    let cookie = cookies
        .iter()
        .find(|c| c.name == "refresh_token")
        .unwrap_or_else(|| panic!("no refresh_token cookie for authd: {cookies:?}"));
    assert!(
        cookie.http_only,
        "the refresh cookie is HttpOnly: {cookie:?}"
    );
    assert_eq!(cookie.path.as_deref(), Some("/v1/auth"), "{cookie:?}");
    let visible = browser.execute("return document.cookie;", vec![]).await;
    assert_eq!(
        visible, "",
        "a script under /v1/auth/ sees no cookie: the refresh cookie is HttpOnly"
    );
    browser.console().await; // the GET of a POST-only route answered 405: not the page's
    browser.goto(&page.url()).await;
    browser.wait_for("#message[data-state='restored']").await;
}
