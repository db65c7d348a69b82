//! `setup`: a new authenticator, pending until confirmed.

use super::{service, user_is};
use crate::mfa::{BackupCode, FactorKind, SealedSecret, TotpAlgorithm, TotpSecret};
use crate::notification::Notification;
use crate::ports::{BeginSetupError, CodeTarget, OtpauthError};
use crate::services::mfa::{MfaError, SetupDelivery, SetupInput};
use crate::services::test_support::{Mocks, active_user, port_down, t0};
use crate::session::ClientInfo;
use crate::values::codes;
use secrecy::ExposeSecret;

fn totp(device_name: Option<&str>) -> SetupInput {
    SetupInput {
        kind: Some("totp".into()),
        device_name: device_name.map(Into::into),
        code: None,
        phone: None,
    }
}

/// The crypto ports make a secret, its URL, QR and base32, and ten codes digested as `d-<code>`.
fn crypto(m: &mut Mocks) {
    m.otp
        .expect_new_totp_secret()
        .times(1)
        .returning(|| TotpSecret::new(b"raw-secret".to_vec(), TotpAlgorithm::Sha1));
    m.otp
        .expect_otpauth_url()
        .withf(|secret, issuer, account| {
            secret.expose_bytes() == b"raw-secret"
                && issuer == "authd"
                && account == "jane@example.com"
        })
        .times(1)
        .returning(|_, _, _| Ok("otpauth://totp/authd:jane%40example.com?secret=B32".into()));
    m.otp
        .expect_base32()
        .returning(|_| secrecy::SecretString::from("B32"));
    m.qr.expect_png_data_url()
        .withf(|text| text.starts_with("otpauth://"))
        .returning(|_| "data:image/png;base64,QR".into());
    m.sealer
        .expect_seal()
        .returning(|_| SealedSecret::from_bytes(b"sealed".to_vec()));
    m.otp.expect_backup_codes().times(1).returning(|n| {
        (0..n)
            .map(|i| BackupCode::from_number(u32::try_from(i).unwrap() + 10_000_000).unwrap())
            .collect()
    });
    m.otp
        .expect_digest_backup_code()
        .returning(|code| crate::token::TokenHash::from_trusted(format!("d-{}", code.as_str())));
}

#[tokio::test]
async fn a_setup_stores_a_pending_sealed_factor_and_hands_out_the_secret_once() {
    let user = active_user();
    let mut m = Mocks::new();
    user_is(&mut m, &user);
    crypto(&mut m);
    let uid = user.id;
    m.mfa
        .expect_begin_setup()
        .withf(move |factor, digests| {
            factor.user_id == uid
                && factor.kind == FactorKind::Totp
                && factor
                    .secret
                    .as_ref()
                    .is_some_and(|s| s.as_bytes() == b"sealed")
                && factor.confirmed_at.is_none()
                && factor.last_step.is_none()
                && factor.created_at == t0()
                && factor.device_name.as_ref().map(|n| n.as_str()) == Some("My phone")
                && digests.len() == 10
                && digests[0].as_str() == "d-10000000"
        })
        .times(1)
        .returning(|_, _| Ok(()));
    let answer = service(m)
        .setup(user.id, totp(Some(" My phone ")), &ClientInfo::default())
        .await
        .unwrap();
    assert_eq!(answer.kind, FactorKind::Totp);
    let SetupDelivery::Totp {
        secret,
        otpauth_url,
        qr_code,
    } = &answer.delivery
    else {
        panic!("{answer:?}")
    };
    assert_eq!(secret.expose_secret(), "B32");
    assert!(otpauth_url.expose_secret().starts_with("otpauth://totp/"));
    assert_eq!(qr_code.expose_secret(), "data:image/png;base64,QR");
    assert_eq!(answer.backup_codes.len(), 10);
    let printed = format!("{answer:?}");
    assert!(
        !printed.contains("B32") && !printed.contains("10000000"),
        "{printed}"
    );
}

