//! `POST /v1/auth/register`.

use crate::helpers::{APP_BASE_URL, MailKind, TestApp, TestUser, spawn_app};
use crate::helpers::{Backend, backends, spawn_app_with};
use rstest_reuse::apply;
use serde_json::{Value, json};

#[apply(backends)]
async fn register_answers_201_with_a_pending_unverified_account(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = TestUser::random();

    let reply = app.register(&user.registration_body()).await;

    let data = reply.ok(201);
    assert_eq!(
        reply.message(),
        "User registered successfully. Please check your email for verification."
    );
    let id = data["userId"].as_str().expect("userId");
    assert!(uuid::Uuid::parse_str(id).is_ok(), "userId is a UUID: {id}");
    assert_eq!(data["email"], user.email);
    assert_eq!(data["username"], user.username);
    assert_eq!(data["status"], "pending");
    assert_eq!(data["emailVerified"], false);
    assert!(data["createdAt"].is_string(), "createdAt: {data}");
    assert!(data.get("password").is_none() && data.get("passwordHash").is_none());
}

#[apply(backends)]
async fn register_mails_a_verification_link_under_the_app_base_url(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.registered_user().await;

    let mail = app.wait_for_mail(MailKind::Verification, &user.email).await;

    assert!(
        mail.text
            .contains(&format!("{APP_BASE_URL}/verify-email?token=")),
        "{}",
        mail.text
    );
    let token = app.token_in(&mail, MailKind::Verification);
    assert!(token.len() >= 43, "a 256-bit token, got {token:?}");
}

#[apply(backends)]
async fn registering_an_email_again_in_another_case_answers_email_exists(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = app.registered_user().await;
    let mut second = TestUser::random();
    second.email = first.email.to_uppercase();

    let reply = app.register(&second.registration_body()).await;

    reply.error(409, "EMAIL_EXISTS");
}

#[apply(backends)]
async fn registering_a_taken_username_in_another_case_answers_username_exists(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = app.registered_user().await;
    let mut second = TestUser::random();
    second.username = first.username.to_uppercase();

    let reply = app.register(&second.registration_body()).await;

    reply.error(409, "USERNAME_EXISTS");
}

/// A fresh account whose username is `name` followed by a unique tag; not registered yet.
fn user_named(name: &str) -> TestUser {
    let mut user = TestUser::random();
    user.username = format!("{name}_{}", &user.username[5..13]);
    user
}

/// Registers `user`, verifies its email and logs in by username; the access token.
async fn verified_login_by_username(app: &TestApp, user: &TestUser, as_typed: &str) -> String {
    app.register(&user.registration_body()).await.ok(201);
    let token = app
        .token_from_mail(MailKind::Verification, &user.email)
        .await;
    app.verify_email(&token).await.ok(200);
    let reply = app
        .login_reply(&json!({"username": as_typed, "password": user.password}))
        .await;
    reply.ok(200)["accessToken"]
        .as_str()
        .expect("accessToken")
        .to_owned()
}

#[apply(backends)]
async fn registering_a_look_alike_of_a_taken_username_answers_username_exists(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = user_named("alice");
    let tag = &alice.username["alice_".len()..];
    let registered = app.register(&alice.registration_body()).await;
    assert_eq!(registered.ok(201)["username"], alice.username);
    let mut duplicate = TestUser::random();
    duplicate.username = alice.username.to_uppercase();
    let duplicate = app.register(&duplicate.registration_body()).await;
    let taken = duplicate.error(409, "USERNAME_EXISTS").clone();

    for lookalike in ["aIice", "ALlCE", "a1ice"] {
        let mut other = TestUser::random();
        other.username = format!("{lookalike}_{tag}");

        let reply = app.register(&other.registration_body()).await;

        assert_eq!(reply.error(409, "USERNAME_EXISTS"), &taken, "{lookalike}");
        app.assert_mail_count(MailKind::Verification, &other.email, 0)
            .await;
    }
    let mut resembling = TestUser::random();
    resembling.username = format!("alicia_{tag}");
    app.register(&resembling.registration_body()).await.ok(201);
}

