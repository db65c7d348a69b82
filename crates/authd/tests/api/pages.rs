//! The built-in pages of the mailed links (docs/pages.md), on the embedded default where the
//! links point at authd itself: the link of the real email opens a page, and the calls its
//! script makes (`pages.js`: a JSON POST relative to the page, from the page's origin) confirm
//! the address, set a new password, end a lock. With a frontend configured there are no pages.

use crate::helpers::{Backend, Child, MailKind, NEW_PASSWORD, TestApp, TestUser, backends};
use crate::helpers::{spawn_app, spawn_app_with};
use reqwest::Url;
use rstest_reuse::apply;
use serde_json::{Value, json};
use std::collections::BTreeMap;

const CSP: &str = "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The embedded default: no `APP_BASE_URL` nor `PUBLIC_URL` (an empty value is unset), both
/// derived from the bound address.
async fn spawn_default(backend: Backend) -> TestApp {
    spawn_app_with(backend, &[("APP_BASE_URL", ""), ("PUBLIC_URL", "")]).await
}

/// The link of `kind` in the newest such email to `recipient`, as the email spells it.
async fn link_in_mail(app: &TestApp, kind: MailKind, recipient: &str, path: &str) -> Url {
    let mail = app.wait_for_mail(kind, recipient).await;
    let prefix = format!("{}{path}?token=", app.address);
    let start = mail
        .text
        .find(&prefix)
        .unwrap_or_else(|| panic!("no link {prefix}... in:\n{}", mail.text));
    let link: String = mail.text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || ":/?=&-_.~%".contains(*c))
        .collect();
    Url::parse(&link).expect("the mailed link is a URL")
}

