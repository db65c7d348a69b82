//! Unit tests of [`super::AccountUnlock`] against mocked ports and a fixed clock.

use super::{AccountUnlock, AccountUnlockPorts, UnlockError};
use crate::audit::AuditKind;
use crate::error::InfraError;
use crate::ids::UserId;
use crate::ports::ConsumeError;
use crate::services::test_support::{Mocks, audit_kinds, capture_audit, opaque, port_down, t0};
use crate::session::ClientInfo;
use crate::values::codes;
use std::sync::Arc;

fn service(m: Mocks) -> AccountUnlock {
    AccountUnlock::new(AccountUnlockPorts {
        one_time_tokens: Arc::new(m.one_time_tokens),
        tokens: Arc::new(m.tokens),
        audit: Arc::new(m.audit),
        clock: Arc::new(m.clock),
    })
}

fn client() -> ClientInfo {
    ClientInfo {
        ip: Some("198.51.100.4".into()),
        user_agent: None,
    }
}

/// The link token `unlock-token` is consumed once at `t0` with `outcome`.
fn consumed(m: &mut Mocks, outcome: impl Fn() -> Result<UserId, ConsumeError> + Send + 'static) {
    m.tokens.expect_digest().returning(|raw| opaque(raw).hash);
    m.one_time_tokens
        .expect_consume_unlock()
        .withf(|hash, now| hash.as_str() == "hash-unlock-token" && *now == t0())
        .times(1)
        .returning(move |_, _| outcome());
}

#[tokio::test]
async fn a_valid_link_unlocks_the_account_and_is_audited() {
    let user_id = UserId::new();
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    consumed(&mut m, move || Ok(user_id));

    service(m)
        .unlock(Some(" unlock-token ".into()), &client())
        .await
        .unwrap();

    assert_eq!(audit_kinds(&events), [AuditKind::AccountUnlocked]);
    let events = events.lock().unwrap();
    assert_eq!(events[0].user_id, Some(user_id));
    assert_eq!(events[0].at, t0());
    assert_eq!(events[0].client, client());
}

#[tokio::test]
async fn a_missing_or_blank_token_is_a_validation_error_without_a_lookup() {
    for token in [None, Some(String::new()), Some("   ".to_owned())] {
        let mut m = Mocks::new();
        m.one_time_tokens.expect_consume_unlock().never();
        let err = service(m).unlock(token.clone(), &client()).await;
        let Err(UnlockError::Validation(errors)) = err else {
            panic!("{token:?}: {err:?}")
        };
        assert_eq!(errors.0.len(), 1);
        assert_eq!(errors.0[0].field, "token");
        assert_eq!(errors.0[0].code, codes::REQUIRED);
    }
}

#[tokio::test]
async fn an_unknown_or_used_link_is_invalid_and_nothing_is_audited() {
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    consumed(&mut m, || Err(ConsumeError::NotFound));
    let err = service(m)
        .unlock(Some("unlock-token".into()), &client())
        .await
        .unwrap_err();
    assert!(matches!(err, UnlockError::InvalidToken), "{err:?}");
    assert!(audit_kinds(&events).is_empty());
}

#[tokio::test]
async fn an_expired_link_is_refused_as_expired() {
    let mut m = Mocks::new();
    consumed(&mut m, || Err(ConsumeError::Expired));
    let err = service(m)
        .unlock(Some("unlock-token".into()), &client())
        .await
        .unwrap_err();
    assert!(matches!(err, UnlockError::TokenExpired), "{err:?}");
}

#[tokio::test]
async fn a_storage_failure_is_an_infrastructure_error() {
    let mut m = Mocks::new();
    consumed(&mut m, || Err(ConsumeError::Port(port_down())));
    let err = service(m)
        .unlock(Some("unlock-token".into()), &client())
        .await
        .unwrap_err();
    assert!(
        matches!(err, UnlockError::Infra(InfraError::Unavailable(_))),
        "{err:?}"
    );
}