#[tokio::test]
async fn a_setup_while_totp_is_on_answers_already_enabled() {
    let user = active_user();
    let mut m = Mocks::new();
    user_is(&mut m, &user);
    crypto(&mut m);
    m.mfa
        .expect_begin_setup()
        .times(1)
        .returning(|_, _| Err(BeginSetupError::AlreadyEnabled));
    let err = service(m)
        .setup(user.id, totp(None), &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(matches!(err, MfaError::AlreadyEnabled), "{err:?}");
}

#[tokio::test]
async fn sms_without_a_gateway_is_unavailable_before_anything_is_looked_up() {
    let input = SetupInput {
        kind: Some("sms".into()),
        device_name: None,
        code: None,
        phone: Some("+84987654321".into()),
    };
    let err = service(Mocks::new())
        .setup(active_user().id, input, &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(matches!(err, MfaError::MethodUnavailable), "{err:?}");
}

fn email() -> SetupInput {
    SetupInput {
        kind: Some("email".into()),
        device_name: None,
        code: None,
        phone: None,
    }
}

/// Ten backup codes digested as `d-<code>`, and no TOTP secret.
pub(super) fn backup_codes_only(m: &mut Mocks) {
    m.otp.expect_new_totp_secret().never();
    m.sealer.expect_seal().never();
    m.otp.expect_backup_codes().times(1).returning(|n| {
        (0..n)
            .map(|i| BackupCode::from_number(u32::try_from(i).unwrap() + 10_000_000).unwrap())
            .collect()
    });
    m.otp
        .expect_digest_backup_code()
        .returning(|code| crate::token::TokenHash::from_trusted(format!("d-{}", code.as_str())));
}

#[tokio::test]
async fn an_email_setup_stores_a_pending_factor_and_queues_its_code_mail() {
    let user = active_user();
    let mut m = Mocks::new();
    user_is(&mut m, &user);
    backup_codes_only(&mut m);
    let uid = user.id;
    let stored = std::sync::Arc::new(std::sync::Mutex::new(None));
    let seen = stored.clone();
    m.mfa
        .expect_begin_setup()
        .withf(move |factor, digests| {
            factor.user_id == uid
                && factor.kind == FactorKind::Email
                && factor.secret.is_none()
                && factor.confirmed_at.is_none()
                && digests.len() == 10
        })
        .times(1)
        .returning(move |factor, _| {
            *seen.lock().unwrap() = Some(factor.id);
            Ok(())
        });
    let queued = stored.clone();
    m.outbox
        .expect_enqueue()
        .withf(move |mail, at| {
            let factor = queued.lock().unwrap().expect("stored before the mail");
            *at == t0()
                && matches!(mail, Notification::MfaCode { user_id, to, target, .. }
                    if *user_id == uid && to.as_str() == "jane@example.com"
                        && *target == CodeTarget::Factor(factor))
        })
        .times(1)
        .returning(|_, _| Ok(crate::ids::MessageId::new()));
    let answer = service(m)
        .setup(user.id, email(), &ClientInfo::default())
        .await
        .unwrap();
    assert_eq!(answer.kind, FactorKind::Email);
    assert_eq!(Some(answer.factor_id), *stored.lock().unwrap());
    assert!(
        matches!(&answer.delivery, SetupDelivery::Email { sent_to } if sent_to == "j***@example.com"),
        "{answer:?}"
    );
    assert_eq!(answer.backup_codes.len(), 10);
}

#[tokio::test]
async fn an_email_setup_while_email_is_on_answers_already_enabled_and_sends_nothing() {
    let user = active_user();
    let mut m = Mocks::new();
    user_is(&mut m, &user);
    backup_codes_only(&mut m);
    m.mfa
        .expect_begin_setup()
        .times(1)
        .returning(|_, _| Err(BeginSetupError::AlreadyEnabled));
    m.outbox.expect_enqueue().never();
    let err = service(m)
        .setup(user.id, email(), &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(matches!(err, MfaError::AlreadyEnabled), "{err:?}");
}

#[tokio::test]
async fn an_email_setup_whose_mail_cannot_be_queued_is_an_infrastructure_error() {
    let user = active_user();
    let mut m = Mocks::new();
    user_is(&mut m, &user);
    backup_codes_only(&mut m);
    m.mfa.expect_begin_setup().returning(|_, _| Ok(()));
    m.outbox.expect_enqueue().returning(|_, _| Err(port_down()));
    let err = service(m)
        .setup(user.id, email(), &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(matches!(err, MfaError::Infra(_)), "{err:?}");
}

#[tokio::test]
async fn a_missing_or_unknown_type_and_a_bad_name_are_reported_together() {
    for (kind, expected) in [
        (None, codes::REQUIRED),
        (Some(" "), codes::REQUIRED),
        (Some("push"), codes::INVALID_FORMAT),
        (Some("backup_code"), codes::INVALID_FORMAT),
        (Some("TOTP"), codes::INVALID_FORMAT),
    ] {
        let input = SetupInput {
            kind: kind.map(Into::into),
            device_name: Some("x".repeat(65)),
            code: None,
            phone: None,
        };
        let err = service(Mocks::new())
            .setup(active_user().id, input, &ClientInfo::default())
            .await
            .unwrap_err();
        let MfaError::Validation(errors) = err else {
            panic!("{err:?}")
        };
        let found: Vec<_> = errors
            .0
            .iter()
            .map(|e| (e.field.as_str(), e.code))
            .collect();
        assert_eq!(
            found,
            [("type", expected), ("deviceName", codes::TOO_LONG)],
            "{kind:?}"
        );
    }
}

#[tokio::test]
async fn a_vanished_or_deleted_account_answers_user_not_found() {
    let mut deleted = active_user();
    deleted.status = crate::user::AccountStatus::Deleted;
    for found in [None, Some(deleted)] {
        let mut m = Mocks::new();
        m.users
            .expect_find_by_id()
            .returning(move |_| Ok(found.clone()));
        m.mfa.expect_begin_setup().never();
        let err = service(m)
            .setup(active_user().id, totp(None), &ClientInfo::default())
            .await
            .unwrap_err();
        assert!(matches!(err, MfaError::UserNotFound), "{err:?}");
    }
}

#[tokio::test]
async fn an_unusable_otpauth_label_stores_nothing() {
    let user = active_user();
    let mut m = Mocks::new();
    user_is(&mut m, &user);
    m.otp
        .expect_new_totp_secret()
        .returning(|| TotpSecret::new(b"raw-secret".to_vec(), TotpAlgorithm::Sha1));
    m.otp
        .expect_otpauth_url()
        .returning(|_, _, _| Err(OtpauthError::InvalidLabel("issuer")));
    m.mfa.expect_begin_setup().never();
    let err = service(m)
        .setup(user.id, totp(None), &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(matches!(err, MfaError::Infra(_)), "{err:?}");
}

#[tokio::test]
async fn a_storage_outage_during_setup_is_an_infrastructure_error() {
    let user = active_user();
    let mut m = Mocks::new();
    user_is(&mut m, &user);
    crypto(&mut m);
    m.mfa
        .expect_begin_setup()
        .returning(|_, _| Err(BeginSetupError::Port(port_down())));
    let err = service(m)
        .setup(user.id, totp(None), &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(matches!(err, MfaError::Infra(_)), "{err:?}");
}

/// A stolen access token alone must not add a factor (whose confirmation would replace the
/// owner's backup codes): while MFA is on, setup asks for a current code first.
#[tokio::test]
async fn while_mfa_is_on_a_setup_without_a_current_code_is_refused_and_stores_nothing() {
    let user = crate::services::test_support::mfa_user();
    let mut m = Mocks::new();
    user_is(&mut m, &user);
    // The user's factor is email; the setup adds an authenticator.
    m.mfa.expect_find_factor().returning(|_, _| Ok(None));
    m.mfa.expect_begin_setup().never();
    m.otp.expect_new_totp_secret().never();
    let err = service(m)
        .setup(user.id, totp(None), &ClientInfo::default())
        .await
        .unwrap_err();
    let MfaError::Validation(errors) = err else {
        panic!("expected a validation error, got {err:?}");
    };
    assert_eq!(errors.0[0].field, "code");
    assert_eq!(errors.0[0].code, codes::REQUIRED);
}
