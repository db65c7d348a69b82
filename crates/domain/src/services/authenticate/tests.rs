//! Unit tests of [`super::Authenticate`] against mocked ports.

use super::{Authenticate, AuthenticateError, AuthenticatePorts};
use crate::error::InfraError;
use crate::ports::AccessTokenError;
use crate::services::test_support::{Mocks, active_user, claims_for, port_down, t0};
use std::sync::Arc;

fn authenticate(m: Mocks) -> Authenticate {
    Authenticate::new(AuthenticatePorts {
        access_tokens: Arc::new(m.access_tokens),
        denylist: Arc::new(m.denylist),
        clock: Arc::new(m.clock),
    })
}

#[tokio::test]
async fn a_valid_token_that_is_not_denied_authenticates() {
    let claims = claims_for(&active_user());
    let mut m = Mocks::new();
    let verified = claims.clone();
    m.access_tokens
        .expect_verify()
        // At the clock's time, not the host's.
        .withf(|t, now| t == "bearer.jwt" && *now == t0())
        .times(1)
        .returning(move |_, _| Ok(verified.clone()));
    let checked = claims.clone();
    m.denylist
        .expect_is_denied()
        .withf(move |c| *c == checked)
        .times(1)
        .returning(|_| Ok(false));
    assert_eq!(
        authenticate(m)
            .authenticate(&"bearer.jwt".into())
            .await
            .unwrap(),
        claims
    );
}

#[tokio::test]
async fn an_expired_token_answers_token_expired_without_a_denylist_lookup() {
    let mut m = Mocks::new();
    m.access_tokens
        .expect_verify()
        .returning(|_, _| Err(AccessTokenError::Expired));
    m.denylist.expect_is_denied().never();
    let err = authenticate(m)
        .authenticate(&"old.jwt".into())
        .await
        .unwrap_err();
    assert!(matches!(err, AuthenticateError::TokenExpired));
}

#[tokio::test]
async fn a_forged_token_answers_invalid_token_without_a_denylist_lookup() {
    let mut m = Mocks::new();
    m.access_tokens
        .expect_verify()
        .returning(|_, _| Err(AccessTokenError::Invalid));
    m.denylist.expect_is_denied().never();
    let err = authenticate(m)
        .authenticate(&"forged".into())
        .await
        .unwrap_err();
    assert!(matches!(err, AuthenticateError::InvalidToken));
}

#[tokio::test]
async fn a_denied_token_answers_token_revoked() {
    let claims = claims_for(&active_user());
    let mut m = Mocks::new();
    m.access_tokens
        .expect_verify()
        .returning(move |_, _| Ok(claims.clone()));
    m.denylist.expect_is_denied().returning(|_| Ok(true));
    let err = authenticate(m)
        .authenticate(&"bearer.jwt".into())
        .await
        .unwrap_err();
    assert!(matches!(err, AuthenticateError::TokenRevoked));
}

#[tokio::test]
async fn an_unreachable_denylist_fails_closed() {
    let claims = claims_for(&active_user());
    let mut m = Mocks::new();
    m.access_tokens
        .expect_verify()
        .returning(move |_, _| Ok(claims.clone()));
    m.denylist
        .expect_is_denied()
        .returning(|_| Err(port_down()));
    let err = authenticate(m)
        .authenticate(&"bearer.jwt".into())
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        AuthenticateError::Infra(InfraError::Unavailable(_))
    ));
}
