//! `verify_mfa`: the second step of a login with MFA.

use super::{digest_of, login, session_starts};
use crate::audit::AuditKind;
use crate::error::ValidationErrors;
use crate::mfa::MfaChallenge;
use crate::policy::lockout::FailureOutcome;
use crate::ports::{BackupCodeUse, CreateSessionError};
use crate::services::login::{MfaLoginError, MfaLoginInput, MfaLoginSuccess};
use crate::services::test_support::{
    Mocks, TOTP_NOW, WRONG_CODE, audit_kinds, authenticator, backup_code_answers, capture_audit,
    factor_is, failure_counted, mfa_user, opaque, t0, totp_factor, verify_limit,
};
use crate::session::ClientInfo;
use crate::user::{AccountStatus, User};
use crate::values::codes;
use chrono::Duration;

mod devices;

/// The challenge a right password of `user` left behind a minute ago, for `rememberMe: true`.
pub(super) fn challenge_of(user: &User) -> MfaChallenge {
    MfaChallenge {
        hash: digest_of("mfa-token"),
        user_id: user.id,
        verified: user.password_hash.clone(),
        remember_me: true,
        client: ClientInfo::default(),
        created_at: t0() - Duration::minutes(1),
        expires_at: t0() + Duration::minutes(4),
        attempts: 0,
        lock_bypass: false,
    }
}

/// The attempt is reserved on the token's hash at `t0`; `challenge` is the answer (counted).
pub(super) fn attempt_taken(m: &mut Mocks, challenge: Option<MfaChallenge>) {
    let counted = challenge.map(|c| MfaChallenge {
        attempts: c.attempts + 1,
        ..c
    });
    m.mfa
        .expect_take_attempt()
        .withf(|hash, now| *hash == digest_of("mfa-token") && *now == t0())
        .times(1)
        .returning(move |_, _| Ok(counted.clone()));
}

pub(super) fn user_found(m: &mut Mocks, user: &User) {
    let found = user.clone();
    m.users
        .expect_find_by_id()
        .times(1)
        .returning(move |_| Ok(Some(found.clone())));
}

/// Challenge live, limit open, account found, TOTP factor confirmed with the code of now.
pub(super) fn up_to_the_code(m: &mut Mocks, user: &User) -> crate::mfa::Factor {
    attempt_taken(m, Some(challenge_of(user)));
    verify_limit(m, user, true);
    user_found(m, user);
    let factor = totp_factor(user, true);
    factor_is(m, user, Some(factor.clone()));
    authenticator(m);
    factor
}

pub(super) fn step_won(m: &mut Mocks) {
    m.mfa
        .expect_accept_totp_step()
        .times(1)
        .returning(|_, _, _, _| Ok(true));
}

pub(super) fn consumed(m: &mut Mocks, challenge: Option<MfaChallenge>) {
    m.mfa
        .expect_consume_challenge()
        .withf(|hash, now| *hash == digest_of("mfa-token") && *now == t0())
        .times(1)
        .returning(move |_, _| Ok(challenge.clone()));
}

/// The success is recorded, the tokens are issued, and `generated` are the opaque tokens made
/// (the session's first refresh token, then any device token); the session is the caller's.
pub(super) fn finishes(m: &mut Mocks, generated: &'static [&'static str]) {
    m.users
        .expect_record_login_success()
        .times(1)
        .returning(|_, _, _| Ok(()));
    let mut n = 0;
    m.tokens
        .expect_generate()
        .times(generated.len())
        .returning(move || {
            n += 1;
            opaque(generated[n - 1])
        });
    m.access_tokens
        .expect_issue()
        .times(1)
        .returning(|_| Ok("signed.jwt".into()));
}

pub(super) fn input(code: &str) -> MfaLoginInput {
    MfaLoginInput {
        mfa_token: Some("mfa-token".into()),
        code: Some(code.into()),
        remember_device: None,
    }
}

pub(super) async fn verify(
    m: Mocks,
    input: MfaLoginInput,
) -> Result<MfaLoginSuccess, MfaLoginError> {
    login(m).verify_mfa(input, &ClientInfo::default()).await
}

pub(super) fn no_login(m: &mut Mocks) {
    m.mfa.expect_consume_challenge().never();
    m.users.expect_record_login_success().never();
    m.sessions.expect_create().never();
}

