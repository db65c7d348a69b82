//! authd's built-in pages for the mailed links (docs/pages.md) in Chromium, on the embedded
//! default where the links point at authd itself: the real verification link confirms the
//! address at a press of the button, the real reset link's form refuses a mismatch and a weak
//! password where the person sees it, then sets the new password, which signs in. The pages'
//! Content-Security-Policy (no inline code) holds: no console error on the way.

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
async fn the_mailed_links_open_pages_that_confirm_the_address_and_set_a_new_password() {
    // The embedded default: APP_BASE_URL and PUBLIC_URL both derived from the bound address.
    let app = spawn_app_with(Backend::Memory, &[("APP_BASE_URL", ""), ("PUBLIC_URL", "")]).await;
    let user = app.registered_user().await;
    let browser = Browser::start().await;

    let link = mailed_link(&app, MailKind::Verification, &user.email, "/verify-email").await;
    browser.goto(&link).await;
    browser.click("#submit:not([disabled])").await;
    browser.wait_for("#status[data-state='ok']").await;
    browser
        .wait_for_text("#status", "Your email address is confirmed")
        .await;
    browser.assert_no_console_errors().await;
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
    browser.goto(&link).await;
    browser.wait_for("#submit:not([disabled])").await;

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
    browser.assert_no_console_errors().await;
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
