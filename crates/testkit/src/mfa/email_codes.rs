//! Email factors and emailed codes: a pending email factor is confirmed once, a code is stored
//! only for a target that exists, replaces the earlier one, and is spent once, only before it
//! expires, however many requests present it at once.

use super::{confirm_at, mfa_enabled, setup_at};
use crate::StorageUnderTest;
use crate::fixtures::{self, t0_plus};
use crate::support::{concurrently, count_mail, registered_user};
use authd_domain::Timestamp;
use authd_domain::ids::FactorId;
use authd_domain::mfa::{Factor, FactorKind};
use authd_domain::ports::{BackupCodeUse, BeginSetupError, CodeTarget};
use authd_domain::token::TokenHash;
use authd_domain::user::User;
use std::sync::Arc;

/// When a code stored at [`confirm_at`] expires (10 minutes later).
fn code_expiry() -> Timestamp {
    confirm_at() + chrono::Duration::minutes(10)
}

async fn email_setup(s: &StorageUnderTest, user: &User) -> (Factor, Vec<TokenHash>) {
    let factor = fixtures::email_factor(user.id, setup_at());
    let codes = fixtures::backup_code_digests();
    s.mfa.begin_setup(&factor, &codes).await.unwrap();
    (factor, codes)
}

async fn used(
    s: &StorageUnderTest,
    target: &CodeTarget,
    digests: &[TokenHash],
    at: Timestamp,
) -> bool {
    s.mfa.use_code(target, digests, at).await.unwrap()
}

async fn confirm_email(s: &StorageUnderTest, user: &User, factor: &Factor) -> bool {
    s.mfa
        .confirm_factor(
            factor.id,
            confirm_at(),
            &fixtures::mfa_enabled_mail(user, confirm_at()),
        )
        .await
        .unwrap()
}

/// An email factor is stored without a secret; confirming it turns MFA on, brings its codes into
/// force and queues the mail, once; a second confirmation changes nothing.
pub async fn confirming_an_email_factor_turns_mfa_on_once(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    let (factor, codes) = email_setup(s, &user).await;
    let stored = s.mfa.find_factor(user.id, FactorKind::Email).await.unwrap();
    assert_eq!(stored, Some(factor.clone()));

    assert!(confirm_email(s, &user, &factor).await);
    assert!(!confirm_email(s, &user, &factor).await, "confirmed once");

    let stored = s
        .mfa
        .find_factor(user.id, FactorKind::Email)
        .await
        .unwrap()
        .expect("the factor stays");
    assert_eq!(stored.secret, None);
    assert_eq!(stored.confirmed_at, Some(confirm_at()));
    assert!(mfa_enabled(s, &user).await);
    assert_eq!(count_mail(s, "mfa_enabled", &user.email).await, 1);
    let used = s
        .mfa
        .use_backup_code(user.id, &codes[..1], confirm_at())
        .await
        .unwrap();
    assert_eq!(used, BackupCodeUse::Accepted { remaining: 9 });
    let second = fixtures::email_factor(user.id, confirm_at());
    let again = s.mfa.begin_setup(&second, &codes).await;
    assert!(matches!(again, Err(BeginSetupError::AlreadyEnabled)));
}

/// Confirming a factor that does not exist changes nothing.
pub async fn confirming_an_unknown_factor_changes_nothing(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    let confirmed = s
        .mfa
        .confirm_factor(
            FactorId::new(),
            confirm_at(),
            &fixtures::mfa_enabled_mail(&user, confirm_at()),
        )
        .await
        .unwrap();
    assert!(!confirmed);
    assert!(!mfa_enabled(s, &user).await);
    assert_eq!(count_mail(s, "mfa_enabled", &user.email).await, 0);
}

/// 20 concurrent confirmations of one pending factor: exactly one, one mail.
pub async fn concurrent_confirmations_of_one_factor_succeed_once(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    let (factor, _codes) = email_setup(s, &user).await;
    let mail = Arc::new(fixtures::mfa_enabled_mail(&user, confirm_at()));

    let outcomes = concurrently(20, |_| {
        let mfa = Arc::clone(&s.mfa);
        let mail = Arc::clone(&mail);
        async move {
            mfa.confirm_factor(factor.id, confirm_at(), &mail)
                .await
                .unwrap()
        }
    })
    .await;

    assert_eq!(outcomes.iter().filter(|a| **a).count(), 1, "{outcomes:?}");
    assert!(mfa_enabled(s, &user).await);
    assert_eq!(count_mail(s, "mfa_enabled", &user.email).await, 1);
}

