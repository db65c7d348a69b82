//! The port conformance suites of `authd-testkit`, run against the in-memory adapters: one
//! test per check, each on a fresh store, on a multi-threaded runtime so that the concurrent
//! checks race for real.

use authd_clock::SystemClock;
use authd_memory::{MemoryDenylist, MemoryRateLimiter, MemoryStore};
use authd_testkit::{
    StorageUnderTest, audit, denylist, one_time_tokens, outbox, rate_limiter, sessions, users,
};
use std::sync::Arc;

fn storage() -> StorageUnderTest {
    StorageUnderTest::from_store(Arc::new(MemoryStore::new()))
}

/// One `#[tokio::test]` per check: `test_name => module::check_fn`.
macro_rules! storage_checks {
    ($($name:ident => $check:path;)*) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $name() {
            $check(&storage()).await;
        }
    )*};
}

macro_rules! denylist_checks {
    ($($name:ident => $check:path;)*) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $name() {
            $check(&MemoryDenylist::new(Arc::new(SystemClock))).await;
        }
    )*};
}

macro_rules! rate_limiter_checks {
    ($($name:ident => $check:path;)*) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $name() {
            $check(&MemoryRateLimiter::new(Arc::new(SystemClock))).await;
        }
    )*};
}

storage_checks! {
    created_user_can_be_found_by_id_email_and_username => users::check_created_user_can_be_found_by_id_email_and_username;
    create_queues_the_verification_mail_with_the_account => users::check_create_queues_the_verification_mail_with_the_account;
    duplicate_email_is_rejected_case_insensitively => users::check_duplicate_email_is_rejected_case_insensitively;
    duplicate_username_is_rejected_case_insensitively => users::check_duplicate_username_is_rejected_case_insensitively;
    concurrent_creates_with_one_email_have_exactly_one_winner => users::check_concurrent_creates_with_one_email_have_exactly_one_winner;
    login_failures_count_down_then_lock_once => users::check_login_failures_count_down_then_lock_once;
    concurrent_login_failures_are_all_counted_and_lock_once => users::check_concurrent_login_failures_are_all_counted_and_lock_once;
    login_failure_of_unknown_account_is_none => users::check_login_failure_of_unknown_account_is_none;
    login_success_clears_the_lockout_and_records_the_login => users::check_login_success_clears_the_lockout_and_records_the_login;
    a_rehash_does_not_overwrite_a_password_changed_meanwhile => users::check_a_rehash_does_not_overwrite_a_password_changed_meanwhile;
    a_session_is_refused_once_the_password_changed => users::check_a_session_is_refused_once_the_password_changed;
    profile_update_applies_changes_and_sets_updated_at => users::check_profile_update_applies_changes_and_sets_updated_at;
    change_password_keeps_only_the_given_session => users::check_change_password_keeps_only_the_given_session;
    deactivate_marks_the_account_deleted_and_revokes_every_session => users::check_deactivate_marks_the_account_deleted_and_revokes_every_session;
}

storage_checks! {
    created_session_is_found_and_listed => sessions::check_created_session_is_found_and_listed;
    rotation_makes_the_successor_the_current_token => sessions::check_rotation_makes_the_successor_the_current_token;
    concurrent_rotations_of_one_token_rotate_exactly_once => sessions::check_concurrent_rotations_of_one_token_rotate_exactly_once;
    a_rotation_racing_a_logout_leaves_nothing_usable => sessions::check_a_rotation_racing_a_logout_leaves_nothing_usable;
    replay_inside_the_grace_window_is_answered_again => sessions::check_replay_inside_the_grace_window_is_answered_again;
    rotated_token_reused_after_the_grace_window_revokes_the_family => sessions::check_rotated_token_reused_after_the_grace_window_revokes_the_family;
    replay_after_the_successor_moved_on_is_reuse => sessions::check_replay_after_the_successor_moved_on_is_reuse;
    expired_or_unknown_refresh_token_is_invalid => sessions::check_expired_or_unknown_refresh_token_is_invalid;
    touch_keeps_the_token_and_records_activity => sessions::check_touch_keeps_the_token_and_records_activity;
    session_limit_evicts_the_least_recently_used_sessions => sessions::check_session_limit_evicts_the_least_recently_used_sessions;
    concurrent_logins_never_exceed_the_session_limit => sessions::check_concurrent_logins_never_exceed_the_session_limit;
    active_sessions_are_listed_most_recent_first => sessions::check_active_sessions_are_listed_most_recent_first;
    revoke_only_affects_the_owners_live_session => sessions::check_revoke_only_affects_the_owners_live_session;
    revoke_all_revokes_every_live_session_of_the_user => sessions::check_revoke_all_revokes_every_live_session_of_the_user;
}

