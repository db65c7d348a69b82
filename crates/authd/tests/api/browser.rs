//! The example web page (`examples/web`, the Perfect21 document's JavaScript `AuthClient`
//! unchanged) in headless Chromium against a live authd: a user's whole journey from the page's
//! origin, which `ALLOWED_ORIGINS` lists, and a page from an origin it does not list, which can
//! neither read authd's answers nor refresh with the user's cookie. Runs once, over the in-memory
//! adapters: what it tests is the browser's side, which no storage backend changes.

mod foreign;
mod journey;
mod pages;
mod quirks;

use crate::helpers::TestUser;
use authd_testkit::browser::Browser;

/// Fills and sends the example page's sign-in form.
async fn sign_in(browser: &Browser, user: &TestUser) {
    browser.fill("#login-email", &user.email).await;
    browser.fill("#login-password", &user.password).await;
    browser.click("#login").await;
}

/// The class text from the line `class AuthClient {` to the end of `class AuthError`.
fn perfect21_classes(text: &str) -> &str {
    let start = text.find("\nclass AuthClient {").expect("class AuthClient") + 1;
    let error = text[start..]
        .find("\nclass AuthError")
        .expect("class AuthError")
        + start;
    let end = text[error..].find("\n}\n").expect("the end of AuthError") + error + 3;
    &text[start..end]
}

#[test]
fn the_example_page_runs_the_perfect21_client_unchanged() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let read = |path: &str| std::fs::read_to_string(root.join(path)).expect(path);
    let page = read("examples/web/auth-client.js");
    let reference = read("tests/clients/perfect21_client.mjs");
    assert_eq!(
        perfect21_classes(&page),
        perfect21_classes(&reference),
        "examples/web/auth-client.js holds the same AuthClient and AuthError as the Node tests"
    );
}
