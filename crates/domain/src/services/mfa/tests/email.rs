//! Email factors with a bearer: a pending one is confirmed by the code emailed for it, a
//! confirmed one's step-up code turns MFA off, and `send_code` queues those codes.

use super::{service, user_is};
use crate::audit::AuditKind;
use crate::mfa::{Factor, FactorKind};
use crate::notification::Notification;
use crate::policy::lockout::FailureOutcome;
use crate::ports::{CodeTarget, PasswordCheck};
use crate::services::mfa::MfaError;
use crate::services::test_support::{
    Mocks, audit_kinds, capture_audit, code_digests, email_factor, email_mocks, failure_counted,
    mfa_user, t0, verify_limit,
};
use crate::session::ClientInfo;
use crate::user::User;

/// The user's factors of each kind, looked up once each.
fn factors_are(m: &mut Mocks, totp: Option<Factor>, email: Option<Factor>) {
    m.mfa
        .expect_find_factor()
        .withf(|_, kind| *kind == FactorKind::Totp)
        .times(1)
        .returning(move |_, _| Ok(totp.clone()));
    m.mfa
        .expect_find_factor()
        .withf(|_, kind| *kind == FactorKind::Email)
        .times(1)
        .returning(move |_, _| Ok(email.clone()));
}

/// The factor's emailed code is `code`: `use_code` answers `matches`.
fn factor_code(m: &mut Mocks, factor: &Factor, code: &'static str, matches: bool) {
    code_digests(m);
    let target = CodeTarget::Factor(factor.id);
    m.mfa
        .expect_use_code()
        .withf(move |t, digests, now| {
            *t == target && digests[0].as_str() == format!("c-{code}") && *now == t0()
        })
        .times(1)
        .returning(move |_, _, _| Ok(matches));
}

#[tokio::test]
async fn the_code_emailed_for_a_pending_email_factor_confirms_it() {
    let user = crate::services::test_support::active_user();
    let mut m = email_mocks();
    let events = capture_audit(&mut m);
    let factor = email_factor(&user, false);
    user_is(&mut m, &user);
    factors_are(&mut m, None, Some(factor.clone()));
    verify_limit(&mut m, &user, true);
    factor_code(&mut m, &factor, "135790", true);
    let id = factor.id;
    m.mfa
        .expect_confirm_factor()
        .withf(move |fid, now, mail| {
            *fid == id && *now == t0() && matches!(mail, Notification::MfaEnabled { .. })
        })
        .times(1)
        .returning(|_, _, _| Ok(true));
    m.mfa.expect_accept_totp_step().never();
    m.users.expect_record_login_failure().never();
    service(m)
        .confirm(user.id, Some("135790".into()), &ClientInfo::default())
        .await
        .unwrap();
    assert_eq!(audit_kinds(&events), [AuditKind::MfaEnabled]);
}

#[tokio::test]
async fn a_wrong_code_for_a_pending_email_factor_is_counted_and_confirms_nothing() {
    let user = crate::services::test_support::active_user();
    let mut m = email_mocks();
    let factor = email_factor(&user, false);
    user_is(&mut m, &user);
    factors_are(&mut m, None, Some(factor.clone()));
    verify_limit(&mut m, &user, true);
    factor_code(&mut m, &factor, "111111", false);
    // Then as TOTP: no authenticator.
    m.mfa
        .expect_find_factor()
        .withf(|_, kind| *kind == FactorKind::Totp)
        .times(1)
        .returning(|_, _| Ok(None));
    m.mfa.expect_confirm_factor().never();
    failure_counted(
        &mut m,
        &user,
        Some(FailureOutcome::Counted { remaining: 4 }),
    );
    let err = service(m)
        .confirm(user.id, Some("111111".into()), &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(matches!(err, MfaError::InvalidCode), "{err:?}");
}

#[tokio::test]
async fn a_step_up_code_of_the_email_factor_turns_mfa_off() {
    let user = mfa_user();
    let mut m = email_mocks();
    let factor = email_factor(&user, true);
    user_is(&mut m, &user);
    m.hasher.expect_verify().times(1).returning(|_, _| {
        Ok(PasswordCheck::Match {
            needs_rehash: false,
        })
    });
    verify_limit(&mut m, &user, true);
    let found = factor.clone();
    m.mfa
        .expect_find_factor()
        .withf(|_, kind| *kind == FactorKind::Email)
        .times(1)
        .returning(move |_, _| Ok(Some(found.clone())));
    factor_code(&mut m, &factor, "975310", true);
    m.mfa
        .expect_disable()
        .times(1)
        .returning(|_, _, _| Ok(true));
    service(m)
        .disable(
            user.id,
            Some(secrecy::SecretString::from("pw")),
            Some("975310".into()),
            &ClientInfo::default(),
        )
        .await
        .unwrap();
}

/// The cooldown of step-up code mails, keyed by the email factor's id, answers `allowed`.
fn cooldown(m: &mut Mocks, allowed: bool) {
    m.rate_limiter
        .expect_hit()
        .withf(|key, limit| {
            key.strip_prefix("mail:mfa_code:")
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

fn email_is(m: &mut Mocks, user: &User, factor: Option<Factor>) {
    user_is(m, user);
    m.mfa
        .expect_find_factor()
        .withf(|_, kind| *kind == FactorKind::Email)
        .times(1)
        .returning(move |_, _| Ok(factor.clone()));
}

#[tokio::test]
async fn a_code_is_queued_for_the_callers_email_factor_once_per_cooldown() {
    let user = mfa_user();
    let factor = email_factor(&user, true);
    let mut m = email_mocks();
    email_is(&mut m, &user, Some(factor.clone()));
    cooldown(&mut m, true);
    let target = CodeTarget::Factor(factor.id);
    m.outbox
        .expect_enqueue()
        .withf(move |mail, at| {
            *at == t0() && matches!(mail, Notification::MfaCode { target: t, .. } if *t == target)
        })
        .times(1)
        .returning(|_, _| Ok(crate::ids::MessageId::new()));
    service(m)
        .send_code(user.id, Some("email".into()))
        .await
        .unwrap();

    let mut m = email_mocks();
    email_is(&mut m, &user, Some(factor));
    cooldown(&mut m, false);
    m.outbox.expect_enqueue().never();
    service(m)
        .send_code(user.id, Some("email".into()))
        .await
        .unwrap();
}

#[tokio::test]
async fn no_code_without_an_email_factor_and_none_by_sms() {
    let user = mfa_user();
    let mut m = email_mocks();
    email_is(&mut m, &user, None);
    m.outbox.expect_enqueue().never();
    let err = service(m)
        .send_code(user.id, Some("email".into()))
        .await
        .unwrap_err();
    assert!(matches!(err, MfaError::NotEnabled), "{err:?}");
    let err = service(email_mocks())
        .send_code(user.id, Some("sms".into()))
        .await
        .unwrap_err();
    assert!(matches!(err, MfaError::MethodUnavailable), "{err:?}");
    let err = service(email_mocks())
        .send_code(user.id, None)
        .await
        .unwrap_err();
    assert!(matches!(err, MfaError::Validation(_)), "{err:?}");
}
