//! The password step of a login with MFA: a challenge instead of a session, unless a remembered
//! device skips it or MFA is off.

use super::{
    PASSWORD, RIGHT, Recorded, account_found, by_email, digest_of, login, password_is,
    reporting_to, session_starts, with_settings,
};
use crate::audit::AuditKind;
use crate::mfa::{MfaChallenge, MfaMethod, RememberedDevice};
use crate::ports::{MfaOverview, PasswordCheck};
use crate::services::login::{LoginError, LoginInput};
use crate::services::test_support::{
    Mocks, capture_audit, mfa_user, opaque, port_down, settings, t0, totp_factor,
};
use crate::session::ClientInfo;
use crate::telemetry::LoginOutcome;
use crate::user::User;
use chrono::Duration;
use std::sync::Arc;

pub(super) fn overview_is(m: &mut Mocks, user: &User, backup_codes_left: u32) {
    let factors = vec![totp_factor(user, true)];
    m.mfa.expect_overview().times(1).returning(move |_, _| {
        Ok(MfaOverview {
            factors: factors.clone(),
            backup_codes_left,
            devices: vec![],
        })
    });
}

/// A challenge is stored and no login happens yet.
fn challenged(m: &mut Mocks) {
    m.tokens
        .expect_generate()
        .times(1)
        .returning(|| opaque("mfa-token"));
    m.mfa
        .expect_create_challenge()
        .times(1)
        .returning(|_| Ok(()));
    m.users.expect_record_login_success().never();
    m.users.expect_record_login_failure().never();
    m.hasher.expect_hash().never();
    m.sessions.expect_create().never();
}

pub(super) fn with_device(token: &str) -> LoginInput {
    LoginInput {
        device_token: Some(token.into()),
        ..by_email(PASSWORD)
    }
}

#[tokio::test]
async fn a_right_password_of_an_mfa_account_earns_a_challenge_not_a_session() {
    let user = mfa_user();
    let mut m = Mocks::new();
    account_found(&mut m, &user);
    // Even a hash that wants upgrading is left alone until the second step.
    password_is(&mut m, PasswordCheck::Match { needs_rehash: true });
    overview_is(&mut m, &user, 4);
    m.tokens
        .expect_generate()
        .times(1)
        .returning(|| opaque("mfa-token"));
    let (uid, stored) = (user.id, user.password_hash.clone());
    m.mfa
        .expect_create_challenge()
        .withf(move |c: &MfaChallenge| {
            c.hash.as_str() == "hash-mfa-token"
                && c.user_id == uid
                && c.verified == stored
                && c.remember_me
                && c.client.ip.as_deref() == Some("203.0.113.7")
                && c.created_at == t0()
                && c.expires_at == t0() + Duration::minutes(5)
                && c.attempts == 0
        })
        .times(1)
        .returning(|_| Ok(()));
    m.users.expect_record_login_success().never();
    m.hasher.expect_hash().never();
    m.sessions.expect_create().never();
    let telemetry = Arc::new(Recorded::default());
    let input = LoginInput {
        remember_me: Some(true),
        ..by_email(PASSWORD)
    };
    let client = ClientInfo {
        ip: Some("203.0.113.7".into()),
        user_agent: None,
    };
    let err = reporting_to(m, settings(), telemetry.clone())
        .login(input, &client)
        .await
        .unwrap_err();
    let LoginError::MfaRequired { mfa_token, methods } = err else {
        panic!("{err:?}")
    };
    assert_eq!(mfa_token.expose(), "mfa-token");
    assert_eq!(methods, [MfaMethod::Totp, MfaMethod::BackupCode]);
    assert_eq!(
        *telemetry.logins.lock().unwrap(),
        [LoginOutcome::MfaRequired]
    );
}

