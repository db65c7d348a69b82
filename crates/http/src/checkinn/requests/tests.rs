//! The form checks of the CheckInn bodies.

use super::*;

fn fields(e: ApiError) -> Vec<(String, &'static str)> {
    match e {
        ApiError::Validation(f) => f.into_iter().map(|f| (f.field, f.code)).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

/// The service's problems of a registration, as a stub: an `email` without `@` and a `phone`
/// `bad` are faulted, and a missing `email` and `password` are (as the service does).
fn domain(input: &RegisterInput) -> Vec<FieldError> {
    let mut problems = Vec::new();
    if !input.email.contains('@') {
        problems.push(FieldError::new(
            "email",
            codes::INVALID_EMAIL,
            "Invalid email",
        ));
    }
    if input.password.expose_secret().is_empty() {
        problems.push(FieldError::new(
            "password",
            codes::REQUIRED,
            "Password is required",
        ));
    }
    if input.phone.as_deref() == Some("bad") {
        problems.push(FieldError::new(
            "phone",
            codes::INVALID_FORMAT,
            "Invalid phone",
        ));
    }
    if input.first_name.is_none() {
        problems.push(FieldError::new(
            "firstName",
            codes::REQUIRED,
            "First name is required",
        ));
    }
    problems
}

fn register(json: serde_json::Value) -> Result<RegisterInput, ApiError> {
    serde_json::from_value::<RegisterBody>(json)
        .unwrap()
        .into_input(domain)
}

#[test]
fn a_name_is_split_on_its_last_blank() {
    assert_eq!(
        split_name(" John Ronald Doe "),
        ("John Ronald".to_owned(), Some("Doe".to_owned()))
    );
    assert_eq!(split_name("Cher"), ("Cher".to_owned(), None));
    assert_eq!(
        split_name("Ngô  Bảo Châu"),
        ("Ngô  Bảo".to_owned(), Some("Châu".to_owned()))
    );
}

#[test]
fn the_documents_register_body_becomes_a_registration_without_username() {
    let input = register(serde_json::json!({
        "name": "John Doe", "email": "john@example.com", "phone": "0987654321",
        "password": "SecurePass123!", "role": "Customer"
    }))
    .unwrap();
    assert_eq!(input.username, None);
    assert_eq!(input.first_name.as_deref(), Some("John"));
    assert_eq!(input.last_name.as_deref(), Some("Doe"));
    assert_eq!(input.phone.as_deref(), Some("0987654321"));
    assert_eq!(input.role.as_deref(), Some("Customer"));
}

#[test]
fn every_form_problem_of_a_registration_is_reported_at_once() {
    let e = register(serde_json::json!({
        "name": "  ", "email": "not-an-email", "password": "Abcdefg1!",
        "passwordConfirm": "Abcdefg2!"
    }))
    .unwrap_err();
    assert_eq!(
        fields(e),
        [
            ("name".to_owned(), codes::REQUIRED),
            ("passwordConfirm".to_owned(), codes::INVALID_FORMAT),
            ("email".to_owned(), codes::INVALID_EMAIL),
        ]
    );
    let e = register(serde_json::json!({})).unwrap_err();
    let named: Vec<String> = fields(e).into_iter().map(|f| f.0).collect();
    assert_eq!(
        named,
        ["name", "email", "password"],
        "each once, by the form"
    );
    let long = "x".repeat(101);
    let e = register(serde_json::json!({"name": long, "email": "a@b.co", "password": "x"}));
    assert_eq!(
        fields(e.unwrap_err()),
        [("name".to_owned(), codes::TOO_LONG)]
    );
}

/// A form problem does not hide the service's problems of the other fields.
#[test]
fn with_a_form_problem_the_services_problems_come_too() {
    let e = register(serde_json::json!({
        "email": "x@example.com", "password": "Abcdefg1!", "passwordConfirm": "other",
        "phone": "bad"
    }))
    .unwrap_err();
    assert_eq!(
        fields(e),
        [
            ("name".to_owned(), codes::REQUIRED),
            ("passwordConfirm".to_owned(), codes::INVALID_FORMAT),
            ("phone".to_owned(), codes::INVALID_FORMAT),
        ]
    );
}

#[test]
fn without_a_form_problem_the_service_checks_alone() {
    let input = register(serde_json::json!({
        "name": "Jo", "email": "x@example.com", "password": "p", "phone": "bad"
    }))
    .unwrap();
    assert_eq!(input.phone.as_deref(), Some("bad"));
}

#[test]
fn a_missing_field_is_named_as_the_service_names_it() {
    let e = serde_json::from_value::<UpdatePasswordBody>(serde_json::json!({}))
        .unwrap()
        .into_parts()
        .unwrap_err();
    let ApiError::Validation(problems) = e else {
        panic!("{e:?}");
    };
    let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "Current password is required",
            "Password is required",
            "Password confirmation is required"
        ]
    );
}

#[test]
fn a_password_change_needs_all_three_fields_and_a_matching_confirmation() {
    let parse = |json| serde_json::from_value::<UpdatePasswordBody>(json).unwrap();
    let e = parse(serde_json::json!({"password": "a"}))
        .into_parts()
        .unwrap_err();
    let named: Vec<String> = fields(e).into_iter().map(|f| f.0).collect();
    assert_eq!(named, ["passwordCurrent", "passwordConfirm"]);
    let e = parse(serde_json::json!({
        "passwordCurrent": "a", "password": "b", "passwordConfirm": "c"
    }))
    .into_parts()
    .unwrap_err();
    assert_eq!(
        fields(e),
        [("passwordConfirm".to_owned(), codes::INVALID_FORMAT)]
    );
}

#[test]
fn update_me_sets_both_names_and_leaves_absent_fields_alone() {
    let parse = |json| serde_json::from_value::<UpdateMeBody>(json).unwrap();
    let input = parse(serde_json::json!({"name": "Jane"}))
        .into_input()
        .unwrap();
    assert_eq!(input.first_name, Some(Some("Jane".to_owned())));
    assert_eq!(
        input.last_name,
        Some(None),
        "one word: no last name any more"
    );
    assert_eq!(input.phone, None);
    let input = parse(serde_json::json!({"phone": null}))
        .into_input()
        .unwrap();
    assert_eq!((input.first_name, input.phone), (None, Some(None)));
    let e = parse(serde_json::json!({"name": null}))
        .into_input()
        .unwrap_err();
    assert_eq!(fields(e), [("name".to_owned(), codes::REQUIRED)]);
}

#[test]
fn a_blank_verification_token_is_missing_as_on_v1() {
    let parse = |json| serde_json::from_value::<VerifyEmailBody>(json).unwrap();
    for body in [serde_json::json!({"token": "  "}), serde_json::json!({})] {
        let e = parse(body).into_token().unwrap_err();
        assert!(matches!(e, ApiError::MissingToken), "{e:?}");
    }
    let t = parse(serde_json::json!({"token": " abc "}))
        .into_token()
        .unwrap();
    assert_eq!(t.expose_secret(), "abc");
}
