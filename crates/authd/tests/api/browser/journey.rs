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

    let link = page.verification_link(&user.email).await;
    browser.goto(&link).await;
    browser.wait_for("#message[data-state='verified']").await;
    assert!(
        !browser.current_url().await.contains("token="),
        "the verify page keeps the single-use token out of the address bar"
    );
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
    let visible = browser.execute("return document.cookie;", vec![]).await;
    assert_eq!(
        visible, "",
        "the refresh cookie is HttpOnly: scripts never see it"
    );
    browser.assert_no_console_errors().await;

    browser.click("#logout").await;
    browser.wait_for("#message[data-state='signed-out']").await;
    browser.reload().await;
    browser.wait_for("#message[data-state='signed-out']").await;
    assert!(
        browser
            .text("#signed-in")
            .await
            .unwrap_or_default()
            .is_empty(),
        "after sign-out a reload shows no profile"
    );
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