#[tokio::test]
async fn backup_codes_are_offered_only_while_some_are_left() {
    let user = mfa_user();
    let mut m = Mocks::new();
    account_found(&mut m, &user);
    password_is(&mut m, RIGHT);
    overview_is(&mut m, &user, 0);
    challenged(&mut m);
    let err = login(m)
        .login(by_email(PASSWORD), &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, LoginError::MfaRequired { methods, .. } if *methods == [MfaMethod::Totp]),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_remembered_device_skips_the_second_factor() {
    let user = mfa_user();
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    account_found(&mut m, &user);
    password_is(&mut m, RIGHT);
    let uid = user.id;
    m.mfa
        .expect_use_device()
        .withf(move |id, hash, now| *id == uid && *hash == digest_of("dev-token") && *now == t0())
        .times(1)
        .returning(move |_, hash, now| {
            Ok(Some(RememberedDevice {
                id: crate::ids::DeviceId::new(),
                hash: hash.clone(),
                user_id: uid,
                user_agent: None,
                ip: None,
                created_at: now - Duration::days(1),
                expires_at: now + Duration::days(29),
                last_used_at: Some(now),
            }))
        });
    m.mfa.expect_create_challenge().never();
    session_starts(&mut m, vec![]);
    let ok = login(m)
        .login(with_device("dev-token"), &ClientInfo::default())
        .await
        .unwrap();
    assert!(ok.user.mfa_enabled);
    let events = events.lock().unwrap();
    let success = events
        .iter()
        .find(|e| e.kind == AuditKind::LoginSucceeded)
        .expect("login audited");
    assert_eq!(success.detail.as_deref(), Some("remembered device"));
}

#[tokio::test]
async fn an_unknown_or_expired_device_token_still_gets_a_challenge() {
    let user = mfa_user();
    let mut m = Mocks::new();
    account_found(&mut m, &user);
    password_is(&mut m, RIGHT);
    m.mfa
        .expect_use_device()
        .times(1)
        .returning(|_, _, _| Ok(None));
    overview_is(&mut m, &user, 3);
    challenged(&mut m);
    let err = login(m)
        .login(with_device("stale"), &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(matches!(err, LoginError::MfaRequired { .. }), "{err:?}");
}

#[tokio::test]
async fn with_mfa_switched_off_an_mfa_account_logs_in_with_the_password() {
    let user = mfa_user();
    let mut m = Mocks::new();
    account_found(&mut m, &user);
    password_is(&mut m, RIGHT);
    m.mfa.expect_overview().never();
    m.mfa.expect_use_device().never();
    m.mfa.expect_create_challenge().never();
    session_starts(&mut m, vec![]);
    let mut settings = settings();
    settings.mfa.enabled = false;
    let ok = with_settings(m, settings)
        .login(with_device("dev-token"), &ClientInfo::default())
        .await
        .unwrap();
    assert_eq!(ok.user.id, user.id);
}

#[tokio::test]
async fn a_wrong_password_of_an_mfa_account_gets_no_challenge() {
    let user = mfa_user();
    let mut m = Mocks::new();
    account_found(&mut m, &user);
    password_is(&mut m, PasswordCheck::Mismatch);
    m.users
        .expect_record_login_failure()
        .times(1)
        .returning(|_, _, _, _| {
            Ok(Some(crate::policy::lockout::FailureOutcome::Counted {
                remaining: 4,
            }))
        });
    m.mfa.expect_create_challenge().never();
    let err = login(m)
        .login(by_email(PASSWORD), &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(matches!(err, LoginError::InvalidCredentials), "{err:?}");
}

#[tokio::test]
async fn an_mfa_store_outage_fails_the_login_rather_than_skipping_the_factor() {
    let user = mfa_user();
    let mut m = Mocks::new();
    account_found(&mut m, &user);
    password_is(&mut m, RIGHT);
    m.mfa.expect_overview().returning(|_, _| Err(port_down()));
    m.sessions.expect_create().never();
    let err = login(m)
        .login(by_email(PASSWORD), &ClientInfo::default())
        .await
        .unwrap_err();
    assert!(matches!(err, LoginError::Infra(_)), "{err:?}");
}
