use super::*;

fn missing_fields(e: ApiError) -> Vec<(String, &'static str)> {
    match e {
        ApiError::Validation(f) => f.into_iter().map(|f| (f.field, f.code)).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[test]
fn register_lists_every_missing_required_field() {
    let body: RegisterRequest = serde_json::from_str(r#"{"username":"john"}"#).unwrap();
    let err = body.into_input().unwrap_err();
    assert_eq!(
        missing_fields(err),
        vec![
            ("email".to_owned(), "REQUIRED_FIELD_MISSING"),
            ("password".to_owned(), "REQUIRED_FIELD_MISSING")
        ]
    );
}

#[test]
fn a_null_required_field_counts_as_missing() {
    let body: ChangePasswordRequest =
        serde_json::from_str(r#"{"currentPassword":null,"newPassword":"x"}"#).unwrap();
    let err = body.into_parts().unwrap_err();
    assert_eq!(
        missing_fields(err),
        vec![("currentPassword".to_owned(), "REQUIRED_FIELD_MISSING")]
    );
}

#[test]
fn a_complete_register_body_becomes_the_service_input() {
    let body: RegisterRequest = serde_json::from_str(
        r#"{"email":"a@b.c","username":"john","password":"pw","firstName":"John"}"#,
    )
    .unwrap();
    let input = body.into_input().unwrap();
    assert_eq!(input.email, "a@b.c");
    assert_eq!(input.first_name.as_deref(), Some("John"));
    assert_eq!(input.last_name, None);
}

#[test]
fn profile_update_tells_an_absent_field_from_a_null_one() {
    let body: UpdateProfileRequest =
        serde_json::from_str(r#"{"firstName":"Jo","phone":null}"#).unwrap();
    let input = ProfileInput::from(body);
    assert_eq!(input.first_name, Some(Some("Jo".to_owned())));
    assert_eq!(input.phone, Some(None));
    assert_eq!(input.last_name, None);
}

/// Deserializes `json` as `T` and prints it with `{:?}`.
fn debug_of<T: for<'de> Deserialize<'de> + std::fmt::Debug>(json: &str) -> String {
    format!("{:?}", serde_json::from_str::<T>(json).unwrap())
}

#[test]
fn no_request_body_prints_a_password_or_a_token() {
    const SECRET: &str = "s3cret-Value-42";
    let printed = [
        debug_of::<RegisterRequest>(
            r#"{"email":"a@b.c","username":"jo","password":"s3cret-Value-42"}"#,
        ),
        debug_of::<LoginRequest>(
            r#"{"email":"a@b.c","password":"s3cret-Value-42","deviceToken":"s3cret-Value-42"}"#,
        ),
        debug_of::<RefreshRequest>(r#"{"refreshToken":"s3cret-Value-42"}"#),
        debug_of::<VerifyEmailRequest>(r#"{"token":"s3cret-Value-42"}"#),
        debug_of::<ResetPasswordRequest>(
            r#"{"token":"s3cret-Value-42","newPassword":"s3cret-Value-42"}"#,
        ),
        debug_of::<ChangePasswordRequest>(
            r#"{"currentPassword":"s3cret-Value-42","newPassword":"s3cret-Value-42"}"#,
        ),
        debug_of::<PasswordRequest>(r#"{"password":"s3cret-Value-42"}"#),
    ];
    for debug in printed {
        assert!(!debug.contains(SECRET), "{debug}");
        assert!(debug.contains("REDACTED"), "{debug}");
    }
    // The bodies without secrets print as usual.
    assert!(debug_of::<EmailRequest>(r#"{"email":"a@b.c"}"#).contains("a@b.c"));
    assert!(debug_of::<LogoutRequest>(r#"{"logoutAllDevices":true}"#).contains("true"));
}

#[test]
fn the_body_device_token_wins_over_the_cookie_and_an_empty_one_does_not_count() {
    let cookie = || Some(SecretString::from("from-cookie"));
    let device = |json: &str| {
        let body: LoginRequest = serde_json::from_str(json).unwrap();
        body.into_input(cookie())
            .device_token
            .map(|t| t.expose_secret().to_owned())
    };
    assert_eq!(
        device(r#"{"deviceToken":"from-body"}"#).as_deref(),
        Some("from-body")
    );
    assert_eq!(device("{}").as_deref(), Some("from-cookie"));
    assert_eq!(
        device(r#"{"deviceToken":""}"#).as_deref(),
        Some("from-cookie")
    );
    let body: LoginRequest = serde_json::from_str("{}").unwrap();
    assert!(body.into_input(None).device_token.is_none());
}

#[test]
fn tokens_are_trimmed_and_a_blank_verification_token_is_missing() {
    let body: VerifyEmailRequest = serde_json::from_str(r#"{"token":"  tok \n"}"#).unwrap();
    assert_eq!(body.into_token().unwrap().expose_secret(), "tok");
    let blank: VerifyEmailRequest = serde_json::from_str(r#"{"token":"   "}"#).unwrap();
    assert_eq!(blank.into_token().unwrap_err().code(), "MISSING_TOKEN");
    let reset: ResetPasswordRequest =
        serde_json::from_str(r#"{"token":" tok ","newPassword":" pw "}"#).unwrap();
    let (token, password) = reset.into_parts().unwrap();
    assert_eq!(token.expose_secret(), "tok");
    assert_eq!(password.expose_secret(), " pw ");
}
