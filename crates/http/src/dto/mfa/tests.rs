use super::*;
use authd_domain::ids::FactorId;
use authd_domain::mfa::{BackupCode, FactorKind};

fn verify(json: &str) -> Result<VerifyStep, ApiError> {
    serde_json::from_str::<MfaVerifyRequest>(json)
        .unwrap()
        .into_step()
}

#[test]
fn a_verification_with_an_mfa_token_is_the_second_step_of_a_login() {
    let step = verify(r#"{"mfaToken":" tok ","code":" 123456 ","rememberDevice":true}"#);
    let Ok(VerifyStep::Login(input)) = step else {
        panic!("a login step: {step:?}");
    };
    assert_eq!(input.mfa_token.as_deref(), Some("tok"));
    assert_eq!(input.code.as_deref(), Some("123456"));
    assert_eq!(input.remember_device, Some(true));
}

#[test]
fn a_verification_without_an_mfa_token_confirms_and_ignores_a_device_id() {
    for body in [
        r#"{"code":"123456"}"#,
        r#"{"code":"123456","deviceId":"anything"}"#,
        r#"{"code":"123456","deviceId":{"nested":[1,2]}}"#,
    ] {
        let step = verify(body);
        let Ok(VerifyStep::Confirm(code)) = step else {
            panic!("a confirmation for {body}: {step:?}");
        };
        assert_eq!(code.expose_secret(), "123456");
    }
}

#[test]
fn a_verification_without_a_code_names_the_field() {
    for body in [r#"{"mfaToken":"tok"}"#, "{}", r#"{"code":null}"#] {
        let Err(ApiError::Validation(fields)) = verify(body) else {
            panic!("a validation error for {body}");
        };
        assert_eq!(fields.len(), 1, "{body}");
        assert_eq!(fields[0].field, "code");
        assert_eq!(fields[0].code, "REQUIRED_FIELD_MISSING");
    }
}

#[test]
fn turning_mfa_off_needs_the_password_and_a_code() {
    let body: DisableMfaRequest = serde_json::from_str("{}").unwrap();
    let Err(ApiError::Validation(fields)) = body.into_parts() else {
        panic!("a validation error");
    };
    let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(names, ["password", "code"]);
    let body: DisableMfaRequest =
        serde_json::from_str(r#"{"password":"pw","code":" 1234 5678 "}"#).unwrap();
    let (password, code) = body.into_parts().unwrap();
    assert_eq!(password.expose_secret(), "pw");
    assert_eq!(code, "1234 5678");
}

#[test]
fn setup_passes_type_device_name_and_phone_to_the_service() {
    let body: MfaSetupRequest =
        serde_json::from_str(r#"{"type":"sms","deviceName":"Phone","phone":"+84 987 654 321"}"#)
            .unwrap();
    let input = SetupInput::from(body);
    assert_eq!(input.kind.as_deref(), Some("sms"));
    assert_eq!(input.device_name.as_deref(), Some("Phone"));
    assert_eq!(input.phone.as_deref(), Some("+84 987 654 321"));
}

#[test]
fn an_sms_setup_answers_the_masked_number_and_no_secret() {
    let answer = SetupAnswer {
        factor_id: FactorId::new(),
        kind: FactorKind::Sms,
        delivery: SetupDelivery::Sms {
            sent_to: "+84******321".to_owned(),
        },
        backup_codes: vec![BackupCode::from_number(12_345_678).unwrap()],
    };
    let json = serde_json::to_value(MfaSetupData::from(&answer)).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "type": "sms",
            "sentTo": "+84******321",
            "backupCodes": ["12345678"],
        })
    );
}

#[test]
fn no_mfa_body_or_answer_prints_a_secret() {
    const SECRET: &str = "s3cretValue42";
    let requests = [
        format!(
            "{:?}",
            serde_json::from_str::<MfaVerifyRequest>(
                r#"{"mfaToken":"s3cretValue42","code":"s3cretValue42"}"#
            )
            .unwrap()
        ),
        format!(
            "{:?}",
            serde_json::from_str::<DisableMfaRequest>(
                r#"{"password":"s3cretValue42","code":"s3cretValue42"}"#
            )
            .unwrap()
        ),
        format!(
            "{:?}",
            verify(r#"{"mfaToken":"s3cretValue42","code":"s3cretValue42"}"#)
                .map(|s| match s {
                    VerifyStep::Login(i) => format!("{:?}", i.remember_device),
                    VerifyStep::Confirm(c) => format!("{c:?}"),
                })
                .unwrap()
        ),
    ];
    for printed in requests {
        assert!(!printed.contains(SECRET), "{printed}");
    }
    let answer = SetupAnswer {
        factor_id: FactorId::new(),
        kind: FactorKind::Totp,
        delivery: SetupDelivery::Totp {
            secret: SecretString::from(SECRET),
            otpauth_url: SecretString::from(format!("otpauth://totp/x?secret={SECRET}")),
            qr_code: SecretString::from(format!("data:image/png;base64,{SECRET}")),
        },
        backup_codes: vec![BackupCode::from_number(12_345_678).unwrap()],
    };
    let data = MfaSetupData::from(&answer);
    let printed = format!("{data:?}");
    assert!(
        !printed.contains(SECRET) && !printed.contains("12345678"),
        "{printed}"
    );
    // The answer itself carries them, once, to the user.
    let json = serde_json::to_value(&data).unwrap();
    assert_eq!(json["secret"], SECRET);
    assert_eq!(json["backupCodes"][0], "12345678");
    assert!(
        json["otpauthUrl"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://")
    );
    let codes = BackupCodesData {
        backup_codes: vec!["12345678".to_owned()],
    };
    assert!(!format!("{codes:?}").contains("12345678"));
}

#[test]
fn an_email_setup_answers_where_the_code_went_and_no_secret() {
    let answer = SetupAnswer {
        factor_id: FactorId::new(),
        kind: FactorKind::Email,
        delivery: SetupDelivery::Email {
            sent_to: "j***@example.com".to_owned(),
        },
        backup_codes: vec![BackupCode::from_number(12_345_678).unwrap()],
    };
    let json = serde_json::to_value(MfaSetupData::from(&answer)).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "type": "email",
            "sentTo": "j***@example.com",
            "backupCodes": ["12345678"],
        })
    );
}

#[test]
fn a_code_request_with_a_token_is_the_logins_and_without_one_the_bearers() {
    let with: MfaChallengeRequest =
        serde_json::from_value(serde_json::json!({"mfaToken": " tok ", "method": "email"}))
            .unwrap();
    let CodeFor::Login(request) = with.into_target() else {
        panic!("a login's request")
    };
    assert_eq!(request.mfa_token.as_deref(), Some("tok"));
    assert_eq!(request.method.as_deref(), Some("email"));
    let without: MfaChallengeRequest =
        serde_json::from_value(serde_json::json!({"method": "sms"})).unwrap();
    assert!(matches!(without.into_target(), CodeFor::Bearer(Some(m)) if m == "sms"));
}