storage_checks! {
    issued_token_is_found_by_hash_and_purpose => one_time_tokens::check_issued_token_is_found_by_hash_and_purpose;
    issue_invalidates_earlier_tokens_of_the_same_purpose => one_time_tokens::check_issue_invalidates_earlier_tokens_of_the_same_purpose;
    consume_verification_activates_a_pending_user_once => one_time_tokens::check_consume_verification_activates_a_pending_user_once;
    expired_or_foreign_verification_token_is_refused => one_time_tokens::check_expired_or_foreign_verification_token_is_refused;
    concurrent_verifications_with_one_token_succeed_once => one_time_tokens::check_concurrent_verifications_with_one_token_succeed_once;
    consume_reset_replaces_the_password_and_revokes_sessions => one_time_tokens::check_consume_reset_replaces_the_password_and_revokes_sessions;
    expired_reset_token_changes_nothing => one_time_tokens::check_expired_reset_token_changes_nothing;
    concurrent_resets_with_one_token_succeed_once => one_time_tokens::check_concurrent_resets_with_one_token_succeed_once;
}

storage_checks! {
    enqueued_message_is_claimed_once_until_marked_sent => outbox::check_enqueued_message_is_claimed_once_until_marked_sent;
    expired_lease_makes_a_message_claimable_again => outbox::check_expired_lease_makes_a_message_claimable_again;
    failed_message_is_retried_at_the_given_time => outbox::check_failed_message_is_retried_at_the_given_time;
    dead_message_is_never_claimed_again => outbox::check_dead_message_is_never_claimed_again;
    claim_returns_at_most_the_limit => outbox::check_claim_returns_at_most_the_limit;
    concurrent_claimers_never_get_the_same_message => outbox::check_concurrent_claimers_never_get_the_same_message;
}

storage_checks! {
    audit_trail_lists_a_users_events_newest_first => audit::check_audit_trail_lists_a_users_events_newest_first;
    events_recorded_together_keep_their_order => audit::check_events_recorded_together_keep_their_order;
}

denylist_checks! {
    denied_token_is_denied_and_no_other => denylist::check_denied_token_is_denied_and_no_other;
    denied_sessions_deny_all_their_tokens => denylist::check_denied_sessions_deny_all_their_tokens;
    user_cutoff_denies_tokens_issued_in_earlier_seconds => denylist::check_user_cutoff_denies_tokens_issued_in_earlier_seconds;
    entries_stop_denying_once_they_expire => denylist::check_entries_stop_denying_once_they_expire;
}

rate_limiter_checks! {
    hits_are_allowed_up_to_the_limit_and_count_down => rate_limiter::check_hits_are_allowed_up_to_the_limit_and_count_down;
    hit_after_the_limit_is_refused_until_the_window_closes => rate_limiter::check_hit_after_the_limit_is_refused_until_the_window_closes;
    keys_are_counted_independently => rate_limiter::check_keys_are_counted_independently;
    counting_restarts_when_the_window_closes => rate_limiter::check_counting_restarts_when_the_window_closes;
    concurrent_hits_allow_exactly_the_limit => rate_limiter::check_concurrent_hits_allow_exactly_the_limit;
}
