//! Unit tests of [`super::PasswordReset`] against mocked ports and a fixed clock.

use super::{PasswordReset, PasswordResetPorts, ResetPasswordError};
use crate::audit::AuditKind;
use crate::error::InfraError;
use crate::ids::SessionId;
use crate::notification::Notification;
use crate::ports::{ConsumeError, HashError, MockAuditLog};
use crate::services::ResendError;
use crate::services::test_support::{
    Mocks, STRONG, active_user, audit_kinds, capture_audit, cooldown_answers, port_down, settings,
    t0,
};
use crate::session::ClientInfo;
use crate::token::{OneTimeToken, TokenHash, TokenPurpose};
use crate::user::{AccountStatus, User};
use crate::values::PasswordHash;
use chrono::Duration;
use std::sync::Arc;

/// The mail cooldown is off unless a test turns it on ([`service_cooling`]).
fn service(mocks: Mocks) -> PasswordReset {
    service_cooling(mocks, Duration::zero())
}

fn service_cooling(mocks: Mocks, cooldown: Duration) -> PasswordReset {
    let ports = PasswordResetPorts {
        users: Arc::new(mocks.users),
        one_time_tokens: Arc::new(mocks.one_time_tokens),
        outbox: Arc::new(mocks.outbox),
        tokens: Arc::new(mocks.tokens),
        hasher: Arc::new(mocks.hasher),
        denylist: Arc::new(mocks.denylist),
        rate_limiter: Arc::new(mocks.rate_limiter),
        audit: Arc::new(mocks.audit),
        clock: Arc::new(mocks.clock),
    };
    let settings = settings();
    PasswordReset::new(
        ports,
        settings.password_policy,
        settings.access_ttl,
        cooldown,
    )
}

fn client() -> ClientInfo {
    ClientInfo::default()
}

fn account_found(m: &mut Mocks, user: &User) {
    let found = user.clone();
    m.users
        .expect_find_by_email()
        .times(1)
        .returning(move |_| Ok(Some(found.clone())));
}

fn nothing_is_queued(m: &mut Mocks) {
    m.tokens.expect_generate().never();
    m.one_time_tokens.expect_issue().never();
    m.outbox.expect_enqueue().never();
}

#[tokio::test]
async fn a_reset_request_for_an_active_account_queues_a_reset_email() {
    let user = active_user();
    let mut m = Mocks::new();
    let audit = capture_audit(&mut m);
    account_found(&mut m, &user);
    // The link token is minted by the mail worker, just before sending.
    m.tokens.expect_generate().never();
    m.one_time_tokens.expect_issue().never();
    let (id, email) = (user.id, user.email.clone());
    m.outbox
        .expect_enqueue()
        .times(1)
        .withf(move |mail, now| {
            *now == t0()
                && matches!(mail, Notification::PasswordReset { user_id, to, username }
                    if *user_id == id && *to == email && username.as_str() == "jane")
        })
        .returning(|_, _| Ok(crate::ids::MessageId::new()));

    service(m)
        .request("jane@example.com", &client())
        .await
        .unwrap();
    assert_eq!(audit_kinds(&audit), [AuditKind::PasswordResetRequested]);
}

#[tokio::test]
async fn a_pending_account_can_reset_its_password_too() {
    let mut user = active_user();
    user.status = AccountStatus::Pending;
    let mut m = Mocks::new();
    account_found(&mut m, &user);
    m.outbox
        .expect_enqueue()
        .times(1)
        .returning(|_, _| Ok(crate::ids::MessageId::new()));
    assert!(
        service(m)
            .request("jane@example.com", &client())
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_reset_request_for_an_unknown_address_silently_does_nothing() {
    let mut m = Mocks::new();
    let audit = capture_audit(&mut m);
    m.users
        .expect_find_by_email()
        .times(1)
        .returning(|_| Ok(None));
    nothing_is_queued(&mut m);
    service(m)
        .request("nobody@example.com", &client())
        .await
        .unwrap();
    assert!(audit_kinds(&audit).is_empty());
}

#[tokio::test]
async fn deleted_and_suspended_accounts_get_no_reset_link_and_the_same_answer() {
    for status in [AccountStatus::Deleted, AccountStatus::Suspended] {
        let mut user = active_user();
        user.status = status;
        let mut m = Mocks::new();
        account_found(&mut m, &user);
        nothing_is_queued(&mut m);
        assert!(
            service(m)
                .request("jane@example.com", &client())
                .await
                .is_ok(),
            "{status:?}"
        );
    }
}

#[tokio::test]
async fn a_malformed_address_is_a_validation_error_on_email() {
    let mut m = Mocks::new();
    m.users.expect_find_by_email().never();
    nothing_is_queued(&mut m);
    let err = service(m)
        .request("not-an-email", &client())
        .await
        .unwrap_err();
    let ResendError::Validation(errors) = err else {
        panic!("expected a validation error, got {err:?}");
    };
    assert_eq!(errors.0.len(), 1);
    assert_eq!(errors.0[0].field, "email");
}

#[tokio::test]
async fn a_storage_failure_while_queueing_the_email_is_reported() {
    let user = active_user();
    let mut m = Mocks::new();
    account_found(&mut m, &user);
    m.outbox.expect_enqueue().returning(|_, _| Err(port_down()));
    let err = service(m)
        .request("jane@example.com", &client())
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        ResendError::Infra(InfraError::Unavailable(_))
    ));
}

