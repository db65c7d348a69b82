//! SMS factors: stored with their number, which comes back as it went in, beside an email
//! factor of the same user; their codes work like emailed codes (same storage).

use super::{confirm_at, mfa_enabled, setup_at};
use crate::StorageUnderTest;
use crate::fixtures;
use crate::support::registered_user;
use authd_domain::mfa::FactorKind;
use authd_domain::ports::{BeginSetupError, CodeTarget};
use authd_domain::token::TokenHash;

/// An SMS factor keeps its number from setup through confirmation; an email factor of the same
/// user has none; a second SMS setup while one is confirmed is refused.
pub async fn an_sms_factor_keeps_its_number_beside_an_email_factor(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    let sms = fixtures::sms_factor(user.id, setup_at(), "+84987654321");
    let email = fixtures::email_factor(user.id, setup_at());
    let codes = fixtures::backup_code_digests();
    s.mfa.begin_setup(&sms, &codes).await.unwrap();
    s.mfa.begin_setup(&email, &codes).await.unwrap();
    let stored = s.mfa.find_factor(user.id, FactorKind::Sms).await.unwrap();
    assert_eq!(stored, Some(sms.clone()));

    // Its code is stored and spent like an emailed code.
    let target = CodeTarget::Factor(sms.id);
    let digest = TokenHash::from_trusted("sms-code-digest".into());
    let expiry = confirm_at() + chrono::Duration::minutes(10);
    assert!(s.mfa.store_code(&target, &digest, expiry).await.unwrap());
    assert!(
        s.mfa
            .use_code(&target, std::slice::from_ref(&digest), confirm_at())
            .await
            .unwrap()
    );
    let mail = fixtures::mfa_enabled_mail(&user, confirm_at());
    assert!(
        s.mfa
            .confirm_factor(sms.id, confirm_at(), &mail)
            .await
            .unwrap()
    );
    assert!(mfa_enabled(s, &user).await);

    let stored = s
        .mfa
        .find_factor(user.id, FactorKind::Sms)
        .await
        .unwrap()
        .expect("the factor stays");
    assert_eq!(
        stored.phone.as_ref().map(|p| p.as_str()),
        Some("+84987654321")
    );
    assert_eq!(stored.secret, None);
    assert_eq!(stored.confirmed_at, Some(confirm_at()));
    let email_stored = s.mfa.find_factor(user.id, FactorKind::Email).await.unwrap();
    assert_eq!(email_stored.and_then(|f| f.phone), None);
    let overview = s.mfa.overview(user.id, confirm_at()).await.unwrap();
    assert!(
        overview
            .factors
            .iter()
            .any(|f| f.kind == FactorKind::Sms && f.phone == sms.phone),
        "{overview:?}"
    );

    let again = fixtures::sms_factor(user.id, confirm_at(), "+14155550123");
    let refused = s.mfa.begin_setup(&again, &codes).await;
    assert!(matches!(refused, Err(BeginSetupError::AlreadyEnabled)));
}

/// A second pending SMS setup replaces the first, number included.
pub async fn a_second_sms_setup_replaces_the_pending_number(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    let codes = fixtures::backup_code_digests();
    let first = fixtures::sms_factor(user.id, setup_at(), "+84987654321");
    s.mfa.begin_setup(&first, &codes).await.unwrap();
    let second = fixtures::sms_factor(user.id, confirm_at(), "+14155550123");
    s.mfa.begin_setup(&second, &codes).await.unwrap();
    let stored = s
        .mfa
        .find_factor(user.id, FactorKind::Sms)
        .await
        .unwrap()
        .expect("the second setup");
    assert_eq!(stored.id, second.id);
    assert_eq!(
        stored.phone.as_ref().map(|p| p.as_str()),
        Some("+14155550123")
    );
}
