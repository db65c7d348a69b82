//! `POST /api/auth/register`, `/login`, `/verify-email` and `/resend-verification`.

use super::client::{
    Guest, PASSWORD, Session, WRONG_PASSWORD, spawn_checkinn_app, spawn_checkinn_app_with,
};
use crate::helpers::{Backend, MailKind, TestUser, backends};
use rstest_reuse::apply;
use serde_json::json;

#[apply(backends)]
async fn register_signs_in_at_once_sets_the_cookie_and_mails_the_verification_link(
    backend: Backend,
) {
    let app = spawn_checkinn_app(backend).await;
    let guest = Guest::random();

    let reply = app.ci_post("/register", &guest.body()).await;

    let session = Session::of(&reply, 201);
    assert_eq!(session.user["name"], "John Doe");
    assert_eq!(session.user["role"], "Customer");
    assert_eq!(session.user["isEmailVerified"], false);
    let cookie = reply.cookie("refresh_token").expect("the refresh cookie");
    assert_eq!(cookie.value, session.refresh_token);
    assert!(cookie.has("httponly"), "{cookie:?}");
    assert_eq!(cookie.attribute("samesite"), Some("Strict"), "{cookie:?}");
    assert_eq!(cookie.attribute("path"), Some("/api/auth"), "{cookie:?}");
    assert_eq!(
        cookie.attribute("max-age"),
        Some("604800"),
        "7 days: {cookie:?}"
    );
    // One session behind both dialects.
    assert_eq!(app.ci_user(&session.token).await["email"], guest.email);
    let v1 = app.me(&session.token).await;
    assert_eq!(v1.ok(200)["email"], guest.email);
    app.wait_for_mail(MailKind::Verification, &guest.email)
        .await;
}

#[apply(backends)]
async fn the_name_splits_on_its_last_space(backend: Backend) {
    let app = spawn_checkinn_app(backend).await;
    for (name, first, last) in [
        ("John Ronald Doe", json!("John Ronald"), json!("Doe")),
        ("  Cher  ", json!("Cher"), json!(null)),
    ] {
        let mut guest = Guest::random();
        guest.name = name.into();

        let session = app.ci_register(&guest).await;

        assert_eq!(session.user["name"], name.trim(), "{name:?}");
        let v1 = app.me(&session.token).await;
        let profile = v1.ok(200);
        assert_eq!(profile["firstName"], first, "{name:?}: {profile}");
        assert_eq!(profile["lastName"], last, "{name:?}: {profile}");
    }
}

#[apply(backends)]
async fn a_self_assignable_role_is_granted_and_any_other_refused_with_nothing_created(
    backend: Backend,
) {
    let app = spawn_checkinn_app(backend).await;
    let mut partner = Guest::random();
    partner.role = "HotelPartner".into();
    let session = app.ci_register(&partner).await;
    assert_eq!(session.user["role"], "HotelPartner");

    for role in ["Admin", "admin", "Wizard"] {
        let mut guest = Guest::random();
        guest.role = role.into();

        let reply = app.ci_post("/register", &guest.body()).await;

        let fields = reply.ci_fields("Registration validation failed");
        assert!(fields.contains("role"), "{role:?}: {reply:#?}");
        app.ci_login_reply(&guest.email, &guest.password)
            .await
            .ci_error(401, "INVALID_CREDENTIALS");
        app.assert_mail_count(MailKind::Verification, &guest.email, 0)
            .await;
    }
}

#[apply(backends)]
async fn register_without_a_role_or_with_a_blank_one_gets_the_default_role(backend: Backend) {
    let app = spawn_checkinn_app(backend).await;
    let absent = Guest::random();
    let mut body = absent.body();
    body.as_object_mut().unwrap().remove("role");
    let mut blank = Guest::random();
    blank.role = " ".into();

    let without = app.ci_post("/register", &body).await;
    let with_blank = app.ci_post("/register", &blank.body()).await;

    assert_eq!(Session::of(&without, 201).user["role"], "Customer");
    assert_eq!(Session::of(&with_blank, 201).user["role"], "Customer");
}

#[apply(backends)]
async fn a_weak_password_answers_the_documents_field_messages(backend: Backend) {
    let app = spawn_checkinn_app(backend).await;
    for (password, expected) in [
        (
            "testpass123!",
            "Password must contain at least one uppercase letter",
        ),
        (
            "TESTPASS123!",
            "Password must contain at least one lowercase letter",
        ),
        ("TestPassword!", "Password must contain at least one number"),
        (
            "TestPass1234",
            "Password must contain at least one special character",
        ),
    ] {
        let mut guest = Guest::random();
        guest.password = password.into();

        let reply = app.ci_post("/register", &guest.body()).await;

        let errors = reply.ci_field_errors("Registration validation failed");
        assert!(
            errors.contains(&("password".to_owned(), expected.to_owned())),
            "{password}: {errors:?}"
        );
    }
}

#[apply(backends)]
async fn a_taken_email_in_any_case_answers_409(backend: Backend) {
    let app = spawn_checkinn_app(backend).await;
    let guest = Guest::random();
    app.ci_register(&guest).await;
    let mut again = Guest::random();
    again.email = guest.email.to_uppercase();

    let reply = app.ci_post("/register", &again.body()).await;

    reply.ci_error(409, "EMAIL_EXISTS");
}