#[tokio::test]
async fn a_lost_audit_event_does_not_fail_the_reset_request() {
    let user = active_user();
    let mut m = Mocks::new();
    let mut audit = MockAuditLog::new();
    audit
        .expect_record()
        .times(1)
        .returning(|_| Err(port_down()));
    m.audit = audit;
    account_found(&mut m, &user);
    m.outbox
        .expect_enqueue()
        .returning(|_, _| Ok(crate::ids::MessageId::new()));
    assert!(
        service(m)
            .request("jane@example.com", &client())
            .await
            .is_ok()
    );
}

// --- reset ---------------------------------------------------------------------------------

fn reset_token(user: &User, expires_at: chrono::DateTime<chrono::Utc>) -> OneTimeToken {
    OneTimeToken {
        hash: TokenHash::from_trusted("hash-reset-raw".into()),
        user_id: user.id,
        purpose: TokenPurpose::PasswordReset,
        created_at: t0() - Duration::minutes(10),
        expires_at,
    }
}

/// The token is known, unexpired, and belongs to `user`, who still exists.
fn token_of(m: &mut Mocks, user: &User) {
    m.tokens
        .expect_digest()
        .withf(|raw| raw == "reset-raw")
        .returning(|raw| TokenHash::from_trusted(format!("hash-{raw}")));
    let token = reset_token(user, t0() + Duration::minutes(50));
    m.one_time_tokens
        .expect_find()
        .withf(|hash, purpose| {
            hash.as_str() == "hash-reset-raw" && *purpose == TokenPurpose::PasswordReset
        })
        .times(1)
        .returning(move |_, _| Ok(Some(token.clone())));
    let found = user.clone();
    m.users
        .expect_find_by_id()
        .times(1)
        .returning(move |_| Ok(Some(found.clone())));
}

fn hashes_to_new(m: &mut Mocks) {
    m.hasher
        .expect_hash()
        .times(1)
        .withf(|p| p.expose() == STRONG)
        .returning(|_| Ok(PasswordHash::from_trusted("$2b$12$new".into())));
}

fn nothing_changes(m: &mut Mocks) {
    m.hasher.expect_hash().never();
    m.one_time_tokens.expect_consume_reset().never();
    m.denylist.expect_deny_user_before().never();
}

#[tokio::test]
async fn a_valid_reset_stores_the_new_hash_and_kills_every_access_token() {
    let user = active_user();
    let mut m = Mocks::new();
    let audit = capture_audit(&mut m);
    token_of(&mut m, &user);
    hashes_to_new(&mut m);
    let (id, email) = (user.id, user.email.clone());
    let revoked = vec![SessionId::new(), SessionId::new()];
    let denied = revoked.clone();
    m.one_time_tokens
        .expect_consume_reset()
        .times(1)
        .withf(move |hash, new_hash, now, mail| {
            hash.as_str() == "hash-reset-raw"
                && new_hash.as_str() == "$2b$12$new"
                && *now == t0()
                && matches!(mail, Notification::PasswordChanged { to, at, .. }
                    if *to == email && *at == t0())
        })
        .returning(move |_, _, _, _| Ok((id, revoked.clone())));
    m.denylist
        .expect_deny_sessions()
        .times(1)
        .withf(move |owner, ids, until| {
            *owner == id
                && ids == denied.as_slice()
                && *until == t0() + Duration::minutes(15) + Duration::seconds(30)
        })
        .returning(|_, _, _| Ok(()));
    m.denylist
        .expect_deny_user_before()
        .times(1)
        .withf(move |user_id, cutoff, until| {
            *user_id == id
                && *cutoff == t0()
                && *until == t0() + Duration::minutes(15) + Duration::seconds(30)
        })
        .returning(|_, _, _| Ok(()));

    service(m)
        .reset(&"reset-raw".into(), STRONG.into(), &client())
        .await
        .unwrap();
    assert_eq!(audit_kinds(&audit), [AuditKind::PasswordReset]);
}

