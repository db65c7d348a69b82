//! authd's built-in pages for the mailed links (docs/pages.md) in Chromium, on the embedded
//! default where the links point at authd itself. The real verification and unlock links open
//! pages that, loaded with their script running and their button ready, have spent nothing (a
//! mail scanner that runs scripts leaves the link working) and have taken the token out of the
//! address bar; pressed, the button confirms the address, ends the lock. The real reset link's
//! form refuses a mismatch and a weak password where the person sees it, then sets the new
//! password, which signs in. The pages' Content-Security-Policy (no inline code) holds and they
//! name their icon: no console error at all on the way, apart from the weak password's 400.

use crate::helpers::{Backend, MailKind, NEW_PASSWORD, TestApp, TestUser, spawn_app_with};
use authd_testkit::browser::Browser;
use serde_json::json;

/// The link of `kind` in the mail to `recipient`, as the mail spells it.
async fn mailed_link(app: &TestApp, kind: MailKind, recipient: &str, path: &str) -> String {
    let mail = app.wait_for_mail(kind, recipient).await;
    let prefix = format!("{}{path}?token=", app.address);
    let start = mail
        .text
        .find(&prefix)
        .unwrap_or_else(|| panic!("no link {prefix}… in:\n{}", mail.text));
    mail.text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace() && !"\"'<>()".contains(*c))
        .collect()
}

#[tokio::test]
async fn the_mailed_links_open_pages_that_act_on_a_press_of_their_button() {
    // The embedded default: APP_BASE_URL and PUBLIC_URL both derived from the bound address.
    let app = spawn_app_with(Backend::Memory, &[("APP_BASE_URL", ""), ("PUBLIC_URL", "")]).await;
    let user = app.registered_user().await;
    let browser = Browser::start().await;

    let link = mailed_link(&app, MailKind::Verification, &user.email, "/verify-email").await;
    open_ready(&browser, &link, "/verify-email").await;
    app.login_reply(&user.credentials())
        .await
        .error(401, "EMAIL_NOT_VERIFIED");
    browser.click("#submit").await;
    browser.wait_for("#status[data-state='ok']").await;
    browser
        .wait_for_text("#status", "Your email address is confirmed")
        .await;
    browser.assert_console_clean().await;
    app.login(&user).await;

    app.lock_out(&user.email).await;
    let link = mailed_link(
        &app,
        MailKind::AccountLocked,
        &user.email,
        "/unlock-account",
    )
    .await;
    open_ready(&browser, &link, "/unlock-account").await;
    app.login_reply(&user.credentials())
        .await
        .error(423, "ACCOUNT_LOCKED");
    browser.click("#submit").await;
    browser.wait_for("#status[data-state='ok']").await;
    browser
        .wait_for_text("#status", "Your account is unlocked")
        .await;
    browser.assert_console_clean().await;
    app.login(&user).await;

    app.post_json("/v1/auth/forgot-password", &json!({ "email": user.email }))
        .await
        .ok(200);
    let link = mailed_link(
        &app,
        MailKind::PasswordReset,
        &user.email,
        "/reset-password",
    )
    .await;
    // The form works from the token the script keeps in memory.
    open_ready(&browser, &link, "/reset-password").await;

    // Two different entries: the page says so before anything is sent.
    browser.fill("#new-password", NEW_PASSWORD).await;
    browser
        .fill("#confirm-password", "Something-else-42!")
        .await;
    browser.click("#submit").await;
    browser.wait_for("#status[data-state='error']").await;
    assert!(
        !browser
            .text("#confirm-password-error")
            .await
            .unwrap_or_default()
            .is_empty(),
        "the mismatch is shown under the confirmation"
    );

    // A password the policy refuses: its problems are shown under the field, the link lives on.
    browser.fill("#new-password", "short").await;
    browser.fill("#confirm-password", "short").await;
    browser.click("#submit").await;
    browser
        .wait_for_text("#new-password-error", "at least 12 characters")
        .await;
    browser.wait_for("#status[data-state='error']").await;

    browser.fill("#new-password", NEW_PASSWORD).await;
    browser.fill("#confirm-password", NEW_PASSWORD).await;
    browser.click("#submit:not([disabled])").await;
    browser.wait_for("#status[data-state='ok']").await;
    browser
        .wait_for_text("#status", "Your password has been changed")
        .await;
    // The one error: Chrome's note of the refused password's answer.
    let errors = browser.console_errors().await;
    assert!(
        errors.len() == 1
            && errors[0].contains("/v1/auth/reset-password")
            && errors[0].contains("status of 400"),
        "no console error but the weak password's 400: {errors:#?}"
    );
    browser.close().await;

    app.login_reply(&user.credentials())
        .await
        .error(401, "INVALID_CREDENTIALS");
    let renewed = TestUser {
        password: NEW_PASSWORD.to_owned(),
        ..user
    };
    app.login(&renewed).await;
}

/// Opens the mailed `link` and waits until its page is ready (the button enabled: the script
/// has read the token); by then the address bar shows the bare `path`, without the token.
async fn open_ready(browser: &Browser, link: &str, path: &str) {
    browser.goto(link).await;
    browser.wait_for("#submit:not([disabled])").await;
    let address = browser
        .execute(
            "return [location.pathname, location.search, location.href];",
            vec![],
        )
        .await;
    assert_eq!(
        (&address[0], &address[1]),
        (&json!(path), &json!("")),
        "the page took the token out of its address: {address}"
    );
    assert!(!browser.current_url().await.contains("token="), "{address}");
}
