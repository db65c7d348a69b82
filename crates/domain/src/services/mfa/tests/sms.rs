//! SMS factors with a bearer: setup takes the number from the body or the profile (E.164 only)
//! and queues the first code by SMS, only with a gateway; a pending one is confirmed by its
//! texted code; `send_code` texts step-up codes, once per cooldown of the number.

use super::setup::backup_codes_only;
use super::{user_is, with_settings};
use crate::audit::AuditKind;
use crate::mfa::{Factor, FactorKind};
use crate::notification::Notification;
use crate::ports::CodeTarget;
use crate::services::mfa::{MfaError, MfaSettings, SetupDelivery, SetupInput};
use crate::services::test_support::{
    Mocks, active_user, audit_kinds, capture_audit, code_digests, mfa_user, sent_code_mocks,
    sms_factor, t0, verify_limit,
};
use crate::session::ClientInfo;
use crate::user::User;
use crate::values::{Phone, codes};

fn with_gateway(m: Mocks) -> crate::services::mfa::Mfa {
    with_settings(
        m,
        MfaSettings {
            sms_available: true,
            ..MfaSettings::default()
        },
    )
}

fn sms(phone: Option<&str>) -> SetupInput {
    SetupInput {
        kind: Some("sms".into()),
        device_name: None,
        phone: phone.map(Into::into),
        code: None,
    }
}

fn with_profile_phone(phone: Option<&str>) -> User {
    let mut user = active_user();
    user.profile.phone = phone.map(|p| Phone::parse(p, "phone").unwrap());
    user
}

/// Setup stores a pending SMS factor to `number` and queues an SMS code for it to `number`.
fn stores_and_texts(m: &mut Mocks, user: &User, number: &'static str) {
    backup_codes_only(m);
    let uid = user.id;
    m.mfa
        .expect_begin_setup()
        .withf(move |factor, digests| {
            factor.user_id == uid
                && factor.kind == FactorKind::Sms
                && factor.secret.is_none()
                && factor.phone.as_ref().map(|p| p.as_str()) == Some(number)
                && digests.len() == 10
        })
        .times(1)
        .returning(|_, _| Ok(()));
    m.outbox
        .expect_enqueue()
        .withf(move |mail, at| {
            *at == t0()
                && matches!(mail, Notification::SmsCode { user_id, phone, target: CodeTarget::Factor(_), .. }
                    if *user_id == uid && phone.as_str() == number)
        })
        .times(1)
        .returning(|_, _| Ok(crate::ids::MessageId::new()));
}

#[tokio::test]
async fn an_sms_setup_texts_the_number_given_and_answers_it_masked() {
    let user = with_profile_phone(Some("+1 415 555 0123"));
    let mut m = Mocks::new();
    user_is(&mut m, &user);
    stores_and_texts(&mut m, &user, "+84987654321");
    let answer = with_gateway(m)
        .setup(
            user.id,
            sms(Some(" +84 987-654-321 ")),
            &ClientInfo::default(),
        )
        .await
        .unwrap();
    assert_eq!(answer.kind, FactorKind::Sms);
    assert!(
        matches!(&answer.delivery, SetupDelivery::Sms { sent_to } if sent_to == "+84******321"),
        "{answer:?}"
    );
    assert_eq!(answer.backup_codes.len(), 10);
}

#[tokio::test]
async fn without_a_number_in_the_body_the_profiles_international_phone_is_texted() {
    let user = with_profile_phone(Some("+1 (415) 555-0123"));
    let mut m = Mocks::new();
    user_is(&mut m, &user);
    stores_and_texts(&mut m, &user, "+14155550123");
    with_gateway(m)
        .setup(user.id, sms(None), &ClientInfo::default())
        .await
        .unwrap();
}

#[tokio::test]
async fn no_usable_number_is_a_validation_error_on_phone_that_stores_nothing() {
    for (profile, given, code) in [
        (None, None, codes::REQUIRED),
        (Some("030.1234.5678"), None, codes::INVALID_FORMAT),
        (None, Some("0987654321"), codes::INVALID_FORMAT),
        (Some("+84987654321"), Some("+0123"), codes::INVALID_FORMAT),
    ] {
        let user = with_profile_phone(profile);
        let mut m = Mocks::new();
        user_is(&mut m, &user);
        m.mfa.expect_begin_setup().never();
        m.outbox.expect_enqueue().never();
        let err = with_gateway(m)
            .setup(user.id, sms(given), &ClientInfo::default())
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
        assert_eq!(found, [("phone", code)], "{profile:?} {given:?}");
    }
}

