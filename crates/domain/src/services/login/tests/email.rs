//! Email codes at login: the code goes out with the challenge when email is the only factor, a
//! code is checked as the challenge's emailed code before TOTP, and `send_mfa_code` queues a new
//! one for a live challenge of a user with email on, once per cooldown.

use super::mfa_step::with_device;
use super::verify::{
    attempt_taken, challenge_of, consumed, finishes, input, no_login, user_found, verify,
};
use super::{PASSWORD, account_found, by_email, digest_of, login, password_is, with_settings};
use crate::mfa::{FactorKind, MfaChallenge, MfaMethod};
use crate::notification::Notification;
use crate::policy::lockout::FailureOutcome;
use crate::ports::{CodeTarget, MfaOverview, PasswordCheck};
use crate::services::login::{LoginError, MfaCodeRequest, MfaLoginError, SendCodeError};
use crate::services::test_support::{
    Mocks, code_digests, email_factor, email_mocks, failure_counted, mfa_user, opaque, port_down,
    settings, t0, totp_factor, verify_limit,
};
use crate::session::ClientInfo;
use crate::user::User;
use chrono::Duration;

fn the_challenge() -> CodeTarget {
    CodeTarget::Challenge(digest_of("mfa-token"))
}

/// `use_code` on the challenge with the digest of `code` answers `matches`.
fn challenge_code(m: &mut Mocks, code: &'static str, matches: bool) {
    code_digests(m);
    m.mfa
        .expect_use_code()
        .withf(move |target, digests, now| {
            *target == the_challenge()
                && digests.len() == 1
                && digests[0].as_str() == format!("c-{code}")
                && *now == t0()
        })
        .times(1)
        .returning(move |_, _, _| Ok(matches));
}

#[tokio::test]
async fn the_challenges_emailed_code_completes_the_login_without_totp() {
    let user = mfa_user();
    let mut m = email_mocks();
    attempt_taken(&mut m, Some(challenge_of(&user)));
    verify_limit(&mut m, &user, true);
    user_found(&mut m, &user);
    challenge_code(&mut m, "246810", true);
    m.mfa.expect_find_factor().never();
    m.mfa.expect_accept_totp_step().never();
    consumed(&mut m, Some(challenge_of(&user)));
    m.sessions
        .expect_create()
        .times(1)
        .returning(|_, _, _, _| Ok(vec![]));
    finishes(&mut m, &["first-refresh"]);
    let done = verify(m, input("246810")).await.unwrap();
    assert!(done.device.is_none());
}

#[tokio::test]
async fn a_wrong_code_without_an_authenticator_is_counted_and_refused() {
    let user = mfa_user();
    let mut m = email_mocks();
    attempt_taken(&mut m, Some(challenge_of(&user)));
    verify_limit(&mut m, &user, true);
    user_found(&mut m, &user);
    challenge_code(&mut m, "111111", false);
    m.mfa
        .expect_find_factor()
        .withf(|_, kind| *kind == FactorKind::Totp)
        .times(1)
        .returning(|_, _| Ok(None));
    failure_counted(
        &mut m,
        &user,
        Some(FailureOutcome::Counted { remaining: 2 }),
    );
    no_login(&mut m);
    let err = verify(m, input("111111")).await.unwrap_err();
    assert!(matches!(err, MfaLoginError::InvalidCode), "{err:?}");
}

pub(super) fn overview_with(m: &mut Mocks, factors: Vec<crate::mfa::Factor>) {
    m.mfa.expect_overview().times(1).returning(move |_, _| {
        Ok(MfaOverview {
            factors: factors.clone(),
            backup_codes_left: 10,
            devices: vec![],
        })
    });
}

pub(super) fn password_step(m: &mut Mocks, user: &User) {
    account_found(m, user);
    password_is(
        m,
        PasswordCheck::Match {
            needs_rehash: false,
        },
    );
    m.tokens
        .expect_generate()
        .times(1)
        .returning(|| opaque("mfa-token"));
    m.mfa
        .expect_create_challenge()
        .times(1)
        .returning(|_| Ok(()));
    m.sessions.expect_create().never();
}

#[tokio::test]
async fn with_email_as_the_only_factor_the_code_goes_out_with_the_challenge() {
    let user = mfa_user();
    let mut m = Mocks::new();
    password_step(&mut m, &user);
    overview_with(&mut m, vec![email_factor(&user, true)]);
    let uid = user.id;
    m.outbox
        .expect_enqueue()
        .withf(move |mail, at| {
            *at == t0()
                && matches!(mail, Notification::MfaCode { user_id, target, .. }
                    if *user_id == uid
                        && *target == CodeTarget::Challenge(opaque("mfa-token").hash))
        })
        .times(1)
        .returning(|_, _| Ok(crate::ids::MessageId::new()));
    let err = login(m)
        .login(by_email(PASSWORD), &ClientInfo::default())
        .await
        .unwrap_err();
    let LoginError::MfaRequired { methods, .. } = err else {
        panic!("{err:?}")
    };
    assert_eq!(methods, [MfaMethod::Email, MfaMethod::BackupCode]);
}