#[apply(backends)]
async fn a_username_is_shown_as_typed_and_logs_in_in_any_case_but_not_by_look_alike(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let bob = user_named("BoB_99");

    let access = verified_login_by_username(&app, &bob, &bob.username.to_lowercase()).await;

    let me = app.me(&access).await;
    assert_eq!(me.ok(200)["username"], bob.username);
    let lookalike = bob.username.replace('o', "0");
    let reply = app
        .login_reply(&json!({"username": lookalike, "password": bob.password}))
        .await;
    reply.error(401, "INVALID_CREDENTIALS");
}

#[apply(backends)]
async fn a_weak_password_lists_every_failing_rule_on_the_password_field(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut user = TestUser::random();
    // Too short, no upper-case letter, no digit, no special character.
    user.password = "abc".into();

    let reply = app.register(&user.registration_body()).await;

    let details = reply.validation_details();
    assert!(
        details.len() >= 4,
        "one detail per failed rule: {details:?}"
    );
    assert!(
        details.iter().all(|(field, _)| field == "password"),
        "{details:?}"
    );
}

#[apply(backends)]
async fn a_common_password_with_digits_and_symbols_around_it_is_rejected(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut user = TestUser::random();
    user.password = "Password123!".into();

    let reply = app.register(&user.registration_body()).await;

    let details = reply.validation_details();
    assert!(
        details.iter().any(|(field, _)| field == "password"),
        "{details:?}"
    );
}

#[apply(backends)]
async fn an_invalid_email_is_reported_on_the_email_field_with_its_own_code(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut user = TestUser::random();
    user.email = "not-an-email".into();

    let reply = app.register(&user.registration_body()).await;

    let details = reply.validation_details();
    assert!(
        details.contains(&("email".to_owned(), "INVALID_EMAIL_FORMAT".to_owned())),
        "{details:?}"
    );
}

#[apply(backends)]
async fn a_registration_without_fields_names_each_missing_one(backend: Backend) {
    let app = spawn_app(backend).await;

    let reply = app.register(&json!({})).await;

    let details = reply.validation_details();
    for field in ["email", "username", "password"] {
        assert!(
            details.iter().any(|(f, _)| f == field),
            "{field} is reported missing: {details:?}"
        );
    }
}

#[apply(backends)]
async fn a_too_long_email_is_reported_as_field_too_long(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut user = TestUser::random();
    user.email = format!("{}@example.com", "a".repeat(300));

    let reply = app.register(&user.registration_body()).await;

    let details = reply.validation_details();
    assert!(
        details.contains(&("email".to_owned(), "FIELD_TOO_LONG".to_owned())),
        "{details:?}"
    );
}

/// Domains mail can never be delivered to: an IP literal, and names without a dot.
const LOCAL_ADDRESSES: [&str; 3] = ["alice@[127.0.0.1]", "a@b", "alice@localhost"];

#[apply(backends)]
async fn an_address_that_can_never_receive_mail_is_refused_on_the_email_field(backend: Backend) {
    let app = spawn_app(backend).await;
    for email in LOCAL_ADDRESSES {
        let mut user = TestUser::random();
        user.email = email.into();

        let reply = app.register(&user.registration_body()).await;

        assert_eq!(
            reply.validation_details(),
            [("email".to_owned(), "INVALID_EMAIL_FORMAT".to_owned())],
            "{email}"
        );
        // Only new addresses are refused: login and forgot-password answer as for any unknown
        // account, so the refusal is no oracle there.
        let unknown = TestUser::random();
        app.login_reply(&user.credentials())
            .await
            .error(401, "INVALID_CREDENTIALS");
        assert_eq!(
            forgot(&app, email).await,
            forgot(&app, &unknown.email).await,
            "{email}"
        );
    }
}

/// The status, success flag and message of a forgot-password answer for `email`.
async fn forgot(app: &crate::helpers::TestApp, email: &str) -> (u16, Value, String) {
    let reply = app
        .post_json("/v1/auth/forgot-password", &json!({ "email": email }))
        .await;
    (
        reply.status,
        reply.body["success"].clone(),
        reply.message().to_owned(),
    )
}

#[apply(backends)]
async fn local_domains_register_when_allowed(backend: Backend) {
    let app = spawn_app_with(backend, &[("ALLOW_LOCAL_EMAIL_DOMAINS", "true")]).await;
    for email in LOCAL_ADDRESSES {
        let mut user = TestUser::random();
        user.email = email.into();

        let reply = app.register(&user.registration_body()).await;

        assert_eq!(reply.ok(201)["email"], email, "{email}");
    }
}