/// A code is used once, by any of its digests, and only for its own target.
pub async fn an_emailed_code_is_used_once_and_only_for_its_target(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    let (factor, _codes) = email_setup(s, &user).await;
    let challenge = fixtures::mfa_challenge(&user, setup_at());
    s.mfa.create_challenge(&challenge).await.unwrap();
    let on_factor = CodeTarget::Factor(factor.id);
    let on_challenge = CodeTarget::Challenge(challenge.hash.clone());
    let (code, other_key) = (fixtures::token_hash(), fixtures::token_hash());
    assert!(
        s.mfa
            .store_code(&on_factor, &code, code_expiry())
            .await
            .unwrap()
    );

    let elsewhere = used(s, &on_challenge, std::slice::from_ref(&code), confirm_at()).await;
    assert!(!elsewhere, "not the challenge's code");
    let wrong = used(
        s,
        &on_factor,
        std::slice::from_ref(&other_key),
        confirm_at(),
    )
    .await;
    assert!(!wrong, "a wrong code");
    let digests = [other_key, code.clone()];
    assert!(
        s.mfa
            .use_code(&on_factor, &digests, confirm_at())
            .await
            .unwrap()
    );
    let again = s.mfa.use_code(&on_factor, &digests, confirm_at());
    assert!(!again.await.unwrap(), "spent");

    assert!(
        s.mfa
            .store_code(&on_challenge, &code, code_expiry())
            .await
            .unwrap()
    );
    assert!(
        s.mfa
            .use_code(&on_challenge, &[code], confirm_at())
            .await
            .unwrap()
    );
}

/// A new code replaces the earlier one of its target; an expired code is refused.
pub async fn a_new_code_replaces_the_earlier_and_an_expired_one_is_refused(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    let challenge = fixtures::mfa_challenge(&user, setup_at());
    s.mfa.create_challenge(&challenge).await.unwrap();
    let target = CodeTarget::Challenge(challenge.hash.clone());
    let (first, second) = (fixtures::token_hash(), fixtures::token_hash());
    assert!(
        s.mfa
            .store_code(&target, &first, code_expiry())
            .await
            .unwrap()
    );
    assert!(
        s.mfa
            .store_code(&target, &second, code_expiry())
            .await
            .unwrap()
    );

    assert!(!used(s, &target, &[first], confirm_at()).await, "replaced");
    let expired = used(s, &target, std::slice::from_ref(&second), code_expiry()).await;
    assert!(!expired, "expired at its expiry");
    let just_before = code_expiry() - chrono::Duration::seconds(1);
    assert!(
        s.mfa
            .use_code(&target, &[second], just_before)
            .await
            .unwrap()
    );
}

/// No code is stored for a target that is gone: an unknown factor or challenge, a consumed
/// challenge, a factor removed when MFA was turned off.
pub async fn no_code_is_stored_for_a_target_that_is_gone(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    let code = fixtures::token_hash();
    for target in [
        CodeTarget::Factor(FactorId::new()),
        CodeTarget::Challenge(fixtures::token_hash()),
    ] {
        assert!(
            !s.mfa
                .store_code(&target, &code, code_expiry())
                .await
                .unwrap()
        );
        assert!(
            !s.mfa
                .use_code(&target, std::slice::from_ref(&code), confirm_at())
                .await
                .unwrap()
        );
    }
    let challenge = fixtures::mfa_challenge(&user, setup_at());
    s.mfa.create_challenge(&challenge).await.unwrap();
    let consumed = s.mfa.consume_challenge(&challenge.hash, confirm_at()).await;
    assert!(consumed.unwrap().is_some());
    let target = CodeTarget::Challenge(challenge.hash);
    assert!(
        !s.mfa
            .store_code(&target, &code, code_expiry())
            .await
            .unwrap()
    );

    let (factor, _codes) = email_setup(s, &user).await;
    assert!(confirm_email(s, &user, &factor).await);
    let target = CodeTarget::Factor(factor.id);
    assert!(
        s.mfa
            .store_code(&target, &code, code_expiry())
            .await
            .unwrap()
    );
    let off = fixtures::mfa_enabled_mail(&user, confirm_at());
    assert!(s.mfa.disable(user.id, confirm_at(), &off).await.unwrap());
    assert!(
        !s.mfa
            .use_code(&target, std::slice::from_ref(&code), confirm_at())
            .await
            .unwrap()
    );
    assert!(
        !s.mfa
            .store_code(&target, &code, code_expiry())
            .await
            .unwrap()
    );
}

/// 20 concurrent uses of one code: exactly one is accepted.
pub async fn concurrent_uses_of_one_code_accept_it_once(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    let challenge = fixtures::mfa_challenge(&user, setup_at());
    s.mfa.create_challenge(&challenge).await.unwrap();
    let target = Arc::new(CodeTarget::Challenge(challenge.hash.clone()));
    let code = fixtures::token_hash();
    assert!(
        s.mfa
            .store_code(&target, &code, code_expiry())
            .await
            .unwrap()
    );
    let digests = Arc::new(vec![code]);

    let outcomes = concurrently(20, |_| {
        let mfa = Arc::clone(&s.mfa);
        let (target, digests) = (Arc::clone(&target), Arc::clone(&digests));
        async move { mfa.use_code(&target, &digests, confirm_at()).await.unwrap() }
    })
    .await;

    assert_eq!(outcomes.iter().filter(|a| **a).count(), 1, "{outcomes:?}");
}

/// A code stored a while after setup still works at the end of its 10 minutes: the expiry is
/// the one given, not one derived from the target.
pub async fn a_code_lives_until_the_expiry_it_was_given(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    let (factor, _codes) = email_setup(s, &user).await;
    let target = CodeTarget::Factor(factor.id);
    let code = fixtures::token_hash();
    let expires = t0_plus(3600);
    assert!(s.mfa.store_code(&target, &code, expires).await.unwrap());
    let late = expires - chrono::Duration::seconds(1);
    assert!(s.mfa.use_code(&target, &[code], late).await.unwrap());
}