#[tokio::test]
async fn with_an_authenticator_as_well_no_code_is_sent_and_an_outbox_outage_costs_nothing() {
    let user = mfa_user();
    let mut m = Mocks::new();
    password_step(&mut m, &user);
    overview_with(
        &mut m,
        vec![totp_factor(&user, true), email_factor(&user, true)],
    );
    m.outbox.expect_enqueue().never();
    let err = login(m)
        .login(with_device(""), &ClientInfo::default())
        .await
        .unwrap_err();
    let LoginError::MfaRequired { methods, .. } = err else {
        panic!("{err:?}")
    };
    assert_eq!(
        methods,
        [MfaMethod::Totp, MfaMethod::Email, MfaMethod::BackupCode]
    );

    // Email only, outbox down: the challenge still stands (the user can ask again).
    let mut m = Mocks::new();
    password_step(&mut m, &user);
    overview_with(&mut m, vec![email_factor(&user, true)]);
    m.outbox
        .expect_enqueue()
        .times(1)
        .returning(|_, _| Err(port_down()));
    let err = login(m)
        .login(by_email(PASSWORD), &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(matches!(err, LoginError::MfaRequired { .. }), "{err:?}");
}

pub(super) fn request(method: &str) -> MfaCodeRequest {
    MfaCodeRequest {
        mfa_token: Some(" mfa-token ".into()),
        method: Some(method.into()),
    }
}

pub(super) fn challenge_found(m: &mut Mocks, challenge: Option<MfaChallenge>) {
    m.mfa
        .expect_find_challenge()
        .withf(|hash| *hash == digest_of("mfa-token"))
        .times(1)
        .returning(move |_| Ok(challenge.clone()));
}

fn email_factor_is(m: &mut Mocks, factor: Option<crate::mfa::Factor>) {
    m.mfa
        .expect_find_factor()
        .withf(|_, kind| *kind == FactorKind::Email)
        .times(1)
        .returning(move |_, _| Ok(factor.clone()));
}

/// The cooldown of this challenge's code mails (keyed by its token's hash) answers `allowed`.
fn cooldown(m: &mut Mocks, allowed: bool) {
    m.rate_limiter
        .expect_hit()
        .withf(|key, limit| {
            key == "mail:mfa_code:sha256(mfa-token)"
                && limit.max == 1
                && limit.window == Duration::seconds(60)
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
async fn a_new_code_is_queued_for_a_live_challenge_of_a_user_with_email_on() {
    let user = mfa_user();
    let mut m = email_mocks();
    challenge_found(&mut m, Some(challenge_of(&user)));
    user_found(&mut m, &user);
    email_factor_is(&mut m, Some(email_factor(&user, true)));
    cooldown(&mut m, true);
    m.outbox
        .expect_enqueue()
        .withf(|mail, at| {
            *at == t0()
                && matches!(mail, Notification::MfaCode { to, target, .. }
                    if to.as_str() == "jane@example.com" && *target == the_challenge())
        })
        .times(1)
        .returning(|_, _| Ok(crate::ids::MessageId::new()));
    login(m).send_mfa_code(request("email")).await.unwrap();
}

#[tokio::test]
async fn within_the_cooldown_the_answer_is_the_same_and_nothing_is_queued() {
    let user = mfa_user();
    let mut m = email_mocks();
    challenge_found(&mut m, Some(challenge_of(&user)));
    user_found(&mut m, &user);
    email_factor_is(&mut m, Some(email_factor(&user, true)));
    cooldown(&mut m, false);
    m.outbox.expect_enqueue().never();
    login(m).send_mfa_code(request("email")).await.unwrap();
}

#[tokio::test]
async fn no_code_without_a_confirmed_email_factor_or_a_live_challenge() {
    let user = mfa_user();
    for factor in [None, Some(email_factor(&user, false))] {
        let mut m = email_mocks();
        challenge_found(&mut m, Some(challenge_of(&user)));
        user_found(&mut m, &user);
        email_factor_is(&mut m, factor);
        m.outbox.expect_enqueue().never();
        let err = login(m).send_mfa_code(request("email")).await.unwrap_err();
        assert!(matches!(err, SendCodeError::NotEnabled), "{err:?}");
    }
    let expired = MfaChallenge {
        expires_at: t0(),
        ..challenge_of(&user)
    };
    let dead = MfaChallenge {
        attempts: MfaChallenge::MAX_ATTEMPTS,
        ..challenge_of(&user)
    };
    for challenge in [None, Some(expired), Some(dead)] {
        let mut m = email_mocks();
        challenge_found(&mut m, challenge);
        m.outbox.expect_enqueue().never();
        let err = login(m).send_mfa_code(request("email")).await.unwrap_err();
        assert!(matches!(err, SendCodeError::InvalidMfaToken), "{err:?}");
    }
}

#[tokio::test]
async fn sms_is_unavailable_and_missing_fields_are_reported_together() {
    let m = email_mocks();
    let err = login(m).send_mfa_code(request("sms")).await.unwrap_err();
    assert!(matches!(err, SendCodeError::MethodUnavailable), "{err:?}");
    for method in ["totp", "backup_code", "EMAIL"] {
        let err = login(email_mocks())
            .send_mfa_code(request(method))
            .await
            .unwrap_err();
        assert!(
            matches!(err, SendCodeError::Validation(_)),
            "{method}: {err:?}"
        );
    }
    let err = with_settings(email_mocks(), settings())
        .send_mfa_code(MfaCodeRequest::default())
        .await
        .unwrap_err();
    let SendCodeError::Validation(errors) = err else {
        panic!("{err:?}")
    };
    let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["mfaToken", "method"]);
    let printed = format!("{:?}", request("email"));
    assert!(!printed.contains("mfa-token"), "{printed}");
}
