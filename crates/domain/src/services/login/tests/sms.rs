//! SMS codes at login: the code is texted with the challenge when SMS is the only factor (not
//! when an authenticator or email is there too), and `send_mfa_code` texts a new one for a live
//! challenge of a user with SMS on, once per cooldown of the number, only with a gateway.

use super::email::{challenge_found, overview_with, password_step, request};
use super::verify::{challenge_of, user_found};
use super::{PASSWORD, by_email, digest_of, login, with_settings};
use crate::mfa::{FactorKind, MfaMethod};
use crate::notification::Notification;
use crate::ports::CodeTarget;
use crate::services::login::{Login, LoginError, SendCodeError};
use crate::services::test_support::{
    Mocks, email_factor, mfa_user, opaque, sent_code_mocks, settings, sms_factor, t0, totp_factor,
};
use crate::session::ClientInfo;

fn with_gateway(m: Mocks) -> Login {
    let mut s = settings();
    s.mfa.sms_available = true;
    with_settings(m, s)
}

#[tokio::test]
async fn with_sms_as_the_only_factor_the_code_is_texted_with_the_challenge() {
    let user = mfa_user();
    let mut m = Mocks::new();
    password_step(&mut m, &user);
    overview_with(&mut m, vec![sms_factor(&user, true)]);
    let uid = user.id;
    m.outbox
        .expect_enqueue()
        .withf(move |mail, at| {
            *at == t0()
                && matches!(mail, Notification::SmsCode { user_id, phone, target, .. }
                    if *user_id == uid && phone.as_str() == "+84987654321"
                        && *target == CodeTarget::Challenge(opaque("mfa-token").hash))
        })
        .times(1)
        .returning(|_, _| Ok(crate::ids::MessageId::new()));
    let err = with_gateway(m)
        .login(by_email(PASSWORD), &ClientInfo::default())
        .await
        .unwrap_err();
    let LoginError::MfaRequired { methods, .. } = err else {
        panic!("{err:?}")
    };
    assert_eq!(methods, [MfaMethod::Sms, MfaMethod::BackupCode]);
}

#[tokio::test]
async fn with_another_factor_as_well_nothing_is_sent_until_asked() {
    let user = mfa_user();
    for other in [totp_factor(&user, true), email_factor(&user, true)] {
        let kind = other.kind;
        let mut m = Mocks::new();
        password_step(&mut m, &user);
        overview_with(&mut m, vec![other, sms_factor(&user, true)]);
        m.outbox.expect_enqueue().never();
        let err = with_gateway(m)
            .login(by_email(PASSWORD), &ClientInfo::default())
            .await
            .unwrap_err();
        let LoginError::MfaRequired { methods, .. } = err else {
            panic!("{err:?}")
        };
        assert_eq!(
            methods,
            [kind.method(), MfaMethod::Sms, MfaMethod::BackupCode]
        );
    }
}

fn sms_factor_is(m: &mut Mocks, factor: Option<crate::mfa::Factor>) {
    m.mfa
        .expect_find_factor()
        .withf(|_, kind| *kind == FactorKind::Sms)
        .times(1)
        .returning(move |_, _| Ok(factor.clone()));
}

/// The cooldown of SMS codes to the factor's number answers `allowed`.
fn sms_cooldown(m: &mut Mocks, allowed: bool) {
    m.rate_limiter
        .expect_hit()
        .withf(|key, limit| key == "mail:mfa_sms_code:sha256(mfa-token)" && limit.max == 1)
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
async fn a_new_code_is_texted_for_a_live_challenge_once_per_cooldown_of_the_number() {
    let user = mfa_user();
    for allowed in [true, false] {
        let mut m = sent_code_mocks();
        challenge_found(&mut m, Some(challenge_of(&user)));
        user_found(&mut m, &user);
        sms_factor_is(&mut m, Some(sms_factor(&user, true)));
        sms_cooldown(&mut m, allowed);
        m.outbox
            .expect_enqueue()
            .withf(|mail, at| {
                *at == t0()
                    && matches!(mail, Notification::SmsCode { phone, target, .. }
                        if phone.as_str() == "+84987654321"
                            && *target == CodeTarget::Challenge(digest_of("mfa-token")))
            })
            .times(usize::from(allowed))
            .returning(|_, _| Ok(crate::ids::MessageId::new()));
        with_gateway(m).send_mfa_code(request("sms")).await.unwrap();
    }
}

#[tokio::test]
async fn no_texted_code_without_a_confirmed_sms_factor_or_a_gateway() {
    let user = mfa_user();
    for factor in [None, Some(sms_factor(&user, false))] {
        let mut m = sent_code_mocks();
        challenge_found(&mut m, Some(challenge_of(&user)));
        user_found(&mut m, &user);
        sms_factor_is(&mut m, factor);
        m.outbox.expect_enqueue().never();
        let err = with_gateway(m)
            .send_mfa_code(request("sms"))
            .await
            .unwrap_err();
        assert!(matches!(err, SendCodeError::NotEnabled), "{err:?}");
    }
    let mut m = sent_code_mocks();
    m.mfa.expect_find_challenge().never();
    m.outbox.expect_enqueue().never();
    let err = login(m).send_mfa_code(request("sms")).await.unwrap_err();
    assert!(matches!(err, SendCodeError::MethodUnavailable), "{err:?}");
}