/// Opens `link` as a browser would: the page, then its script; returns the script's text.
async fn open_page(app: &TestApp, link: &Url, page: &str) -> String {
    let reply = app.send(app.client.get(link.clone())).await;
    assert_eq!(reply.status, 200, "{reply:#?}");
    assert_eq!(
        reply.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(reply.header("content-security-policy"), Some(CSP));
    assert_eq!(reply.header("referrer-policy"), Some("no-referrer"));
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    assert!(
        reply.text.contains(&format!("data-page=\"{page}\"")),
        "{}",
        reply.text
    );
    let script = link.join("pages/pages.js").unwrap();
    let script = app.send(app.client.get(script)).await;
    assert_eq!(script.status, 200, "{script:#?}");
    assert_eq!(
        script.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    for asset in ["pages/pages.css", "pages/favicon.svg"] {
        let reply = app.send(app.client.get(link.join(asset).unwrap())).await;
        assert_eq!(reply.status, 200, "{asset}: {reply:#?}");
    }
    script.text
}

/// What the page's script sends: a JSON POST to `route`, relative to the page, from the page's
/// own origin, with the token of the page's address.
async fn as_the_script(
    app: &TestApp,
    link: &Url,
    script: &str,
    route: &str,
    extra: Value,
) -> crate::helpers::Reply {
    assert!(
        script.contains(&format!("'{route}'")),
        "pages.js calls {route}"
    );
    let token = link
        .query_pairs()
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v.into_owned())
        .expect("a token in the link");
    let mut body = json!({ "token": token });
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    app.send(
        app.client
            .post(link.join(route).unwrap())
            .header("content-type", "application/json")
            .header("accept", "application/json")
            .header("origin", link.origin().ascii_serialization())
            .json(&body),
    )
    .await
}

/// Registers an account and confirms it through the page of its verification link.
async fn verified_through_the_page(app: &TestApp) -> TestUser {
    let user = app.registered_user().await;
    let link = link_in_mail(app, MailKind::Verification, &user.email, "/verify-email").await;
    let script = open_page(app, &link, "verify-email").await;
    let reply = as_the_script(app, &link, &script, "v1/auth/verify-email", json!({})).await;
    assert_eq!(reply.body["success"], true, "{reply:#?}");
    user
}

#[apply(backends)]
async fn the_verification_link_opens_a_page_whose_call_confirms_the_address(backend: Backend) {
    let app = spawn_default(backend).await;
    let user = app.registered_user().await;
    let link = link_in_mail(&app, MailKind::Verification, &user.email, "/verify-email").await;
    let script = open_page(&app, &link, "verify-email").await;

    // Opening the page (a mail scanner does) spends nothing: the login still waits.
    app.login_reply(&user.credentials())
        .await
        .error(401, "EMAIL_NOT_VERIFIED");
    let reply = as_the_script(&app, &link, &script, "v1/auth/verify-email", json!({})).await;

    reply.ok_or_message();
    let login = app.login(&user).await;
    assert_eq!(login.reply_body["data"]["user"]["emailVerified"], true);
    // The same link again: what the page reports as used.
    as_the_script(&app, &link, &script, "v1/auth/verify-email", json!({}))
        .await
        .error(404, "INVALID_TOKEN");
}

#[apply(backends)]
async fn the_reset_link_opens_a_form_whose_call_sets_the_new_password(backend: Backend) {
    let app = spawn_default(backend).await;
    let user = verified_through_the_page(&app).await;
    app.post_json("/v1/auth/forgot-password", &json!({ "email": user.email }))
        .await
        .ok_or_message();
    let link = link_in_mail(
        &app,
        MailKind::PasswordReset,
        &user.email,
        "/reset-password",
    )
    .await;
    let script = open_page(&app, &link, "reset-password").await;

    // The policy's problems, which the page shows next to the field, spend nothing either.
    let weak = as_the_script(
        &app,
        &link,
        &script,
        "v1/auth/reset-password",
        json!({"newPassword": "short"}),
    )
    .await;
    assert_eq!(weak.status, 400, "{weak:#?}");
    let details = weak.body["error"]["details"].as_array().expect("details");
    assert!(
        !details.is_empty() && details.iter().all(|d| d["message"].is_string()),
        "{weak:#?}"
    );
    let reply = as_the_script(
        &app,
        &link,
        &script,
        "v1/auth/reset-password",
        json!({ "newPassword": NEW_PASSWORD }),
    )
    .await;

    reply.ok_or_message();
    app.login_reply(&user.credentials())
        .await
        .error(401, "INVALID_CREDENTIALS");
    let renewed = TestUser {
        password: NEW_PASSWORD.to_owned(),
        ..user
    };
    app.login(&renewed).await;
}

#[apply(backends)]
async fn the_unlock_link_opens_a_page_whose_call_ends_the_lock(backend: Backend) {
    let app = spawn_default(backend).await;
    let user = verified_through_the_page(&app).await;
    app.lock_out(&user.email).await;
    let link = link_in_mail(
        &app,
        MailKind::AccountLocked,
        &user.email,
        "/unlock-account",
    )
    .await;
    let script = open_page(&app, &link, "unlock-account").await;
    app.login_reply(&user.credentials())
        .await
        .error(423, "ACCOUNT_LOCKED");

    let reply = as_the_script(&app, &link, &script, "v1/auth/unlock", json!({})).await;

    reply.ok_or_message();
    app.login(&user).await;
}

#[apply(backends)]
async fn with_a_frontend_of_its_own_the_paths_are_not_served(backend: Backend) {
    // The suite's default: APP_BASE_URL is another origin.
    let app = spawn_app(backend).await;
    for path in [
        "/verify-email?token=abc",
        "/reset-password?token=abc",
        "/unlock-account?token=abc",
        "/pages/pages.js",
        "/pages/pages.css",
        "/pages/favicon.svg",
    ] {
        app.get(path).await.error(404, "NOT_FOUND");
    }
}

#[tokio::test]
async fn a_link_token_never_reaches_the_log() {
    let mail = std::env::temp_dir().join(format!("authd-pages-log-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&mail).unwrap();
    let vars: BTreeMap<String, String> = [
        ("BCRYPT_ROUNDS", "4"),
        ("RATE_LIMIT_ENABLED", "false"),
        ("LOG_LEVEL", "info"),
        ("MAIL_DIR", mail.to_str().unwrap_or_default()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let child = Child::spawn(vars).await;
    let base = format!("http://127.0.0.1:{}", child.port());
    let client = reqwest::Client::new();
    let secret = "Pq7sEcReTlInKtOkEn0123456789";
    for (path, status) in [
        (format!("/verify-email?token={secret}"), 200),
        (format!("/unlock-account?token=x&token={secret}"), 200),
        // A mail client that escaped the `?` moves the token into the path.
        (format!("/reset-password%3Ftoken={secret}"), 404),
    ] {
        let res = client.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(res.status(), status, "{path}");
    }

    // The lines are written after the responses are sent: give them a moment.
    let mut log = String::new();
    for _ in 0..250 {
        log = child.output();
        if log.matches("request completed").count() >= 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(log.contains("/verify-email"), "{log}");
    assert!(log.contains("/reset-password%3Ftoken=[redacted]"), "{log}");
    assert!(!log.contains(secret), "{log}");
    let _ = std::fs::remove_dir_all(mail);
}
