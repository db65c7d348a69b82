//! Setting up a factor and accepting its TOTP steps: confirmation turns MFA on once, and each
//! step is accepted once.

use super::{
    begin_setup, confirm, confirm_at, enrolled, mfa_enabled, setup_at, step_at, stored_factor,
};
use crate::StorageUnderTest;
use crate::fixtures::{self, t0_plus};
use crate::support::{concurrently, count_mail, registered_user};
use authd_domain::ids::FactorId;
use authd_domain::mfa::FactorKind;
use authd_domain::ports::{BackupCodeUse, BeginSetupError, MfaOverview};
use std::sync::Arc;

/// A new account has no factor, no codes, no devices, and MFA off.
pub async fn a_user_without_mfa_has_nothing_set_up(s: &StorageUnderTest) {
    let user = registered_user(s).await;

    let overview = s.mfa.overview(user.id, setup_at()).await.unwrap();

    assert_eq!(overview, MfaOverview::default());
    assert_eq!(stored_factor(s, &user).await, None);
    assert!(!mfa_enabled(s, &user).await);
}

/// The factor is stored as given, pending; it and its codes turn nothing on.
pub async fn begin_setup_stores_a_pending_factor_that_turns_nothing_on(s: &StorageUnderTest) {
    let user = registered_user(s).await;

    let (factor, codes) = begin_setup(s, &user).await;

    assert_eq!(stored_factor(s, &user).await, Some(factor.clone()));
    let overview = s.mfa.overview(user.id, setup_at()).await.unwrap();
    assert_eq!(overview.factors, vec![factor]);
    assert_eq!(
        overview.backup_codes_left, 0,
        "a pending set does not count"
    );
    assert!(!mfa_enabled(s, &user).await);
    let used = s
        .mfa
        .use_backup_code(user.id, &codes[..1], setup_at())
        .await
        .unwrap();
    assert_eq!(
        used,
        BackupCodeUse::Unknown,
        "a pending set is not in force"
    );
    assert_eq!(count_mail(s, "mfa_enabled", &user.email).await, 0);
}

/// A setup while one is pending replaces it and its codes: the first factor can no longer be
/// confirmed, and only the second one's codes take effect.
pub async fn a_second_setup_replaces_the_pending_factor_and_its_codes(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    let (first, first_codes) = begin_setup(s, &user).await;

    let (second, second_codes) = begin_setup(s, &user).await;

    assert_eq!(stored_factor(s, &user).await, Some(second.clone()));
    let overview = s.mfa.overview(user.id, setup_at()).await.unwrap();
    assert_eq!(overview.factors, vec![second.clone()]);
    assert!(
        !confirm(s, &user, &first).await,
        "the replaced factor is gone"
    );
    assert!(!mfa_enabled(s, &user).await);
    assert!(confirm(s, &user, &second).await);
    let old = s
        .mfa
        .use_backup_code(user.id, &first_codes[..1], confirm_at())
        .await
        .unwrap();
    assert_eq!(old, BackupCodeUse::Unknown);
    let new = s
        .mfa
        .use_backup_code(user.id, &second_codes[..1], confirm_at())
        .await
        .unwrap();
    assert_eq!(new, BackupCodeUse::Accepted { remaining: 9 });
}

/// With a confirmed factor of the kind, a setup is refused and stores nothing: the confirmed
/// factor and its codes stay, the refused set's codes are not accepted even later.
pub async fn setup_is_refused_while_a_factor_of_the_kind_is_confirmed_storing_nothing(
    s: &StorageUnderTest,
) {
    let e = enrolled(s).await;
    let refused = fixtures::totp_factor(e.user.id, t0_plus(600));
    let refused_codes = fixtures::backup_code_digests();

    let outcome = s.mfa.begin_setup(&refused, &refused_codes).await;

    assert!(
        matches!(outcome, Err(BeginSetupError::AlreadyEnabled)),
        "{outcome:?}"
    );
    assert_eq!(stored_factor(s, &e.user).await, Some(e.factor.clone()));
    let overview = s.mfa.overview(e.user.id, t0_plus(600)).await.unwrap();
    assert_eq!(overview.factors, vec![e.factor.clone()]);
    assert_eq!(overview.backup_codes_left, 10);
    let later = s
        .mfa
        .accept_totp_step(
            refused.id,
            step_at(t0_plus(600)),
            t0_plus(600),
            &fixtures::mfa_enabled_mail(&e.user, t0_plus(600)),
        )
        .await
        .unwrap();
    assert!(!later, "the refused factor was not stored");
    let code = s
        .mfa
        .use_backup_code(e.user.id, &refused_codes[..1], t0_plus(600))
        .await
        .unwrap();
    assert_eq!(code, BackupCodeUse::Unknown);
    assert!(mfa_enabled(s, &e.user).await);
}