#[apply(backends)]
async fn the_mailed_token_verifies_the_email(backend: Backend) {
    let app = spawn_checkinn_app(backend).await;
    let guest = Guest::random();
    let session = app.ci_register(&guest).await;

    let reply = app.ci_verify_by_mail(&guest.email).await;

    reply.ci_ok(200);
    assert!(reply.body["message"].is_string(), "{reply:#?}");
    let user = app.ci_user(&session.token).await;
    assert_eq!(user["isEmailVerified"], true, "{user}");
    assert_eq!(user["status"], "active", "{user}");
    assert_eq!(app.ci_login(&guest).await.user["isEmailVerified"], true);
    // Used once, the token is spent.
    app.ci_verify_by_mail(&guest.email)
        .await
        .ci_error(404, "INVALID_TOKEN");
}

#[apply(backends)]
async fn resend_verification_mails_a_new_token_and_answers_alike_for_unknown_emails(
    backend: Backend,
) {
    let app = spawn_checkinn_app_with(backend, &[("MAIL_COOLDOWN", "0")]).await;
    let guest = Guest::random();
    app.ci_register(&guest).await;
    let first = app
        .token_from_mail(MailKind::Verification, &guest.email)
        .await;

    let known = app
        .ci_post("/resend-verification", &json!({"email": guest.email}))
        .await;
    let unknown = app
        .ci_post(
            "/resend-verification",
            &json!({"email": "nobody@example.com"}),
        )
        .await;

    known.ci_ok(200);
    assert_eq!(known.body, unknown.body, "no account enumeration");
    let mails = app
        .wait_for_mails(MailKind::Verification, &guest.email, 2)
        .await;
    let newest = mails
        .iter()
        .map(|mail| app.token_in(mail, MailKind::Verification))
        .find(|token| *token != first)
        .expect("the second mail carries a new token");
    app.ci_post("/verify-email", &json!({ "token": newest }))
        .await
        .ci_ok(200);
    app.assert_mail_count(MailKind::Verification, "nobody@example.com", 0)
        .await;
}

#[apply(backends)]
async fn login_admits_a_pending_account_that_v1_still_refuses(backend: Backend) {
    let app = spawn_checkinn_app(backend).await;
    let guest = Guest::random();
    app.ci_register(&guest).await;

    let session = app.ci_login(&guest).await;

    assert_eq!(session.user["isEmailVerified"], false);
    app.ci_me(&session.token).await.ci_ok(200);
    app.login_reply(&guest.credentials())
        .await
        .error(401, "EMAIL_NOT_VERIFIED");
}

#[apply(backends)]
async fn with_checkinn_require_email_verification_login_waits_for_the_mailed_link(
    backend: Backend,
) {
    let app =
        spawn_checkinn_app_with(backend, &[("CHECKINN_REQUIRE_EMAIL_VERIFICATION", "true")]).await;
    let mut user = TestUser::random();
    user.password = PASSWORD.into();
    let registered = app.register(&user.registration_body()).await;
    registered.ok(201);

    let refused = app.ci_login_reply(&user.email, PASSWORD).await;

    refused.ci_error(401, "EMAIL_NOT_VERIFIED");
    app.ci_verify_by_mail(&user.email).await.ci_ok(200);
    Session::of(&app.ci_login_reply(&user.email, PASSWORD).await, 200);
}

/// With the CheckInn verification rule on, register answers the account alone: no token to
/// use before the emailed link is followed, and no cookie.
#[apply(backends)]
async fn with_verification_required_register_signs_nothing_in(backend: Backend) {
    let app =
        spawn_checkinn_app_with(backend, &[("CHECKINN_REQUIRE_EMAIL_VERIFICATION", "true")]).await;
    let guest = Guest::random();

    let reply = app.ci_post("/register", &guest.body()).await;

    let body = reply.ci_ok(201);
    assert!(body["data"]["user"]["id"].is_string(), "{reply:#?}");
    assert_eq!(body["data"]["user"]["isEmailVerified"], false);
    assert!(body["data"].get("token").is_none(), "{reply:#?}");
    assert!(body.get("token").is_none(), "{reply:#?}");
    assert!(reply.cookie("refresh_token").is_none(), "{reply:#?}");
    app.ci_login_reply(&guest.email, &guest.password)
        .await
        .ci_error(401, "EMAIL_NOT_VERIFIED");
}

#[apply(backends)]
async fn a_wrong_password_or_unknown_email_answers_401(backend: Backend) {
    let app = spawn_checkinn_app(backend).await;
    let guest = Guest::random();
    app.ci_register(&guest).await;

    let wrong = app.ci_login_reply(&guest.email, WRONG_PASSWORD).await;
    let unknown = app.ci_login_reply("nobody@example.com", PASSWORD).await;

    wrong.ci_error(401, "INVALID_CREDENTIALS");
    unknown.ci_error(401, "INVALID_CREDENTIALS");
    assert_eq!(wrong.body["message"], unknown.body["message"]);
}

#[apply(backends)]
async fn login_without_its_fields_names_them(backend: Backend) {
    let app = spawn_checkinn_app(backend).await;

    let reply = app.ci_post("/login", &json!({})).await;

    let fields = reply.ci_fields("Validation failed");
    assert!(
        fields.contains("email") && fields.contains("password"),
        "{fields:?}"
    );
}
