//! `GEOIP_DATABASE`: sessions show where they were opened, and the new-sign-in mail names the
//! place; without a database, `location` is null.

use super::alerts::FIREFOX_ON_LINUX;
use crate::helpers::{Backend, backends};
use crate::helpers::{CHROME_ON_WINDOWS, MailKind, TestApp, header, spawn_app_with};
use authd_testkit::geoip;
use reqwest::header::HeaderMap;
use rstest_reuse::apply;
use serde_json::{Value, json};
use std::path::PathBuf;

/// A City database placing 203.0.113.0/24 in Hanoi and 198.51.100.0/24 in Sweden (no city).
fn database() -> PathBuf {
    let bytes = geoip::database(
        "GeoLite2-City",
        &[
            ([203, 0, 113, 0], 24, geoip::city("VN", "Hanoi")),
            ([198, 51, 100, 0], 24, geoip::country("SE")),
        ],
    );
    let path = std::env::temp_dir().join(format!("authd-api-geo-{}.mmdb", uuid::Uuid::new_v4()));
    std::fs::write(&path, bytes).expect("write the database");
    path
}

fn from(client: &str, user_agent: &str) -> HeaderMap {
    let mut headers = header("x-forwarded-for", client);
    headers.extend(header("user-agent", user_agent));
    headers
}

async fn locations(app: &TestApp, token: &str) -> Vec<Value> {
    let reply = app.get_authed("/v1/users/me/sessions", token).await;
    let sessions = reply.ok(200).as_array().expect("sessions").clone();
    sessions.iter().map(|s| s["location"].clone()).collect()
}

#[apply(backends)]
async fn a_session_opened_from_a_known_network_shows_its_place(backend: Backend) {
    let path = database();
    let db = path.display().to_string();
    let app = spawn_app_with(
        backend,
        &[("GEOIP_DATABASE", &db), ("TRUSTED_PROXIES", "127.0.0.1")],
    )
    .await;
    let user = app.verified_user().await;

    let hanoi = app
        .login_with(&app.client, &user, from("203.0.113.7", CHROME_ON_WINDOWS))
        .await;
    assert_eq!(
        locations(&app, &hanoi.access_token).await,
        [json!({"country": "VN", "city": "Hanoi"})]
    );
    app.login_with(&app.client, &user, from("198.51.100.9", CHROME_ON_WINDOWS))
        .await;
    app.login_with(&app.client, &user, from("192.0.2.1", CHROME_ON_WINDOWS))
        .await;
    let mut places = locations(&app, &hanoi.access_token).await;
    places.sort_by_key(Value::to_string);
    let mut expected = vec![
        json!({"country": "SE", "city": null}),
        json!({"country": "VN", "city": "Hanoi"}),
        Value::Null,
    ];
    expected.sort_by_key(Value::to_string);
    assert_eq!(places, expected);

    // A new device in Hanoi: the alert names the place.
    app.login_with(&app.client, &user, from("203.0.113.7", FIREFOX_ON_LINUX))
        .await;
    // Chrome from Sweden and from elsewhere were new networks, Firefox a new browser.
    let mails = app
        .wait_for_mails(MailKind::NewSignIn, &user.email, 3)
        .await;
    let firefox = mails
        .iter()
        .find(|m| m.text.contains("Firefox"))
        .unwrap_or_else(|| panic!("no alert of the Firefox sign-in: {mails:#?}"));
    assert!(firefox.text.contains("Hanoi"), "{}", firefox.text);
    assert!(firefox.text.contains("VN"), "{}", firefox.text);
    let sweden = mails
        .iter()
        .find(|m| m.text.contains("198.51.100.9"))
        .unwrap_or_else(|| panic!("no alert of the Swedish sign-in: {mails:#?}"));
    assert!(
        sweden.text.contains("Approximate location: SE"),
        "{}",
        sweden.text
    );
    let nowhere = mails
        .iter()
        .find(|m| m.text.contains("192.0.2.1"))
        .unwrap_or_else(|| panic!("no alert of the unplaced sign-in: {mails:#?}"));
    assert!(
        !nowhere.text.contains("Approximate location"),
        "{}",
        nowhere.text
    );
    let _ = std::fs::remove_file(path);
}

#[apply(backends)]
async fn without_a_database_a_session_has_no_place(backend: Backend) {
    let app = spawn_app_with(backend, &[("TRUSTED_PROXIES", "127.0.0.1")]).await;
    let user = app.verified_user().await;
    let login = app
        .login_with(&app.client, &user, from("203.0.113.7", CHROME_ON_WINDOWS))
        .await;

    assert_eq!(locations(&app, &login.access_token).await, [Value::Null]);
}