/// The first accepted step confirms the factor: `confirmed_at`, `last_step` and `last_used_at`
/// are set, its codes come into force, the account (as a login reads it) has MFA on, and the
/// mail is queued once. A later step is accepted without confirming again.
pub async fn the_first_accepted_step_confirms_the_factor_and_turns_mfa_on(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    let (factor, _codes) = begin_setup(s, &user).await;

    assert!(confirm(s, &user, &factor).await);

    let stored = stored_factor(s, &user).await.expect("the factor stays");
    assert_eq!(stored.id, factor.id);
    assert_eq!(stored.confirmed_at, Some(confirm_at()));
    assert_eq!(stored.last_step, Some(step_at(confirm_at())));
    assert_eq!(stored.last_used_at, Some(confirm_at()));
    assert_eq!(stored.secret, factor.secret);
    assert_eq!(stored.created_at, factor.created_at);
    assert!(mfa_enabled(s, &user).await);
    let overview = s.mfa.overview(user.id, confirm_at()).await.unwrap();
    assert_eq!(overview.factors, vec![stored.clone()]);
    assert_eq!(overview.backup_codes_left, 10);
    assert_eq!(count_mail(s, "mfa_enabled", &user.email).await, 1);

    let later = t0_plus(600);
    let accepted = s
        .mfa
        .accept_totp_step(
            factor.id,
            step_at(later),
            later,
            &fixtures::mfa_enabled_mail(&user, later),
        )
        .await
        .unwrap();

    assert!(accepted);
    let used = stored_factor(s, &user).await.expect("the factor stays");
    assert_eq!(used.confirmed_at, Some(confirm_at()), "confirmed once");
    assert_eq!(used.last_step, Some(step_at(later)));
    assert_eq!(used.last_used_at, Some(later));
    assert_eq!(
        count_mail(s, "mfa_enabled", &user.email).await,
        1,
        "a login with the factor queues no mail"
    );
}

/// The step accepted last, or an earlier one, is refused and changes nothing; a later one is
/// accepted.
pub async fn only_strictly_later_steps_are_accepted_and_a_refusal_changes_nothing(
    s: &StorageUnderTest,
) {
    let e = enrolled(s).await;
    let last = step_at(confirm_at());
    let mail = fixtures::mfa_enabled_mail(&e.user, t0_plus(150));

    for replay in [last, last - 1, 0] {
        let accepted = s
            .mfa
            .accept_totp_step(e.factor.id, replay, t0_plus(150), &mail)
            .await
            .unwrap();
        assert!(!accepted, "step {replay} after {last}");
    }
    assert_eq!(stored_factor(s, &e.user).await, Some(e.factor.clone()));

    let next = s
        .mfa
        .accept_totp_step(e.factor.id, last + 1, t0_plus(150), &mail)
        .await
        .unwrap();
    assert!(next);
    let stored = stored_factor(s, &e.user).await.unwrap();
    assert_eq!(stored.last_step, Some(last + 1));
    assert_eq!(stored.last_used_at, Some(t0_plus(150)));
    assert_eq!(count_mail(s, "mfa_enabled", &e.user.email).await, 1);
}

/// A factor that does not exist accepts nothing and queues nothing.
pub async fn a_step_of_an_unknown_factor_is_refused(s: &StorageUnderTest) {
    let user = registered_user(s).await;

    let accepted = s
        .mfa
        .accept_totp_step(
            FactorId::new(),
            step_at(confirm_at()),
            confirm_at(),
            &fixtures::mfa_enabled_mail(&user, confirm_at()),
        )
        .await
        .unwrap();

    assert!(!accepted);
    assert!(!mfa_enabled(s, &user).await);
    assert_eq!(count_mail(s, "mfa_enabled", &user.email).await, 0);
}

/// 20 concurrent confirmations with one step: exactly one is accepted, MFA turns on once and one
/// mail is queued.
pub async fn concurrent_confirmations_with_one_step_succeed_once(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    let (factor, _codes) = begin_setup(s, &user).await;
    let mail = Arc::new(fixtures::mfa_enabled_mail(&user, confirm_at()));
    let step = step_at(confirm_at());

    let outcomes = concurrently(20, |_| {
        let mfa = Arc::clone(&s.mfa);
        let mail = Arc::clone(&mail);
        async move {
            mfa.accept_totp_step(factor.id, step, confirm_at(), &mail)
                .await
                .unwrap()
        }
    })
    .await;

    assert_eq!(outcomes.iter().filter(|a| **a).count(), 1, "{outcomes:?}");
    let stored = stored_factor(s, &user).await.unwrap();
    assert_eq!(stored.confirmed_at, Some(confirm_at()));
    assert_eq!(stored.last_step, Some(step));
    assert!(mfa_enabled(s, &user).await);
    assert_eq!(count_mail(s, "mfa_enabled", &user.email).await, 1);
}

/// 20 concurrent logins presenting the code of one step to a confirmed factor: exactly one is
/// accepted.
pub async fn concurrent_logins_with_one_step_succeed_once(s: &StorageUnderTest) {
    let e = enrolled(s).await;
    let at = t0_plus(600);
    let step = step_at(at);
    let mail = Arc::new(fixtures::mfa_enabled_mail(&e.user, at));

    let outcomes = concurrently(20, |_| {
        let mfa = Arc::clone(&s.mfa);
        let mail = Arc::clone(&mail);
        let id = e.factor.id;
        async move { mfa.accept_totp_step(id, step, at, &mail).await.unwrap() }
    })
    .await;

    assert_eq!(outcomes.iter().filter(|a| **a).count(), 1, "{outcomes:?}");
    let stored = s
        .mfa
        .find_factor(e.user.id, FactorKind::Totp)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.last_step, Some(step));
    assert_eq!(count_mail(s, "mfa_enabled", &e.user.email).await, 1);
}
