//! What a dump of the database shows after every MFA flow: no TOTP secret (in any encoding), no
//! backup code, no `mfaToken` and no device token, in any table.

use crate::helpers::{MfaSetup, fresh_database, mfa_token_of, spawn_app_on};
use serde_json::json;
use tokio_postgres::NoTls;

/// Every row of every table of the public schema, as JSON text (bytea as `\x` hex).
async fn dump(url: &str) -> String {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .expect("connect to the test database");
    tokio::spawn(connection);
    let tables = client
        .query(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
            &[],
        )
        .await
        .expect("list the tables");
    let mut all = String::new();
    for table in tables {
        let name: String = table.get(0);
        let rows = client
            .query(
                &format!("SELECT row_to_json(t)::text FROM \"{name}\" t"),
                &[],
            )
            .await
            .expect("read a table");
        for row in rows {
            all.push_str(&row.get::<_, String>(0));
            all.push('\n');
        }
    }
    all.to_lowercase()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn a_dump_of_the_database_holds_no_secret_code_or_token_in_clear() {
    let url = fresh_database().await;
    let app = spawn_app_on(Some(url.clone()), &[]).await;
    let user = app.verified_user().await;
    let access = app.login(&user).await.access_token;
    let setup = MfaSetup::from_reply(&app.mfa_setup(&access).await);
    let code = setup.authenticator.code(-1).await;
    app.mfa_confirm(&access, &code).await.ok(200);
    let mfa_token = mfa_token_of(&app.login_reply(&user.credentials()).await);
    let reply = app
        .post_json(
            "/v1/auth/mfa/verify",
            &json!({"mfaToken": mfa_token, "code": setup.backup_codes[0], "rememberDevice": true}),
        )
        .await;
    let device = reply.ok(200)["deviceToken"]
        .as_str()
        .expect("a device token")
        .to_owned();
    // A pending challenge stays in the table.
    let pending = mfa_token_of(&app.login_reply(&user.credentials()).await);

    let dump = dump(&url).await;

    // The dump did read the rows: the account and its sealed factor are there.
    assert!(
        dump.contains(&user.email.to_lowercase()),
        "no account in the dump"
    );
    assert!(dump.contains("\"kind\":\"totp\""), "no factor in the dump");
    let secret = totp_rs::Secret::try_from_base32(&setup.secret)
        .expect("a base32 secret")
        .as_bytes()
        .to_vec();
    for (what, needle) in [
        ("the base32 secret", setup.secret.to_lowercase()),
        ("the secret's bytes in hex", hex(&secret)),
        ("the used mfaToken", mfa_token.to_lowercase()),
        ("the pending mfaToken", pending.to_lowercase()),
        ("the device token", device.to_lowercase()),
    ] {
        assert!(!dump.contains(&needle), "{what} is stored in clear");
    }
    for (i, code) in setup.backup_codes.iter().enumerate() {
        assert!(
            !dump.contains(&format!("\"{code}\"")) && !dump.contains(&format!(":{code},")),
            "backup code {i} is stored in clear"
        );
    }
}

#[tokio::test]
async fn a_dump_of_the_database_holds_no_emailed_code_in_clear() {
    let url = fresh_database().await;
    let app = spawn_app_on(Some(url.clone()), &[]).await;
    let user = app.verified_user().await;
    let access = app.login(&user).await.access_token;
    app.call(
        reqwest::Method::POST,
        "/v1/auth/mfa/setup",
        Some(&access),
        &json!({"type": "email"}),
    )
    .await
    .ok(200);
    let setup_code = app
        .wait_for_mail(crate::helpers::MailKind::MfaCode, &user.email)
        .await
        .mfa_code();
    app.mfa_confirm(&access, &setup_code).await.ok(200);
    // A login whose code is mailed and not used yet: its digest is in the table.
    let pending = mfa_token_of(&app.login_reply(&user.credentials()).await);
    let mails = app
        .wait_for_mails(crate::helpers::MailKind::MfaCode, &user.email, 2)
        .await;
    let login_code = mails
        .iter()
        .map(|m| m.mfa_code())
        .find(|c| *c != setup_code)
        .unwrap_or_else(|| setup_code.clone());

    let dump = dump(&url).await;

    assert!(
        dump.contains("\"kind\":\"email\""),
        "no email factor in the dump"
    );
    assert!(
        dump.contains("\"code_digest\":\""),
        "no code digest in the dump"
    );
    assert!(
        !dump.contains(&pending.to_lowercase()),
        "the mfaToken is stored in clear"
    );
    for (what, code) in [
        ("the setup code", &setup_code),
        ("the login code", &login_code),
    ] {
        assert!(
            !dump.contains(&format!("\"{code}\"")) && !dump.contains(&format!(":{code},")),
            "{what} is stored in clear"
        );
    }
}

#[tokio::test]
async fn a_dump_of_the_database_holds_no_texted_code_in_clear() {
    let gateway = crate::helpers::SmsGateway::start(&[]).await;
    let url = fresh_database().await;
    let gateway_url = gateway.url();
    let app = spawn_app_on(Some(url.clone()), &[("SMS_WEBHOOK_URL", &gateway_url)]).await;
    let user = app.verified_user().await;
    let access = app.login(&user).await.access_token;
    app.call(
        reqwest::Method::POST,
        "/v1/auth/mfa/setup",
        Some(&access),
        &json!({"type": "sms", "phone": "+84987654321"}),
    )
    .await
    .ok(200);
    let setup_code = gateway.wait_for_text(1).await.code();
    app.mfa_confirm(&access, &setup_code).await.ok(200);
    // A login whose code is texted and not used yet: its digest is in the table.
    let pending = mfa_token_of(&app.login_reply(&user.credentials()).await);
    let login_code = gateway.wait_for_text(2).await.code();

    let dump = dump(&url).await;

    assert!(
        dump.contains("\"kind\":\"sms\"") && dump.contains("\"phone\":\"+84987654321\""),
        "no SMS factor with its number in the dump"
    );
    assert!(
        dump.contains("\"code_digest\":\""),
        "no code digest in the dump"
    );
    assert!(
        !dump.contains(&pending.to_lowercase()),
        "the mfaToken is stored in clear"
    );
    for (what, code) in [
        ("the setup code", &setup_code),
        ("the login code", &login_code),
    ] {
        // Quoted or as a JSON number: a bare 6-digit run may occur by chance in a digest or a
        // timestamp's microseconds.
        assert!(
            !dump.contains(&format!("\"{code}\"")) && !dump.contains(&format!(":{code},")),
            "{what} is stored in clear"
        );
    }
}
