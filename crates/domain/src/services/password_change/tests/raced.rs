//! A change whose check raced a reset or another change: the store refuses to overwrite the
//! password that won, and the change answers `AccountGone` having denied, audited and opened
//! nothing.

use super::{CURRENT, RIGHT, account_is, current_password_is, service};
use crate::ports::ChangePasswordStoreError;
use crate::services::password_change::ChangePasswordError;
use crate::services::test_support::{
    Mocks, STRONG, active_user, audit_kinds, capture_audit, claims_for,
};
use crate::session::ClientInfo;
use crate::values::PasswordHash;

/// The account holds `$2b$04$stored` when the current password is checked; by the time the new
/// hash is written, a reset has replaced it.
fn a_reset_won_the_race(m: &mut Mocks) {
    account_is(m, Some(active_user()));
    current_password_is(m, RIGHT);
    m.hasher
        .expect_hash()
        .times(1)
        .returning(|_| Ok(PasswordHash::from_trusted("$2b$12$new".into())));
    m.users
        .expect_change_password()
        .times(1)
        .withf(|_, expected, _, _, _, _| expected.as_str() == "$2b$04$stored")
        .returning(|_, _, _, _, _, _| Err(ChangePasswordStoreError::CredentialsChanged));
    m.denylist.expect_deny_sessions().never();
    m.denylist.expect_deny_user_before().never();
}

#[tokio::test]
async fn a_change_raced_by_a_reset_answers_account_gone_and_denies_nothing() {
    let mut m = Mocks::new();
    let audit = capture_audit(&mut m);
    a_reset_won_the_race(&mut m);
    let err = service(m)
        .change(
            &claims_for(&active_user()),
            CURRENT.into(),
            STRONG.into(),
            &ClientInfo::default(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ChangePasswordError::AccountGone), "{err:?}");
    assert!(audit_kinds(&audit).is_empty(), "no change to audit");
}

#[tokio::test]
async fn a_change_revoking_all_raced_by_a_reset_answers_account_gone_and_denies_nothing() {
    let mut m = Mocks::new();
    let audit = capture_audit(&mut m);
    a_reset_won_the_race(&mut m);
    let err = service(m)
        .change_revoking_all(
            &claims_for(&active_user()),
            CURRENT.into(),
            STRONG.into(),
            &ClientInfo::default(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ChangePasswordError::AccountGone), "{err:?}");
    assert!(audit_kinds(&audit).is_empty(), "no change to audit");
}