#[tokio::test]
async fn a_right_code_completes_the_login_the_password_started() {
    let user = mfa_user();
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    up_to_the_code(&mut m, &user);
    step_won(&mut m);
    consumed(&mut m, Some(challenge_of(&user)));
    let stored = user.password_hash.clone();
    // The session carries the challenge's choices, under the hash the password step verified.
    m.sessions
        .expect_create()
        .withf(move |session, _, _, verified| session.remember_me && *verified == stored)
        .times(1)
        .returning(|_, _, _, _| Ok(vec![]));
    finishes(&mut m, &["first-refresh"]);
    let ok = verify(m, input(TOTP_NOW)).await.unwrap();
    assert!(ok.device.is_none());
    assert!(ok.login.tokens.remember_me);
    assert!(ok.login.user.mfa_enabled);
    assert_eq!(ok.login.user.last_login, Some(t0()));
    assert_eq!(
        audit_kinds(&events),
        [AuditKind::MfaSucceeded, AuditKind::LoginSucceeded]
    );
}

#[tokio::test]
async fn token_and_code_are_both_required() {
    let err = verify(Mocks::new(), MfaLoginInput::default())
        .await
        .unwrap_err();
    let MfaLoginError::Validation(ValidationErrors(errors)) = err else {
        panic!("{err:?}")
    };
    let found: Vec<_> = errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
    assert_eq!(
        found,
        [("mfaToken", codes::REQUIRED), ("code", codes::REQUIRED)]
    );
}

#[tokio::test]
async fn a_token_without_an_attempt_left_is_refused_before_any_code_is_checked_or_counted() {
    // Unknown, used, expired, or its 5 attempts taken (maybe by parallel requests): storage
    // answers `None` and nothing else happens.
    for code in [TOTP_NOW, WRONG_CODE, "12345678"] {
        let mut m = Mocks::new();
        attempt_taken(&mut m, None);
        m.mfa.expect_find_challenge().never();
        m.rate_limiter.expect_hit().never();
        m.users.expect_find_by_id().never();
        m.mfa.expect_find_factor().never();
        m.mfa.expect_accept_totp_step().never();
        m.mfa.expect_use_backup_code().never();
        m.users.expect_record_login_failure().never();
        no_login(&mut m);
        let err = verify(m, input(code)).await.unwrap_err();
        assert!(matches!(err, MfaLoginError::InvalidMfaToken), "{err:?}");
    }
}

#[tokio::test]
async fn a_challenge_consumed_by_a_concurrent_request_logs_nobody_in() {
    let user = mfa_user();
    let mut m = Mocks::new();
    up_to_the_code(&mut m, &user);
    step_won(&mut m);
    consumed(&mut m, None);
    m.users.expect_record_login_success().never();
    m.sessions.expect_create().never();
    let err = verify(m, input(TOTP_NOW)).await.unwrap_err();
    assert!(matches!(err, MfaLoginError::InvalidMfaToken), "{err:?}");
}

#[tokio::test]
async fn a_password_changed_between_the_steps_ends_the_login() {
    let user = mfa_user();
    let mut m = Mocks::new();
    up_to_the_code(&mut m, &user);
    step_won(&mut m);
    consumed(&mut m, Some(challenge_of(&user)));
    m.users
        .expect_record_login_success()
        .times(1)
        .returning(|_, _, _| Ok(()));
    m.tokens
        .expect_generate()
        .returning(|| opaque("first-refresh"));
    m.sessions
        .expect_create()
        .times(1)
        .returning(|_, _, _, _| Err(CreateSessionError::CredentialsChanged));
    m.access_tokens.expect_issue().never();
    let err = verify(m, input(TOTP_NOW)).await.unwrap_err();
    assert!(matches!(err, MfaLoginError::CredentialsChanged), "{err:?}");
}

#[tokio::test]
async fn a_wrong_code_counts_against_the_account_and_spends_its_attempt() {
    let user = mfa_user();
    let mut m = Mocks::new();
    up_to_the_code(&mut m, &user);
    failure_counted(
        &mut m,
        &user,
        Some(FailureOutcome::Counted { remaining: 3 }),
    );
    no_login(&mut m);
    let err = verify(m, input(WRONG_CODE)).await.unwrap_err();
    assert!(matches!(err, MfaLoginError::InvalidCode), "{err:?}");
}