/// The user's factors: no authenticator, no email factor, `sms`.
fn factors_are(m: &mut Mocks, sms: Option<Factor>) {
    for kind in [FactorKind::Totp, FactorKind::Email] {
        m.mfa
            .expect_find_factor()
            .withf(move |_, k| *k == kind)
            .returning(|_, _| Ok(None));
    }
    m.mfa
        .expect_find_factor()
        .withf(|_, kind| *kind == FactorKind::Sms)
        .returning(move |_, _| Ok(sms.clone()));
}

#[tokio::test]
async fn the_code_texted_for_a_pending_sms_factor_confirms_it() {
    let user = active_user();
    let mut m = sent_code_mocks();
    let events = capture_audit(&mut m);
    let factor = sms_factor(&user, false);
    user_is(&mut m, &user);
    factors_are(&mut m, Some(factor.clone()));
    verify_limit(&mut m, &user, true);
    code_digests(&mut m);
    let target = CodeTarget::Factor(factor.id);
    m.mfa
        .expect_use_code()
        .withf(move |t, digests, _| *t == target && digests[0].as_str() == "c-246810")
        .times(1)
        .returning(|_, _, _| Ok(true));
    let id = factor.id;
    m.mfa
        .expect_confirm_factor()
        .withf(move |fid, _, mail| *fid == id && matches!(mail, Notification::MfaEnabled { .. }))
        .times(1)
        .returning(|_, _, _| Ok(true));
    with_gateway(m)
        .confirm(user.id, Some("246810".into()), &ClientInfo::default())
        .await
        .unwrap();
    assert_eq!(audit_kinds(&events), [AuditKind::MfaEnabled]);
}

/// The SMS cooldown key digests the number as `sha(<number>)`; this one answers `allowed`.
fn sms_cooldown(m: &mut Mocks, allowed: bool) {
    m.tokens
        .expect_digest()
        .returning(|s| crate::token::TokenHash::from_trusted(format!("sha({s})")));
    m.rate_limiter
        .expect_hit()
        .withf(|key, limit| {
            key.strip_prefix("mail:mfa_sms_code:")
                .is_some_and(|id| uuid::Uuid::try_parse(id).is_ok())
                && limit.max == 1
        })
        .times(1)
        .returning(move |_, limit| {
            Ok(crate::policy::rate_limit::RateLimitDecision {
                allowed,
                limit: limit.max,
                remaining: 0,
                resets_in: limit.window,
            })
        });
}

#[tokio::test]
async fn a_step_up_code_is_texted_to_the_sms_factor_once_per_cooldown_of_its_number() {
    let user = mfa_user();
    let factor = sms_factor(&user, true);
    for allowed in [true, false] {
        let mut m = sent_code_mocks();
        user_is(&mut m, &user);
        factors_are(&mut m, Some(factor.clone()));
        sms_cooldown(&mut m, allowed);
        let target = CodeTarget::Factor(factor.id);
        m.outbox
            .expect_enqueue()
            .withf(move |mail, at| {
                *at == t0()
                    && matches!(mail, Notification::SmsCode { target: t, phone, .. }
                        if *t == target && phone.as_str() == "+84987654321")
            })
            .times(usize::from(allowed))
            .returning(|_, _| Ok(crate::ids::MessageId::new()));
        with_gateway(m)
            .send_code(user.id, Some("sms".into()))
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn no_step_up_code_by_sms_without_an_sms_factor() {
    let user = mfa_user();
    let mut m = sent_code_mocks();
    user_is(&mut m, &user);
    factors_are(&mut m, None);
    m.outbox.expect_enqueue().never();
    let err = with_gateway(m)
        .send_code(user.id, Some("sms".into()))
        .await
        .unwrap_err();
    assert!(matches!(err, MfaError::NotEnabled), "{err:?}");
}