#[tokio::test]
async fn an_empty_reset_token_is_invalid_without_any_lookup() {
    let mut m = Mocks::new();
    m.one_time_tokens.expect_find().never();
    nothing_changes(&mut m);
    let err = service(m)
        .reset(&"".into(), STRONG.into(), &client())
        .await
        .unwrap_err();
    assert!(matches!(err, ResetPasswordError::InvalidToken));
}

#[tokio::test]
async fn an_unknown_or_used_reset_token_is_invalid() {
    let mut m = Mocks::new();
    m.tokens
        .expect_digest()
        .returning(|raw| TokenHash::from_trusted(format!("hash-{raw}")));
    m.one_time_tokens
        .expect_find()
        .times(1)
        .returning(|_, _| Ok(None));
    nothing_changes(&mut m);
    let err = service(m)
        .reset(&"reset-raw".into(), STRONG.into(), &client())
        .await
        .unwrap_err();
    assert!(matches!(err, ResetPasswordError::InvalidToken));
}

#[tokio::test]
async fn a_reset_token_at_or_past_its_expiry_is_expired() {
    let user = active_user();
    let mut m = Mocks::new();
    m.tokens
        .expect_digest()
        .returning(|raw| TokenHash::from_trusted(format!("hash-{raw}")));
    let token = reset_token(&user, t0());
    m.one_time_tokens
        .expect_find()
        .returning(move |_, _| Ok(Some(token.clone())));
    m.users.expect_find_by_id().never();
    nothing_changes(&mut m);
    let err = service(m)
        .reset(&"reset-raw".into(), STRONG.into(), &client())
        .await
        .unwrap_err();
    assert!(matches!(err, ResetPasswordError::TokenExpired));
}

#[tokio::test]
async fn a_reset_token_whose_account_is_gone_is_invalid() {
    for found in [None, Some(AccountStatus::Deleted)] {
        let user = active_user();
        let mut m = Mocks::new();
        m.tokens
            .expect_digest()
            .returning(|raw| TokenHash::from_trusted(format!("hash-{raw}")));
        let token = reset_token(&user, t0() + Duration::minutes(5));
        m.one_time_tokens
            .expect_find()
            .returning(move |_, _| Ok(Some(token.clone())));
        let stored = found.map(|status| User {
            status,
            ..user.clone()
        });
        m.users
            .expect_find_by_id()
            .returning(move |_| Ok(stored.clone()));
        nothing_changes(&mut m);
        let err = service(m)
            .reset(&"reset-raw".into(), STRONG.into(), &client())
            .await
            .unwrap_err();
        assert!(matches!(err, ResetPasswordError::InvalidToken), "{found:?}");
    }
}

#[tokio::test]
async fn a_weak_new_password_lists_every_broken_rule_on_new_password() {
    let user = active_user();
    let mut m = Mocks::new();
    token_of(&mut m, &user);
    nothing_changes(&mut m);
    let err = service(m)
        .reset(&"reset-raw".into(), "qzvbn".into(), &client())
        .await
        .unwrap_err();
    let ResetPasswordError::Validation(errors) = err else {
        panic!("expected a validation error, got {err:?}");
    };
    assert_eq!(errors.0.len(), 4, "{errors:?}");
    assert!(errors.0.iter().all(|e| e.field == "newPassword"));
}

#[tokio::test]
async fn a_new_password_containing_the_username_or_email_is_rejected() {
    let user = active_user();
    let mut m = Mocks::new();
    token_of(&mut m, &user);
    nothing_changes(&mut m);
    let err = service(m)
        .reset(&"reset-raw".into(), "Hello-JANE-2024!".into(), &client())
        .await
        .unwrap_err();
    let ResetPasswordError::Validation(errors) = err else {
        panic!("expected a validation error, got {err:?}");
    };
    let messages: Vec<_> = errors.0.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "Password must not contain the username",
            "Password must not contain the email address"
        ]
    );
}