#[tokio::test]
async fn the_wrong_code_that_reaches_the_limit_locks_the_account() {
    let user = mfa_user();
    let mut m = Mocks::new();
    let until = t0() + Duration::minutes(15);
    up_to_the_code(&mut m, &user);
    failure_counted(&mut m, &user, Some(FailureOutcome::NewlyLocked { until }));
    no_login(&mut m);
    let err = verify(m, input(WRONG_CODE)).await.unwrap_err();
    assert!(
        matches!(err, MfaLoginError::AccountLocked { retry_after: 900 }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_locked_account_is_refused_before_the_code_is_checked() {
    let mut user = mfa_user();
    user.lockout.locked_until = Some(t0() + Duration::seconds(10));
    let mut m = Mocks::new();
    attempt_taken(&mut m, Some(challenge_of(&user)));
    verify_limit(&mut m, &user, true);
    user_found(&mut m, &user);
    m.mfa.expect_find_factor().never();
    m.users.expect_record_login_failure().never();
    no_login(&mut m);
    let err = verify(m, input(TOTP_NOW)).await.unwrap_err();
    assert!(
        matches!(err, MfaLoginError::AccountLocked { retry_after: 10 }),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_account_suspended_deleted_or_gone_since_the_password_gets_no_session() {
    for status in [
        Some(AccountStatus::Suspended),
        Some(AccountStatus::Deleted),
        None,
    ] {
        let user = mfa_user();
        let mut m = Mocks::new();
        attempt_taken(&mut m, Some(challenge_of(&user)));
        verify_limit(&mut m, &user, true);
        let found = status.map(|status| User {
            status,
            ..user.clone()
        });
        m.users
            .expect_find_by_id()
            .returning(move |_| Ok(found.clone()));
        m.mfa.expect_find_factor().never();
        no_login(&mut m);
        let err = verify(m, input(TOTP_NOW)).await.unwrap_err();
        match status {
            Some(AccountStatus::Suspended) => {
                assert!(matches!(err, MfaLoginError::AccountSuspended), "{err:?}");
            }
            Some(_) => assert!(matches!(err, MfaLoginError::AccountDeleted), "{err:?}"),
            None => assert!(matches!(err, MfaLoginError::InvalidMfaToken), "{err:?}"),
        }
    }
}

#[tokio::test]
async fn too_many_codes_are_refused_before_the_account_is_read() {
    let user = mfa_user();
    let mut m = Mocks::new();
    attempt_taken(&mut m, Some(challenge_of(&user)));
    verify_limit(&mut m, &user, false);
    m.users.expect_find_by_id().never();
    no_login(&mut m);
    let err = verify(m, input(TOTP_NOW)).await.unwrap_err();
    assert!(matches!(err, MfaLoginError::RateLimited(_)), "{err:?}");
}

#[tokio::test]
async fn a_backup_code_completes_the_login_and_mails_the_count_left() {
    let user = mfa_user();
    let mut m = Mocks::new();
    attempt_taken(&mut m, Some(challenge_of(&user)));
    verify_limit(&mut m, &user, true);
    user_found(&mut m, &user);
    backup_code_answers(&mut m, &user, BackupCodeUse::Accepted { remaining: 1 });
    m.outbox
        .expect_enqueue()
        .times(1)
        .returning(|_, _| Ok(crate::ids::MessageId::new()));
    consumed(&mut m, Some(challenge_of(&user)));
    session_starts(&mut m, vec![]);
    verify(m, input("1234 5678")).await.unwrap();
}

#[tokio::test]
async fn a_spent_backup_code_answers_backup_code_used() {
    let user = mfa_user();
    let mut m = Mocks::new();
    attempt_taken(&mut m, Some(challenge_of(&user)));
    verify_limit(&mut m, &user, true);
    user_found(&mut m, &user);
    backup_code_answers(&mut m, &user, BackupCodeUse::AlreadyUsed);
    no_login(&mut m);
    let err = verify(m, input("12345678")).await.unwrap_err();
    assert!(matches!(err, MfaLoginError::BackupCodeUsed), "{err:?}");
}
