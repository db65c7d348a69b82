//! Conformance checks for [`authd_domain::ports::MfaRepository`]: factors and their
//! confirmation, backup codes, turning MFA off, login challenges and remembered devices, with
//! what they do to the account (`mfa_enabled`, as a login reads it) and to the outbox, and the
//! single-use rules under concurrency. Also the other ports' duty to forget a user's remembered
//! devices when the password changes or is reset and when the account is deactivated.
//!
//! The checks, by subject, live in the submodules and are re-exported here, where the macro
//! finds them.

mod backup_codes;
mod challenges;
mod devices;
mod disable;
mod email_codes;
mod factors;
mod sms_factors;

pub use backup_codes::*;
pub use challenges::*;
pub use devices::*;
pub use disable::*;
pub use email_codes::*;
pub use factors::*;
pub use sms_factors::*;

use crate::StorageUnderTest;
use crate::fixtures::{self, t0_plus};
use crate::support::registered_user;
use authd_domain::Timestamp;
use authd_domain::mfa::{Factor, FactorKind, TotpPolicy, TotpStep};
use authd_domain::ports::{LoginName, LoginTarget};
use authd_domain::token::TokenHash;
use authd_domain::user::User;

/// Every check of this module, each registered as a test on a fresh `$storage` (see
/// [`crate::conformance`]).
#[macro_export]
macro_rules! mfa_conformance {
    ($storage:expr) => {
        $crate::__register_checks! { mfa, $storage;
            a_user_without_mfa_has_nothing_set_up
            begin_setup_stores_a_pending_factor_that_turns_nothing_on
            a_second_setup_replaces_the_pending_factor_and_its_codes
            setup_is_refused_while_a_factor_of_the_kind_is_confirmed_storing_nothing
            the_first_accepted_step_confirms_the_factor_and_turns_mfa_on
            only_strictly_later_steps_are_accepted_and_a_refusal_changes_nothing
            a_step_of_an_unknown_factor_is_refused
            concurrent_confirmations_with_one_step_succeed_once
            concurrent_logins_with_one_step_succeed_once
            confirming_an_email_factor_turns_mfa_on_once
            an_sms_factor_keeps_its_number_beside_an_email_factor
            a_second_sms_setup_replaces_the_pending_number
            confirming_an_unknown_factor_changes_nothing
            concurrent_confirmations_of_one_factor_succeed_once
            an_emailed_code_is_used_once_and_only_for_its_target
            a_new_code_replaces_the_earlier_and_an_expired_one_is_refused
            no_code_is_stored_for_a_target_that_is_gone
            concurrent_uses_of_one_code_accept_it_once
            a_code_lives_until_the_expiry_it_was_given
            backup_codes_count_down_and_each_is_spent_once
            a_backup_code_is_found_by_any_of_its_digests
            only_the_users_confirmed_backup_codes_are_accepted
            concurrent_uses_of_one_backup_code_accept_it_once
            replaced_backup_codes_void_the_old_ones
            backup_codes_are_not_replaced_without_a_confirmed_factor
            disable_forgets_everything_of_the_user_and_turns_mfa_off
            disable_without_a_confirmed_factor_changes_nothing
            a_created_challenge_is_found_by_its_hash_live_or_not
            each_attempt_is_counted_until_the_fifth
            an_expired_or_unknown_challenge_takes_no_attempt
            a_challenge_is_consumed_once_and_only_until_it_expires
            concurrent_attempts_on_one_challenge_get_exactly_five
            concurrent_consumes_of_one_challenge_give_it_once
            a_device_is_remembered_while_mfa_is_on_and_the_password_unchanged
            a_device_is_not_remembered_after_mfa_was_turned_off
            a_device_is_not_remembered_for_a_suspended_or_deleted_account
            a_device_is_not_remembered_once_the_password_hash_differs
            a_device_racing_mfa_off_or_a_password_change_never_outlives_it
            a_device_is_used_only_by_its_user_while_live
            the_overview_lists_live_devices_most_recently_created_first
            a_user_forgets_only_their_own_device
            a_password_change_forgets_the_users_devices
            a_password_reset_forgets_the_users_devices
            deactivation_forgets_the_users_devices
        }
    };
}

/// When the checks' factors are set up.
fn setup_at() -> Timestamp {
    t0_plus(60)
}

/// When the checks' factors are confirmed.
fn confirm_at() -> Timestamp {
    t0_plus(120)
}

/// The TOTP step `at` falls in.
fn step_at(at: Timestamp) -> TotpStep {
    TotpPolicy::default()
        .step_at(at)
        .expect("a time after 1970")
}

/// An account with MFA on: its factor as stored after confirmation, and the digests of its
/// backup codes (in force).
#[derive(Debug, Clone)]
struct Enrolled {
    user: User,
    factor: Factor,
    codes: Vec<TokenHash>,
}

/// Sets up a pending TOTP factor for `user` at [`setup_at`]; returns it and its codes.
async fn begin_setup(s: &StorageUnderTest, user: &User) -> (Factor, Vec<TokenHash>) {
    let factor = fixtures::totp_factor(user.id, setup_at());
    let codes = fixtures::backup_code_digests();
    s.mfa
        .begin_setup(&factor, &codes)
        .await
        .expect("setting up a factor of an account without MFA");
    (factor, codes)
}

/// Confirms `factor` with the step of [`confirm_at`], queueing the MFA-on mail.
async fn confirm(s: &StorageUnderTest, user: &User, factor: &Factor) -> bool {
    s.mfa
        .accept_totp_step(
            factor.id,
            step_at(confirm_at()),
            confirm_at(),
            &fixtures::mfa_enabled_mail(user, confirm_at()),
        )
        .await
        .unwrap()
}

/// Turns MFA on for `user` (a fresh account): a TOTP factor set up and confirmed, as
/// [`authd_domain::ports::MfaRepository::remember_device`] requires.
///
/// # Panics
/// If the account already has a confirmed factor, or is unknown.
pub async fn turn_mfa_on(s: &StorageUnderTest, user: &User) {
    let (factor, _codes) = begin_setup(s, user).await;
    assert!(confirm(s, user, &factor).await, "the first code confirms");
}

/// A fresh account with a confirmed TOTP factor.
async fn enrolled(s: &StorageUnderTest) -> Enrolled {
    let user = registered_user(s).await;
    let (factor, codes) = begin_setup(s, &user).await;
    assert!(confirm(s, &user, &factor).await, "the first code confirms");
    let factor = stored_factor(s, &user)
        .await
        .expect("the confirmed factor is stored");
    Enrolled {
        user,
        factor,
        codes,
    }
}

/// The user's TOTP factor as stored.
async fn stored_factor(s: &StorageUnderTest, user: &User) -> Option<Factor> {
    s.mfa.find_factor(user.id, FactorKind::Totp).await.unwrap()
}

/// `mfa_enabled` as the account reads, by id and as a login finds it; asserts both agree.
async fn mfa_enabled(s: &StorageUnderTest, user: &User) -> bool {
    let by_id = s
        .users
        .find_by_id(user.id)
        .await
        .unwrap()
        .expect("the account exists")
        .mfa_enabled;
    let found = s
        .login_attempts
        .find_for_login(
            &LoginName::Email(user.email.clone()),
            &fixtures::token_hash(),
        )
        .await
        .unwrap();
    let LoginTarget::Account(account) = found else {
        panic!("a login finds the account: {found:?}");
    };
    assert_eq!(
        account.mfa_enabled, by_id,
        "a login reads the flag the account holds"
    );
    by_id
}