#[tokio::test]
async fn a_full_hashing_queue_answers_busy() {
    let user = active_user();
    let mut m = Mocks::new();
    token_of(&mut m, &user);
    m.hasher.expect_hash().returning(|_| Err(HashError::Busy));
    m.one_time_tokens.expect_consume_reset().never();
    let err = service(m)
        .reset(&"reset-raw".into(), STRONG.into(), &client())
        .await
        .unwrap_err();
    assert!(matches!(err, ResetPasswordError::Infra(InfraError::Busy)));
}

#[tokio::test]
async fn a_token_used_or_expired_by_a_concurrent_reset_is_refused() {
    let cases = [
        (ConsumeError::NotFound, "invalid"),
        (ConsumeError::Expired, "expired"),
    ];
    for (consume_error, expected) in cases {
        let user = active_user();
        let mut m = Mocks::new();
        token_of(&mut m, &user);
        hashes_to_new(&mut m);
        let mut consume_error = Some(consume_error);
        m.one_time_tokens
            .expect_consume_reset()
            .times(1)
            .returning(move |_, _, _, _| Err(consume_error.take().unwrap()));
        m.denylist.expect_deny_user_before().never();
        let err = service(m)
            .reset(&"reset-raw".into(), STRONG.into(), &client())
            .await
            .unwrap_err();
        let got = match err {
            ResetPasswordError::InvalidToken => "invalid",
            ResetPasswordError::TokenExpired => "expired",
            other => panic!("unexpected {other:?}"),
        };
        assert_eq!(got, expected);
    }
}

#[tokio::test]
async fn a_denylist_outage_after_the_reset_does_not_undo_or_fail_it() {
    let user = active_user();
    let mut m = Mocks::new();
    token_of(&mut m, &user);
    hashes_to_new(&mut m);
    let id = user.id;
    m.one_time_tokens
        .expect_consume_reset()
        .times(1)
        .returning(move |_, _, _, _| Ok((id, vec![])));
    m.denylist
        .expect_deny_user_before()
        .times(1)
        .returning(|_, _, _| Err(port_down()));
    assert!(
        service(m)
            .reset(&"reset-raw".into(), STRONG.into(), &client())
            .await
            .is_ok()
    );
}

/// A reset request for jane whose mail cooldown answers `outcome`; `mails` are expected queued.
async fn request_with_cooldown(
    outcome: fn() -> Result<bool, crate::error::PortError>,
    mails: usize,
) -> Vec<AuditKind> {
    let mut m = Mocks::new();
    let audit = capture_audit(&mut m);
    account_found(&mut m, &active_user());
    cooldown_answers(&mut m, "password_reset", Duration::seconds(60), outcome);
    m.outbox
        .expect_enqueue()
        .times(mails)
        .returning(|_, _| Ok(crate::ids::MessageId::new()));
    service_cooling(m, Duration::seconds(60))
        .request("jane@example.com", &client())
        .await
        .unwrap();
    audit_kinds(&audit)
}

#[tokio::test]
async fn a_reset_request_outside_the_cooldown_queues_the_mail() {
    let audit = request_with_cooldown(|| Ok(true), 1).await;
    assert_eq!(audit, [AuditKind::PasswordResetRequested]);
}

#[tokio::test]
async fn a_reset_request_within_the_cooldown_succeeds_the_same_and_queues_nothing() {
    let audit = request_with_cooldown(|| Ok(false), 0).await;
    assert!(audit.is_empty());
}

#[tokio::test]
async fn a_reset_request_whose_cooldown_store_fails_queues_the_mail() {
    let audit = request_with_cooldown(|| Err(port_down()), 1).await;
    assert_eq!(audit, [AuditKind::PasswordResetRequested]);
}

#[tokio::test]
async fn a_reset_request_with_the_cooldown_off_never_consults_the_store() {
    let mut m = Mocks::new();
    account_found(&mut m, &active_user());
    m.rate_limiter.expect_hit().never();
    m.outbox
        .expect_enqueue()
        .times(1)
        .returning(|_, _| Ok(crate::ids::MessageId::new()));
    service_cooling(m, Duration::zero())
        .request("jane@example.com", &client())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_reset_request_for_an_unknown_address_never_consults_the_store() {
    let mut m = Mocks::new();
    m.users.expect_find_by_email().returning(|_| Ok(None));
    m.rate_limiter.expect_hit().never();
    nothing_is_queued(&mut m);
    service_cooling(m, Duration::seconds(60))
        .request("jane@example.com", &client())
        .await
        .unwrap();
}
